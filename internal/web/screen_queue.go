package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"cocreate/internal/app"
	"cocreate/internal/store"
)

// screenQueuePage is the screening queue of one call, or a call picker.
type screenQueuePage struct {
	Layout
	Calls []*store.Call // the picker, when no call is chosen
	Queue *app.ScreeningQueue
}

// screenQueue lists the call's notes awaiting screening, oldest submission
// first, filtered by policy area with a GET form.
func (h *Handler) screenQueue(c *gin.Context) {
	ctx := c.Request.Context()
	key := c.Query("call")
	if key == "" {
		calls, err := h.app.Calls(ctx)
		if err != nil {
			h.fail(c, err)
			return
		}
		if len(calls) != 1 {
			h.render(c, http.StatusOK, "screen_queue", &screenQueuePage{Layout: Layout{Title: "Screening: choose a call"}, Calls: calls})
			return
		}
		key = calls[0].Slug
	}
	q, err := h.app.Screening(ctx, currentUser(c), key, c.Query("policy_area"))
	if err != nil {
		h.fail(c, err)
		return
	}
	h.render(c, http.StatusOK, "screen_queue", &screenQueuePage{Layout: Layout{Title: "Screening: " + q.Call.Title}, Queue: q})
}
