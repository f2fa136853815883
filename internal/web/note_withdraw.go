package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"cocreate/internal/apperr"
	"cocreate/internal/store"
	"cocreate/internal/workflow"
)

// noteWithdrawPage asks once before a note is withdrawn, saying what will happen.
type noteWithdrawPage struct {
	Layout
	Note    *store.Note
	Call    *store.Call
	State   string // as the owner sees it
	Reason  string
	Errors  map[string]string
	Problem string
}

func newNoteWithdrawPage(n *store.Note, call *store.Call, reason string) *noteWithdrawPage {
	title := n.Title
	if title == "" {
		title = "your untitled draft"
	}
	return &noteWithdrawPage{Layout: Layout{Title: "Withdraw " + title}, Note: n, Call: call, Reason: reason,
		State: ownerStateWords(n, workflow.State(n.State))}
}

// noteWithdrawPage shows the confirmation, or sends the owner back when the
// note can no longer be withdrawn.
func (h *Handler) noteWithdrawPage(c *gin.Context) {
	n, call, ok := h.ownNoteForEdit(c)
	if !ok {
		return
	}
	if !workflow.Can(workflow.State(n.State), workflow.Withdraw) {
		h.flash(c, "This note is "+ownerStateWords(n, workflow.State(n.State))+", so it can no longer be withdrawn.")
		redirect(c, "/notes/"+n.ID)
		return
	}
	h.render(c, http.StatusOK, "note_withdraw", newNoteWithdrawPage(n, call, ""))
}

// noteWithdrawSubmit withdraws the note with the optional reason.
func (h *Handler) noteWithdrawSubmit(c *gin.Context) {
	ctx, u, id := c.Request.Context(), currentUser(c), c.Param("id")
	version, _ := strconv.Atoi(c.PostForm("version"))
	reason := c.PostForm("reason")
	_, err := h.app.WithdrawNote(ctx, u, id, version, reason)
	if err == nil {
		h.flash(c, "Your note has been withdrawn.")
		redirect(c, "/notes/"+id)
		return
	}
	n, call, lerr := h.app.NoteFor(ctx, u, id)
	if lerr != nil {
		h.fail(c, lerr)
		return
	}
	var fe apperr.Fields
	p := newNoteWithdrawPage(n, call, reason)
	switch {
	case errors.As(err, &fe):
		p.Errors, p.Title = fe, "Error: "+p.Title
		h.render(c, http.StatusUnprocessableEntity, "note_withdraw", p)
	case n.Owner == u.ID && !workflow.Can(workflow.State(n.State), workflow.Withdraw):
		h.flash(c, "This note is "+ownerStateWords(n, workflow.State(n.State))+", so it was not withdrawn.")
		redirect(c, "/notes/"+id)
	case errors.Is(err, apperr.ErrStaleVersion):
		p.Problem = "Your note changed after you opened this page, so it was not withdrawn. Check what is said below and confirm again."
		p.Title = "Not withdrawn: " + p.Title
		h.render(c, http.StatusConflict, "note_withdraw", p)
	default:
		h.fail(c, err)
	}
}
