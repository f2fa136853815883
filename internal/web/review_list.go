package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"cocreate/internal/app"
)

// reviewListPage shows a note's submitted reviews and their aggregate.
type reviewListPage struct {
	Layout
	R          *app.NoteReviews
	Suggestion string
}

// reviewList is /notes/:id/reviews, with the same rules as the API: the
// chair and coordinators; a reviewer once their own review is submitted;
// never a reviewer with a conflict of interest.
func (h *Handler) reviewList(c *gin.Context) {
	nr, err := h.app.ReviewsFor(c.Request.Context(), currentUser(c), c.Param("id"))
	if err != nil {
		h.fail(c, err)
		return
	}
	p := &reviewListPage{Layout: Layout{Title: "Reviews of " + refOrTitle(nr.Note)}, R: nr}
	if nr.Note.Score != nil {
		p.Suggestion = app.SuggestionExplained(nr.Note, nr.Call)
	}
	h.render(c, http.StatusOK, "review_list", p)
}
