package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"cocreate/internal/app"
)

// commentJSON is api.md's `comment`.
type commentJSON struct {
	ID     string     `json:"id"`
	NoteID string     `json:"note_id"`
	Author authorJSON `json:"author"`
	Text   string     `json:"text"`
	At     string     `json:"at"`
}

type authorJSON struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

func toCommentJSON(cm app.Comment) commentJSON {
	return commentJSON{ID: cm.ID, NoteID: cm.NoteID, Author: authorJSON{ID: cm.AuthorID, Name: cm.AuthorName},
		Text: cm.Text, At: jsonTime(cm.At)}
}

// apiListComments returns the committee's discussion of a note, oldest first, a page at a time.
func (h *Handler) apiListComments(c *gin.Context) {
	page, per, err := pageParams(c)
	if err != nil {
		h.fail(c, err)
		return
	}
	list, err := h.app.Comments(c.Request.Context(), currentUser(c), c.Param("id"))
	if err != nil {
		h.fail(c, err)
		return
	}
	items := []commentJSON{}
	for i := (page - 1) * per; i < len(list) && i < page*per; i++ {
		items = append(items, toCommentJSON(list[i]))
	}
	c.JSON(http.StatusOK, gin.H{"items": items, "total": len(list), "page": page, "per_page": per})
}

// apiAddComment adds a comment to a note's discussion.
func (h *Handler) apiAddComment(c *gin.Context) {
	var b struct {
		Text string `json:"text"`
	}
	if !h.bindJSON(c, &b) {
		return
	}
	cm, err := h.app.AddComment(c.Request.Context(), currentUser(c), c.Param("id"), b.Text)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, gin.H{"comment": toCommentJSON(*cm)})
}
