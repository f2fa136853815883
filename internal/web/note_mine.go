package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"cocreate/internal/store"
	"cocreate/internal/workflow"
)

// myNoteRow is one of the participant's notes in the list.
type myNoteRow struct {
	ID, Ref, Title, State, Changed, Call string
}

// myNotesPage lists every note of the signed-in participant.
type myNotesPage struct {
	Layout
	Notes []myNoteRow
	Open  []*store.Call // calls accepting notes now, to start one
}

// myNotesPage lists the signed-in user's notes, newest change first, with
// the state as they may see it (app.MyNotes) and times in each call's zone.
func (h *Handler) myNotesPage(c *gin.Context) {
	ctx, u := c.Request.Context(), currentUser(c)
	items, err := h.app.MyNotes(ctx, u, "")
	if err != nil {
		h.fail(c, err)
		return
	}
	calls, err := h.app.Calls(ctx)
	if err != nil {
		h.fail(c, err)
		return
	}
	byID := map[string]*store.Call{}
	p := &myNotesPage{Layout: Layout{Title: "My notes"}}
	for _, call := range calls {
		byID[call.ID] = call
		// Only a participant may start a note: offer it to no one else.
		if call.Status(h.now()) == workflow.CallOpen && u.Has("participant") {
			p.Open = append(p.Open, call)
		}
	}
	for _, s := range items {
		row := myNoteRow{ID: s.ID, Ref: s.Ref, Title: s.Title, State: s.State}
		if call := byID[s.CallID]; call != nil {
			row.Changed, row.Call = formatInZone(s.UpdatedAt, call.TimeZone), call.Title
		} else {
			row.Changed = formatInZone(s.UpdatedAt, "UTC")
		}
		p.Notes = append(p.Notes, row)
	}
	h.render(c, http.StatusOK, "my_notes", p)
}
