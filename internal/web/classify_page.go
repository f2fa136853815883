package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"cocreate/internal/app"
	"cocreate/internal/apperr"
	"cocreate/internal/review"
	"cocreate/internal/store"
	"cocreate/internal/workflow"
)

// classifyPage is the chair's classification form, with the suggested class and why.
type classifyPage struct {
	Layout
	Note       *store.Note
	Call       *store.Call
	Owner      *ownerJSON
	Answers    []noteAnswer
	Score      *review.Score
	Suggestion string
	BelowMin   bool
	In         app.ClassifyInput
	Others     []store.Summary
	Errors     map[string]string
	ErrorKeys  []string
}

// classifyPageGet shows the classification form.
func (h *Handler) classifyPageGet(c *gin.Context) { h.showClassify(c, http.StatusOK, nil, nil) }

// classifyPagePost records the decision, or shows the form again with what was typed.
func (h *Handler) classifyPagePost(c *gin.Context) {
	v, err := strconv.Atoi(c.PostForm("version"))
	if err != nil {
		h.fail(c, badRequest("The form has lost the note's version: reload the page."))
		return
	}
	in := app.ClassifyInput{Version: v, Class: c.PostForm("class"), ReasonCode: c.PostForm("reason_code"),
		Rationale: c.PostForm("rationale"), MergedInto: c.PostForm("merged_into"), OverrideReason: c.PostForm("override_reason")}
	n, err := h.app.Classify(c.Request.Context(), currentUser(c), c.Param("id"), in)
	var fe apperr.Fields
	if errors.As(err, &fe) {
		h.showClassify(c, http.StatusUnprocessableEntity, &in, fe)
		return
	}
	if err != nil {
		h.fail(c, err)
		return
	}
	h.flash(c, refOrTitle(n)+" was classified "+n.Decision.Class+". Participants see the decision once you publish results.")
	redirect(c, "/committee/notes/"+n.ID)
}

// showClassify renders the form: from the note when in is nil, else with what was typed.
func (h *Handler) showClassify(c *gin.Context, status int, in *app.ClassifyInput, errs map[string]string) {
	ctx := c.Request.Context()
	u := currentUser(c)
	n, call, owner, err := h.app.CommitteeNote(ctx, u, c.Param("id"))
	if err != nil {
		h.fail(c, err)
		return
	}
	if in == nil {
		if !canDo(h.app.CommitteeActions(u, n, call), workflow.Classify) {
			s := workflow.State(n.State)
			h.fail(c, &workflow.TransitionError{State: s, Event: workflow.Classify, Allowed: workflow.Allowed(s)})
			return
		}
		in = &app.ClassifyInput{Version: n.Version}
		if d := n.Decision; d != nil { // a reopened note: start from the recorded decision
			in.Class, in.ReasonCode, in.Rationale, in.MergedInto = d.Class, d.ReasonCode, d.Rationale, d.MergedInto
		} else if n.Score != nil {
			in.Class = n.Score.SuggestedClass
		}
	}
	others, err := h.app.OtherNotes(ctx, n)
	if err != nil {
		h.fail(c, err)
		return
	}
	v := noteView(n, call, u, owner)
	p := &classifyPage{Layout: Layout{Title: "Classify note " + refOrTitle(n)}, Note: n, Call: call, Owner: v.Owner,
		Answers: committeeAnswers(n, call, v), Score: n.Score, Suggestion: app.SuggestionExplained(n, call),
		BelowMin: app.ReviewsOf(n) < call.MinReviews, In: *in, Others: others, Errors: errs}
	if len(errs) > 0 {
		p.Title = "Error: " + p.Title
		p.ErrorKeys = presentKeys([]string{"class", "reason_code", "merged_into", "rationale", "override_reason"}, errs)
	}
	h.render(c, status, "classify_note", p)
}

// canDo reports whether e is among the allowed events.
func canDo(allowed []workflow.Event, e workflow.Event) bool {
	for _, a := range allowed {
		if a == e {
			return true
		}
	}
	return false
}
