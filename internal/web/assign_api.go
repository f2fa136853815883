package web

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// apiAutoAssign runs automatic assignment for a call.
func (h *Handler) apiAutoAssign(c *gin.Context) {
	var b struct {
		PerNote *int `json:"per_note"`
	}
	if c.Request.ContentLength != 0 && !h.bindJSON(c, &b) {
		return
	}
	per := 0
	if b.PerNote != nil {
		if per = *b.PerNote; per == 0 {
			per = -1 // an explicit 0 is out of range, not "the call's number"
		}
	}
	res, err := h.app.AutoAssign(c.Request.Context(), currentUser(c), c.Param("call_id"), per)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, res)
}

// apiSetAssignments makes a list the reviewers of a note.
func (h *Handler) apiSetAssignments(c *gin.Context) {
	var b struct {
		ReviewerIDs *[]string `json:"reviewer_ids"`
	}
	if !h.bindJSON(c, &b) {
		return
	}
	if b.ReviewerIDs == nil {
		h.fail(c, badRequest("Send reviewer_ids: the list of the note's reviewers (an empty list unassigns everyone who has not submitted)."))
		return
	}
	n, err := h.app.SetAssignments(c.Request.Context(), currentUser(c), c.Param("id"), *b.ReviewerIDs)
	if err != nil {
		h.fail(c, err)
		return
	}
	h.sendNote(c, http.StatusOK, n, nil)
}
