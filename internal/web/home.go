package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"cocreate/internal/store"
)

type homePage struct {
	Layout
	Published []*store.Call // calls whose results are published, for links to their repositories
}

func (h *Handler) home(c *gin.Context) {
	p := &homePage{Layout: Layout{Title: "Concept notes for the open government action plan"}}
	calls, err := h.app.Calls(c.Request.Context())
	if err != nil {
		// The home page still answers; only the links to results are missing.
		h.log.Warn("home: list calls", "request_id", requestID(c), "err", err)
	}
	for _, call := range calls {
		if call.PublishedAt != nil {
			p.Published = append(p.Published, call)
		}
	}
	h.render(c, http.StatusOK, "home", p)
}
