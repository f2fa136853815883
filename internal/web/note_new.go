package web

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"cocreate/internal/notes"
	"cocreate/internal/store"
	"cocreate/internal/workflow"
)

// noteNewPage is the start page of a concept note in a call.
type noteNewPage struct {
	Layout
	Call     *store.Call
	Open     bool
	Upcoming bool
	ClosesAt string
	OpensAt  string
	Drafts   []store.Summary // the participant's drafts already in this call
	Fields   []notes.FieldSpec
	Problem  string
}

func (h *Handler) newNoteNewPage(c *gin.Context, call *store.Call) (*noteNewPage, error) {
	p := &noteNewPage{Layout: Layout{Title: "Start a concept note"}, Call: call, Fields: notes.Specs(),
		Open: call.Status(h.now()) == workflow.CallOpen, Upcoming: call.Status(h.now()) == "upcoming", ClosesAt: formatInZone(call.ClosesAt, call.TimeZone),
		OpensAt: formatInZone(call.OpensAt, call.TimeZone)}
	mine, err := h.app.MyNotes(c.Request.Context(), currentUser(c), call.ID)
	if err != nil {
		return nil, err
	}
	for _, s := range mine {
		if s.State == string(workflow.Draft) {
			p.Drafts = append(p.Drafts, s)
		}
	}
	return p, nil
}

// noteNewPage explains what a concept note needs and offers to start one.
func (h *Handler) noteNewPage(c *gin.Context) {
	call, err := h.app.CallByKey(c.Request.Context(), c.Param("slug"))
	if err != nil {
		h.fail(c, err)
		return
	}
	p, err := h.newNoteNewPage(c, call)
	if err != nil {
		h.fail(c, err)
		return
	}
	h.render(c, http.StatusOK, "note_new", p)
}

// noteCreateSubmit starts an empty draft in the call and opens its form.
// The form token makes a double click open one draft, not two.
func (h *Handler) noteCreateSubmit(c *gin.Context) {
	ctx := c.Request.Context()
	call, err := h.app.CallByKey(ctx, c.Param("slug"))
	if err != nil {
		h.fail(c, err)
		return
	}
	n, err := h.app.CreateNote(ctx, currentUser(c), call.ID, notes.Fields{})
	if errors.Is(err, workflow.ErrCallClosed) {
		p, perr := h.newNoteNewPage(c, call)
		if perr != nil {
			h.fail(c, perr)
			return
		}
		p.Problem = "This call is not accepting concept notes now, so no draft was started."
		h.render(c, http.StatusConflict, "note_new", p)
		return
	}
	if err != nil {
		h.fail(c, err)
		return
	}
	redirect(c, "/notes/"+n.ID+"/edit")
}
