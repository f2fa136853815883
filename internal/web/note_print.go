package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"cocreate/internal/store"
)

// notePrintPage is the one-page printable view of a note.
type notePrintPage struct {
	Layout
	Note      *store.Note
	Call      *store.Call
	View      noteJSON
	Answers   []noteAnswer
	Submitted string
	Printed   string
}

// notePrintPage shows the note on one page (the print stylesheet fits a note
// at its word limits on one A4 or Letter sheet), in every state its viewer
// may see, with the submitter's details from the account as noteView allows.
func (h *Handler) notePrintPage(c *gin.Context) {
	ctx, u := c.Request.Context(), currentUser(c)
	n, call, v, err := h.loadNoteView(ctx, u, c.Param("id"))
	if err != nil {
		h.fail(c, err)
		return
	}
	title := "Concept note"
	if v.Ref != "" {
		title += " " + v.Ref
	}
	p := &notePrintPage{Layout: Layout{Title: title}, Note: n, Call: call, View: v,
		Answers: noteAnswers(&store.Note{Fields: v.Fields}, call, nil), Printed: formatInZone(h.now(), call.TimeZone)}
	if n.SubmittedAt != nil {
		p.Submitted = formatInZone(*n.SubmittedAt, call.TimeZone)
	}
	h.render(c, http.StatusOK, "note_print", p)
}
