package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"cocreate/internal/app"
	"cocreate/internal/store"
)

// reviewQueuePage is a reviewer's assigned notes in one call.
type reviewQueuePage struct {
	Layout
	Calls []*store.Call
	Call  *store.Call
	Items []app.QueueItem
	Done  int
}

// reviewQueue is /committee/reviews: the notes assigned to the caller, what
// is left to do first, with progress in words ("3 of 7 reviews submitted").
func (h *Handler) reviewQueue(c *gin.Context) {
	calls, call, err := h.pickCall(c)
	if err != nil {
		h.fail(c, err)
		return
	}
	p := &reviewQueuePage{Layout: Layout{Title: "Your reviews"}, Calls: calls, Call: call}
	if call != nil {
		p.Title = "Your reviews: " + call.Title
		if p.Items, p.Done, err = h.app.ReviewQueue(c.Request.Context(), currentUser(c), call); err != nil {
			h.fail(c, err)
			return
		}
	}
	h.render(c, http.StatusOK, "review_queue", p)
}
