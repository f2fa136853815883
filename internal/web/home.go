package web

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

type homePage struct {
	Layout
}

func (h *Handler) home(c *gin.Context) {
	h.render(c, http.StatusOK, "home", &homePage{Layout: Layout{Title: "Concept notes for the open government action plan"}})
}
