package web

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"cocreate/internal/apperr"
	"cocreate/internal/store"
)

// conflictPage asks a committee member why they have a conflict of interest with a note.
type conflictPage struct {
	Layout
	Note   *store.Note
	Reason string
	Errors map[string]string
}

func (h *Handler) conflictGet(c *gin.Context) {
	n, _, err := h.app.NoteFor(c.Request.Context(), currentUser(c), c.Param("id"))
	if err != nil {
		h.fail(c, err)
		return
	}
	h.render(c, http.StatusOK, "review_conflict", &conflictPage{Layout: Layout{Title: "Declare a conflict of interest with " + refOrTitle(n)}, Note: n})
}

// conflictPost records the declaration: the member is unassigned and the note goes to someone else.
func (h *Handler) conflictPost(c *gin.Context) {
	ctx := c.Request.Context()
	u := currentUser(c)
	n, _, err := h.app.NoteFor(ctx, u, c.Param("id"))
	if err != nil {
		h.fail(c, err)
		return
	}
	reason := c.PostForm("reason")
	err = h.app.DeclareConflict(ctx, u, n.ID, reason)
	var fe apperr.Fields
	if errors.As(err, &fe) {
		h.render(c, http.StatusUnprocessableEntity, "review_conflict", &conflictPage{
			Layout: Layout{Title: "Error: Declare a conflict of interest with " + refOrTitle(n)}, Note: n, Reason: reason, Errors: fe})
		return
	}
	if err != nil {
		h.fail(c, err)
		return
	}
	h.flash(c, "Your conflict of interest with "+refOrTitle(n)+" is recorded. You are no longer assigned to it and will not see its reviews.")
	redirect(c, "/committee/reviews")
}
