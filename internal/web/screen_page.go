package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"cocreate/internal/app"
	"cocreate/internal/apperr"
	"cocreate/internal/enum"
	"cocreate/internal/store"
	"cocreate/internal/workflow"
)

// screenPage is the screening form: the note, the eight checklist items,
// the outcome and its details.
type screenPage struct {
	Layout
	Note      *store.Note
	Call      *store.Call
	Owner     *ownerJSON
	Answers   []noteAnswer
	Items     []screenItem
	In        app.ScreenInput
	Outcomes  []string // the outcomes allowed now
	Others    []store.Summary
	Errors    map[string]string
	ErrorKeys []string
	Today     string
	Failed    []screenItem // for the confirmation page
	Nav       *noteNav
}

// screenItem is one checklist item on the form.
type screenItem struct {
	N                  int
	Key, Label, Choice string // Choice is "pass", "fail" or ""
	Comment            string
}

// screenPageGet shows the screening form.
func (h *Handler) screenPageGet(c *gin.Context) {
	h.showScreen(c, http.StatusOK, nil, nil)
}

// screenPagePost screens the note from the form; a fail is confirmed first.
func (h *Handler) screenPagePost(c *gin.Context) {
	in, err := screenFromForm(c)
	if err != nil {
		h.fail(c, err)
		return
	}
	ctx := c.Request.Context()
	u := currentUser(c)
	id := c.Param("id")
	if c.PostForm("change") != "" {
		h.showScreen(c, http.StatusOK, &in, nil)
		return
	}
	if in.Outcome == app.OutcomeFail && c.PostForm("confirm") != "yes" {
		if err := h.app.CheckScreen(ctx, u, id, in); err != nil {
			h.screenFailed(c, in, err)
			return
		}
		h.showScreenConfirm(c, in)
		return
	}
	nav := h.navBefore(c, navScreen)
	n, err := h.app.Screen(ctx, u, id, in)
	if err != nil {
		h.screenFailed(c, in, err)
		return
	}
	h.flash(c, screenedMessage(n, in.Outcome))
	call, err := h.app.CallByID(ctx, n.CallID)
	if err != nil {
		redirect(c, afterAction(nav, "/committee/notes/"+n.ID))
		return
	}
	redirect(c, afterAction(nav, "/committee/screening?call="+call.Slug))
}

// screenFailed re-renders the form with field errors and what was typed, or answers another error.
func (h *Handler) screenFailed(c *gin.Context, in app.ScreenInput, err error) {
	var fe apperr.Fields
	if errors.As(err, &fe) {
		h.showScreen(c, http.StatusUnprocessableEntity, &in, fe)
		return
	}
	h.fail(c, err)
}

func screenedMessage(n *store.Note, outcome string) string {
	name := refOrTitle(n)
	switch outcome {
	case app.OutcomePass:
		return name + " passed screening and goes on to scoring."
	case app.OutcomeReturn:
		return name + " was returned to the participant for revision."
	}
	return name + " failed screening and is not eligible."
}

// screenFromForm reads the screening form. A checklist item left unanswered
// stays out of the checklist, so the rules report it beside the item.
func screenFromForm(c *gin.Context) (app.ScreenInput, error) {
	in := app.ScreenInput{Outcome: c.PostForm("outcome"), Comment: c.PostForm("comment"),
		Instructions: c.PostForm("instructions"), ReviseBy: strings.TrimSpace(c.PostForm("revise_by")),
		DuplicateOf: c.PostForm("duplicate_of"), Checklist: map[string]bool{}, ItemComments: map[string]string{}}
	v, err := strconv.Atoi(c.PostForm("version"))
	if err != nil {
		return in, badRequest("The form has lost the note's version: reload the page.")
	}
	in.Version = v
	for _, o := range enum.Checklist {
		switch c.PostForm(app.ChecklistField(o.Value)) {
		case "pass":
			in.Checklist[o.Value] = true
		case "fail":
			in.Checklist[o.Value] = false
		}
		if t := c.PostForm(app.ItemCommentField(o.Value)); t != "" {
			in.ItemComments[o.Value] = t
		}
	}
	return in, nil
}

