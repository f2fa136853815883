package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"cocreate/internal/app"
)

// screenBody is POST /api/v1/notes/{id}/screen.
type screenBody struct {
	Version      *int              `json:"version"`
	Outcome      string            `json:"outcome"`
	Checklist    map[string]bool   `json:"checklist"`
	ItemComments map[string]string `json:"item_comments"`
	Comment      string            `json:"comment"`
	Instructions string            `json:"instructions"`
	ReviseBy     string            `json:"revise_by"`
	DuplicateOf  string            `json:"duplicate_of"`
}

// apiScreenNote records a screening: pass, return for revision or fail.
func (h *Handler) apiScreenNote(c *gin.Context) {
	var b screenBody
	if !h.bindJSON(c, &b) {
		return
	}
	if b.Version == nil {
		h.fail(c, badRequest("Send the version of the note you screened (\"version\")."))
		return
	}
	n, err := h.app.Screen(c.Request.Context(), currentUser(c), c.Param("id"), app.ScreenInput{
		Version: *b.Version, Outcome: b.Outcome, Checklist: b.Checklist, ItemComments: b.ItemComments,
		Comment: b.Comment, Instructions: b.Instructions, ReviseBy: b.ReviseBy, DuplicateOf: b.DuplicateOf})
	if err != nil {
		h.fail(c, err)
		return
	}
	h.sendNote(c, http.StatusOK, n, nil)
}
