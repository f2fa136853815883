package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"cocreate/internal/app"
	"cocreate/internal/apperr"
	"cocreate/internal/review"
)

// reviewFormPage is the scoring form: the note, each criterion's five
// anchored levels as radios, a comment, save as draft or submit.
type reviewFormPage struct {
	Layout
	S        *app.Scoring
	Owner    *ownerJSON
	Answers  []noteAnswer
	Criteria []criterionLevels
	Comment  string
	Errors   map[string]string
	Keys     []string // error keys in form order, for the summary
	Nav      *noteNav
}

// criterionLevels is one criterion of the form with its levels and the chosen one ("" for none).
type criterionLevels struct {
	Key, Label string
	Weight     int
	Levels     []level
	Chosen     string
}

type level struct {
	Value  string
	Anchor string
}

func (h *Handler) reviewFormGet(c *gin.Context) {
	sc, err := h.app.ScoringFor(c.Request.Context(), currentUser(c), c.Param("id"))
	if err != nil {
		h.fail(c, err)
		return
	}
	chosen := map[string]string{}
	comment := ""
	if r := sc.Review; r != nil {
		for k, v := range r.Scores {
			chosen[k] = strconv.Itoa(v)
		}
		comment = r.Comment
	}
	h.renderReviewForm(c, http.StatusOK, sc, chosen, comment, nil)
}

// reviewFormPost saves a draft or submits; on errors the form comes back
// with every choice kept and the message beside each criterion.
func (h *Handler) reviewFormPost(c *gin.Context) {
	ctx := c.Request.Context()
	u := currentUser(c)
	sc, err := h.app.ScoringFor(ctx, u, c.Param("id"))
	if err != nil {
		h.fail(c, err)
		return
	}
	chosen := map[string]string{}
	in := app.ReviewInput{Scores: map[string]int{}, Comment: c.PostForm("comment"), Submit: c.PostForm("action") == "submit"}
	bad := apperr.Fields{}
	for _, cr := range sc.Call.Criteria {
		v := c.PostForm("score_" + cr.Key)
		if v == "" {
			continue
		}
		chosen[cr.Key] = v
		n, err := strconv.Atoi(v)
		if err != nil {
			bad[cr.Key] = fmt.Sprintf("Choose a score from 0 to %d for %s", review.MaxScore, cr.Label)
			continue
		}
		in.Scores[cr.Key] = n
	}
	nav := h.noteNavFor(c, sc.Note, sc.Call, navReview)
	if len(bad) == 0 {
		_, err = h.app.SaveReview(ctx, u, sc.Note.ID, in)
	} else {
		err = bad
	}
	var fe apperr.Fields
	if errors.As(err, &fe) {
		h.renderReviewForm(c, http.StatusUnprocessableEntity, sc, chosen, in.Comment, fe)
		return
	}
	if err != nil {
		h.fail(c, err)
		return
	}
	if in.Submit || (sc.Review != nil && sc.Review.State == "submitted") {
		h.flash(c, "Your review of "+refOrTitle(sc.Note)+" was submitted. You can revise it until the note is classified.")
		redirect(c, afterAction(nav, "/committee/reviews?call="+sc.Call.Slug))
		return
	}
	h.flash(c, "Your draft was saved. It does not count until you submit it.")
	redirect(c, "/notes/"+sc.Note.ID+"/review"+fromQuery(nav))
}

func (h *Handler) renderReviewForm(c *gin.Context, status int, sc *app.Scoring, chosen map[string]string, comment string, errs map[string]string) {
	v := noteView(sc.Note, sc.Call, currentUser(c), sc.Owner)
	p := &reviewFormPage{Layout: Layout{Title: "Score note " + refOrTitle(sc.Note)}, S: sc, Owner: v.Owner,
		Answers: committeeAnswers(sc.Note, sc.Call, v), Comment: comment, Errors: errs, Nav: h.noteNavFor(c, sc.Note, sc.Call, navReview)}
	for _, cr := range sc.Call.Criteria {
		cl := criterionLevels{Key: cr.Key, Label: cr.Label, Weight: cr.Weight, Chosen: chosen[cr.Key]}
		for i, a := range review.Anchors(cr.Key) {
			cl.Levels = append(cl.Levels, level{Value: strconv.Itoa(i), Anchor: a})
		}
		p.Criteria = append(p.Criteria, cl)
		if _, ok := errs[cr.Key]; ok {
			p.Keys = append(p.Keys, cr.Key)
		}
	}
	if _, ok := errs["comment"]; ok {
		p.Keys = append(p.Keys, "comment")
	}
	if len(errs) > 0 {
		p.Title = "Error: " + p.Title
	}
	h.render(c, status, "review_form", p)
}
