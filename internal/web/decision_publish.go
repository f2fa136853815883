package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"cocreate/internal/app"
	"cocreate/internal/store"
)

// publishPage confirms a publication of results, saying what it releases.
type publishPage struct {
	Layout
	Calls   []*store.Call // the picker, when no call is chosen
	Preview *app.PublishPreview
}

// publishPageGet shows what publishing the call's results would release, and asks once.
func (h *Handler) publishPageGet(c *gin.Context) {
	ctx := c.Request.Context()
	key, calls, err := h.chooseCall(c)
	if err != nil {
		h.fail(c, err)
		return
	}
	if key == "" {
		h.render(c, http.StatusOK, "publish_confirm", &publishPage{Layout: Layout{Title: "Publish results: choose a call"}, Calls: calls})
		return
	}
	p, err := h.app.PreviewPublish(ctx, currentUser(c), key)
	if err != nil {
		h.fail(c, err)
		return
	}
	h.render(c, http.StatusOK, "publish_confirm", &publishPage{Layout: Layout{Title: "Publish results of " + p.Call.Title + "?"}, Preview: p})
}

// publishPagePost publishes the results once confirmed.
func (h *Handler) publishPagePost(c *gin.Context) {
	key := c.PostForm("call")
	if key == "" {
		h.fail(c, badRequest("The form has lost its call: go back and try again."))
		return
	}
	r, err := h.app.Publish(c.Request.Context(), currentUser(c), key)
	if err != nil {
		h.fail(c, err)
		return
	}
	msg := "Results published: 1 decision is now visible to its participant."
	if r.Notes != 1 {
		msg = "Results published: " + itoa(r.Notes) + " decisions are now visible to their participants."
	}
	h.flash(c, msg)
	redirect(c, "/committee/publish?call="+key)
}
