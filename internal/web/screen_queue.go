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
	key, calls, err := h.chooseCall(c)
	if err != nil {
		h.fail(c, err)
		return
	}
	if key == "" {
		h.render(c, http.StatusOK, "screen_queue", &screenQueuePage{Layout: Layout{Title: "Screening: choose a call"}, Calls: calls})
		return
	}
	q, err := h.app.Screening(ctx, currentUser(c), key, c.Query("policy_area"))
	if err != nil {
		h.fail(c, err)
		return
	}
	h.render(c, http.StatusOK, "screen_queue", &screenQueuePage{Layout: Layout{Title: "Screening: " + q.Call.Title}, Queue: q})
}
