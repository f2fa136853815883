package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"cocreate/internal/app"
	"cocreate/internal/apperr"
	"cocreate/internal/enum"
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
	Classes    []classChoice
	Others     []store.Summary
	Errors     map[string]string
	ErrorKeys  []string
	MinChars   int
	MaxChars   int
	Nav        *noteNav
}

// classChoice is one class of the form: its radio, the reason codes it
// allows (radios named reason_code_<class>) and its own rationale, which
// starts from the class's template. Only the chosen class's section counts,
// so the form offers only allowed codes without JavaScript.
type classChoice struct {
	Value, Label string
	Suggested    bool
	Reasons      enum.List
	Code         string // the reason chosen in this section
	Rationale    string // this section's rationale
}

// classifyForm is what the form posted: the chosen class, and each
// section's reason and rationale as typed.
type classifyForm struct {
	in         app.ClassifyInput
	codes      map[string]string
	rationales map[string]string
	// strayCode is a reason picked under a class other than the chosen one.
	strayCode, strayClass string
}

// readClassifyForm reads the posted form. A plain reason_code or rationale
// field (a client that does not post per-class sections) stands for the
// chosen class's.
func readClassifyForm(c *gin.Context, version int) classifyForm {
	f := classifyForm{codes: map[string]string{}, rationales: map[string]string{}}
	f.in = app.ClassifyInput{Version: version, Class: c.PostForm("class"), MergedInto: c.PostForm("merged_into"),
		OverrideReason: c.PostForm("override_reason")}
	for _, k := range enum.Classes.Values() {
		f.codes[k] = c.PostForm("reason_code_" + k)
		if r, ok := c.GetPostForm("rationale_" + k); ok {
			f.rationales[k] = r
		}
	}
	if v, ok := c.GetPostForm("reason_code"); ok && f.codes[f.in.Class] == "" {
		f.codes[f.in.Class] = v
	}
	if v, ok := c.GetPostForm("rationale"); ok {
		f.rationales[f.in.Class] = v
	}
	f.in.ReasonCode, f.in.Rationale = f.codes[f.in.Class], f.rationales[f.in.Class]
	if f.in.ReasonCode == "" {
		for _, k := range enum.Classes.Values() {
			if f.codes[k] != "" && k != f.in.Class {
				f.strayCode, f.strayClass = f.codes[k], k
				break
			}
		}
	}
	return f
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
	f := readClassifyForm(c, v)
	nav := h.navBefore(c, navClassify)
	n, err := h.app.Classify(c.Request.Context(), currentUser(c), c.Param("id"), f.in)
	var fe apperr.Fields
	if errors.As(err, &fe) {
		if f.strayCode != "" && f.in.Class != "" {
			fe["reason_code"] = "You chose class " + f.in.Class + ", but the reason you picked (“" +
				enum.ReasonCodes.Label(f.strayCode) + "”) is one of class " + f.strayClass +
				"'s: choose a reason under class " + f.in.Class + ", or choose class " + f.strayClass
		}
		h.showClassify(c, http.StatusUnprocessableEntity, &f, fe)
		return
	}
	if err != nil {
		h.fail(c, err)
		return
	}
	h.flash(c, refOrTitle(n)+" was classified "+n.Decision.Class+". Participants see the decision once you publish results.")
	redirect(c, afterAction(nav, "/committee/notes/"+n.ID))
}

// showClassify renders the form: from the note when f is nil, else with what was typed.
func (h *Handler) showClassify(c *gin.Context, status int, f *classifyForm, errs map[string]string) {
	ctx := c.Request.Context()
	u := currentUser(c)
	n, call, owner, err := h.app.CommitteeNote(ctx, u, c.Param("id"))
	if err != nil {
		h.fail(c, err)
		return
	}
	if f == nil {
		if !canDo(h.app.CommitteeActions(u, n, call), workflow.Classify) {
			s := workflow.State(n.State)
			h.fail(c, &workflow.TransitionError{State: s, Event: workflow.Classify, Allowed: workflow.Allowed(s)})
			return
		}
		f = &classifyForm{in: app.ClassifyInput{Version: n.Version}, codes: map[string]string{}, rationales: map[string]string{}}
		if d := n.Decision; d != nil { // a reopened note: start from the recorded decision
			f.in.Class, f.in.MergedInto = d.Class, d.MergedInto
			f.codes[d.Class], f.rationales[d.Class] = d.ReasonCode, d.Rationale
		} else if n.Score != nil {
			f.in.Class = n.Score.SuggestedClass
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
		BelowMin: app.ReviewsOf(n) < call.MinReviews, In: f.in, Others: others, Errors: errs,
		MinChars: app.MinRationale, MaxChars: app.MaxRationale, Nav: h.noteNavFor(c, n, call, navClassify)}
	for _, o := range enum.Classes {
		ch := classChoice{Value: o.Value, Label: o.Label, Reasons: app.ReasonsFor(o.Value), Code: f.codes[o.Value],
			Rationale: app.RationaleTemplate[o.Value], Suggested: n.Score != nil && n.Score.SuggestedClass == o.Value}
		if r, ok := f.rationales[o.Value]; ok {
			ch.Rationale = r
		}
		p.Classes = append(p.Classes, ch)
	}
	if len(errs) > 0 {
		p.Title = "Error: " + p.Title
		// The per-class fields carry the class in their id; the summary links to the chosen one.
		if errs["reason_code"] != "" || errs["rationale"] != "" {
			p.Errors = map[string]string{}
			for k, m := range errs {
				p.Errors[k] = m
			}
			if f.in.Class != "" {
				for _, k := range []string{"reason_code", "rationale"} {
					if m, ok := p.Errors[k]; ok {
						delete(p.Errors, k)
						p.Errors[k+"_"+f.in.Class] = m
					}
				}
			}
		}
		keys := []string{"class", "reason_code", "reason_code_" + f.in.Class, "merged_into", "rationale",
			"rationale_" + f.in.Class, "override_reason"}
		p.ErrorKeys = presentKeys(keys, p.Errors)
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
