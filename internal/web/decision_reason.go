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

// reasonPage asks the chair for the reason of a reopen or a reinstatement,
// saying exactly what will happen.
type reasonPage struct {
	Layout
	Event   string // "reopen" or "reinstate"
	Note    *store.Note
	Call    *store.Call
	Version int
	Reason  string
	Errors  map[string]string
}

func (h *Handler) reopenPageGet(c *gin.Context) {
	h.showReason(c, workflow.Reopen, http.StatusOK, nil, "", nil)
}
func (h *Handler) reinstatePageGet(c *gin.Context) {
	h.showReason(c, workflow.Reinstate, http.StatusOK, nil, "", nil)
}
func (h *Handler) reopenPagePost(c *gin.Context) { h.reasonPost(c, workflow.Reopen) }
func (h *Handler) reinstatePagePost(c *gin.Context) {
	h.reasonPost(c, workflow.Reinstate)
}

func (h *Handler) reasonPost(c *gin.Context, e workflow.Event) {
	v, err := strconv.Atoi(c.PostForm("version"))
	if err != nil {
		h.fail(c, badRequest("The form has lost the note's version: reload the page."))
		return
	}
	reason := c.PostForm("reason")
	ctx := c.Request.Context()
	u := currentUser(c)
	var n *store.Note
	if e == workflow.Reopen {
		n, err = h.app.Reopen(ctx, u, c.Param("id"), v, reason)
	} else {
		n, err = h.app.Reinstate(ctx, u, c.Param("id"), v, reason)
	}
	var fe apperr.Fields
	if errors.As(err, &fe) {
		h.showReason(c, e, http.StatusUnprocessableEntity, &v, reason, fe)
		return
	}
	if err != nil {
		h.fail(c, err)
		return
	}
	if e == workflow.Reopen {
		h.flash(c, "The decision on "+refOrTitle(n)+" was reopened: classify it again to change it.")
	} else {
		h.flash(c, refOrTitle(n)+" was reinstated and awaits screening again.")
	}
	redirect(c, "/committee/notes/"+n.ID)
}

// showReason renders the reason form; version and reason come back from a post that needs fixing.
func (h *Handler) showReason(c *gin.Context, e workflow.Event, status int, version *int, reason string, errs map[string]string) {
	u := currentUser(c)
	n, call, _, err := h.app.CommitteeNote(c.Request.Context(), u, c.Param("id"))
	if err != nil {
		h.fail(c, err)
		return
	}
	if version == nil && !canDo(h.app.CommitteeActions(u, n, call), e) {
		s := workflow.State(n.State)
		h.fail(c, &workflow.TransitionError{State: s, Event: e, Allowed: workflow.Allowed(s)})
		return
	}
	p := &reasonPage{Event: string(e), Note: n, Call: call, Version: n.Version, Reason: reason, Errors: errs}
	if version != nil {
		p.Version = *version
	}
	p.Title = "Reopen the decision on " + refOrTitle(n)
	if e == workflow.Reinstate {
		p.Title = "Reinstate note " + refOrTitle(n)
	}
	if len(errs) > 0 {
		p.Title = "Error: " + p.Title
	}
	h.render(c, status, "decision_reason", p)
}