// showScreen renders the form: from the note when in is nil, else with what was typed.
func (h *Handler) showScreen(c *gin.Context, status int, in *app.ScreenInput, errs map[string]string) {
	p, ok := h.screenPageFor(c, in, errs)
	if !ok {
		return
	}
	h.render(c, status, "screen_note", p)
}

// screenPageFor builds the page of the note in the address; false when it has answered an error.
func (h *Handler) screenPageFor(c *gin.Context, in *app.ScreenInput, errs map[string]string) (*screenPage, bool) {
	ctx := c.Request.Context()
	u := currentUser(c)
	n, call, owner, err := h.app.CommitteeNote(ctx, u, c.Param("id"))
	if err == nil {
		err = app.MayScreen(u, n, owner)
	}
	if err != nil {
		h.fail(c, err)
		return nil, false
	}
	var outcomes []string
	for _, e := range h.app.CommitteeActions(u, n, call) {
		switch e {
		case workflow.ScreenPass:
			outcomes = append(outcomes, app.OutcomePass)
		case workflow.ScreenReturn:
			outcomes = append(outcomes, app.OutcomeReturn)
		case workflow.ScreenFail:
			outcomes = append(outcomes, app.OutcomeFail)
		}
	}
	if len(outcomes) == 0 && in == nil {
		s := workflow.State(n.State)
		h.fail(c, &workflow.TransitionError{State: s, Event: workflow.ScreenPass, Allowed: workflow.Allowed(s)})
		return nil, false
	}
	if in == nil {
		in = &app.ScreenInput{Version: n.Version}
	}
	others, err := h.app.OtherNotes(ctx, n)
	if err != nil {
		h.fail(c, err)
		return nil, false
	}
	v := noteView(n, call, u, owner)
	p := &screenPage{Layout: Layout{Title: "Screen note " + refOrTitle(n)}, Note: n, Call: call, Owner: v.Owner,
		Answers: committeeAnswers(n, call, v), In: *in, Outcomes: outcomes, Others: others, Errors: errs,
		Today: h.now().In(call.Location()).Format("2006-01-02"), Nav: h.noteNavFor(c, n, call, navScreen)}
	for i, o := range enum.Checklist {
		it := screenItem{N: i + 1, Key: o.Value, Label: o.Label, Comment: in.ItemComments[o.Value]}
		if ok, set := in.Checklist[o.Value]; set {
			it.Choice = map[bool]string{true: "pass", false: "fail"}[ok]
			if !ok {
				p.Failed = append(p.Failed, it)
			}
		}
		p.Items = append(p.Items, it)
	}
	if len(errs) > 0 {
		p.Title = "Error: " + p.Title
		for _, o := range enum.Checklist {
			p.ErrorKeys = append(p.ErrorKeys, app.ChecklistField(o.Value), app.ItemCommentField(o.Value))
		}
		p.ErrorKeys = append(p.ErrorKeys, "outcome", "instructions", "revise_by", "duplicate_of", "comment")
		p.ErrorKeys = presentKeys(p.ErrorKeys, errs)
	}
	return p, true
}

// showScreenConfirm asks once before failing a note, saying what will happen.
func (h *Handler) showScreenConfirm(c *gin.Context, in app.ScreenInput) {
	p, ok := h.screenPageFor(c, &in, nil)
	if !ok {
		return
	}
	p.Title = "Fail note " + refOrTitle(p.Note) + "?"
	h.render(c, http.StatusOK, "screen_confirm", p)
}

// presentKeys keeps the keys that have an error, in order, so the summary lists only those.
func presentKeys(keys []string, errs map[string]string) []string {
	var out []string
	for _, k := range keys {
		if _, ok := errs[k]; ok {
			out = append(out, k)
		}
	}
	return out
}
