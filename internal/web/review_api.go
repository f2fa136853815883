package web

import (
	"bytes"
	"encoding/json"
	"net/http"
	"sort"
	"strconv"

	"github.com/gin-gonic/gin"

	"cocreate/internal/app"
	"cocreate/internal/review"
	"cocreate/internal/store"
)

// reviewJSON is the api.md `review` object.
type reviewJSON struct {
	NoteID       string         `json:"note_id"`
	ReviewerID   string         `json:"reviewer_id"`
	ReviewerName string         `json:"reviewer_name,omitempty"`
	Scores       map[string]int `json:"scores"`
	Comment      string         `json:"comment"`
	State        string         `json:"state"`
	Total        float64        `json:"total"`
	SubmittedAt  *string        `json:"submitted_at"`
	UpdatedAt    string         `json:"updated_at"`
	Revisions    []revisionJSON `json:"revisions"`
}

// revisionJSON is an earlier submitted version of a review.
type revisionJSON struct {
	Scores      map[string]int `json:"scores"`
	Comment     string         `json:"comment"`
	Total       float64        `json:"total"`
	SubmittedAt string         `json:"submitted_at"`
	ReplacedAt  string         `json:"replaced_at"`
}

func toReviewJSON(r *store.Review, c *store.Call, name string) reviewJSON {
	out := reviewJSON{NoteID: r.NoteID, ReviewerID: r.ReviewerID, ReviewerName: name, Scores: r.Scores, Comment: r.Comment,
		State: r.State, Total: review.Total(r.Scores, c.Criteria), SubmittedAt: jsonTimePtr(r.SubmittedAt),
		UpdatedAt: jsonTime(r.UpdatedAt), Revisions: []revisionJSON{}}
	if out.Scores == nil {
		out.Scores = map[string]int{}
	}
	for _, v := range r.Revisions {
		out.Revisions = append(out.Revisions, revisionJSON{Scores: v.Scores, Comment: v.Comment,
			Total: review.Total(v.Scores, c.Criteria), SubmittedAt: jsonTime(v.SubmittedAt), ReplacedAt: jsonTime(v.ReplacedAt)})
	}
	return out
}

// reviewBody is the body of PUT /api/v1/notes/{id}/review. Scores are read
// raw so that 4.5 is a 400 that says scores are whole numbers.
type reviewBody struct {
	Scores  map[string]json.RawMessage `json:"scores"`
	Comment string                     `json:"comment"`
	Submit  bool                       `json:"submit"`
}

// wholeScores turns raw scores into whole numbers, or a 400 naming the first bad one.
func wholeScores(raw map[string]json.RawMessage) (map[string]int, error) {
	out := make(map[string]int, len(raw))
	keys := make([]string, 0, len(raw))
	for k := range raw {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := bytes.TrimSpace(raw[k])
		n, err := strconv.Atoi(string(v))
		if err != nil {
			return nil, badRequest("Scores are whole numbers from 0 to %d: %q is %s.", review.MaxScore, k, v)
		}
		out[k] = n
	}
	return out, nil
}

// apiSaveReview saves the caller's review of a note as a draft or submitted.
func (h *Handler) apiSaveReview(c *gin.Context) {
	var b reviewBody
	if !h.bindJSON(c, &b) {
		return
	}
	scores, err := wholeScores(b.Scores)
	if err != nil {
		h.fail(c, err)
		return
	}
	ctx := c.Request.Context()
	r, err := h.app.SaveReview(ctx, currentUser(c), c.Param("id"), app.ReviewInput{Scores: scores, Comment: b.Comment, Submit: b.Submit})
	if err != nil {
		h.fail(c, err)
		return
	}
	call, err := h.app.CallByID(ctx, r.CallID)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"review": toReviewJSON(r, call, "")})
}

// apiListReviews lists a note's submitted reviews for those who may read them.
func (h *Handler) apiListReviews(c *gin.Context) {
	nr, err := h.app.ReviewsFor(c.Request.Context(), currentUser(c), c.Param("id"))
	if err != nil {
		h.fail(c, err)
		return
	}
	items := make([]reviewJSON, len(nr.Items))
	for i, it := range nr.Items {
		items[i] = toReviewJSON(it.Review, nr.Call, it.ReviewerName)
	}
	c.JSON(http.StatusOK, gin.H{"items": items})
}

// apiDeclareConflict records the caller's conflict of interest with a note.
func (h *Handler) apiDeclareConflict(c *gin.Context) {
	var b struct {
		Reason string `json:"reason"`
	}
	if !h.bindJSON(c, &b) {
		return
	}
	if err := h.app.DeclareConflict(c.Request.Context(), currentUser(c), c.Param("id"), b.Reason); err != nil {
		h.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
