package web

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// adminCallsPage is the coordinator's list of calls.
type adminCallsPage struct {
	Layout
	Calls []callCard
}

func (h *Handler) adminCallsPage(c *gin.Context) {
	list, err := h.app.Calls(c.Request.Context())
	if err != nil {
		h.fail(c, err)
		return
	}
	p := &adminCallsPage{Layout: Layout{Title: "Manage calls"}}
	for _, call := range list {
		p.Calls = append(p.Calls, h.callCard(call))
	}
	h.render(c, http.StatusOK, "admin_call_list", p)
}
