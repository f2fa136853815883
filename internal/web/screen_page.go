package web

import (
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

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
	// ItemsChoice is the checklist control: itemsAll, itemsSome or "" before an answer.
	ItemsChoice string
	OpenedAt    string       // when the screener opened the form (RFC 3339), posted back with it
	Stale       string       // after a refused save: what changed since the screener opened the note
	GoOn        bool         // after a refused save: the note can still be screened, on top of the new version
	Openers     []app.Opener // other members who opened the form in the last half hour
}

// screenItem is one checklist item on the form.
type screenItem struct {
	N                  int
	Key, Label, Choice string // Choice is "pass", "fail" or ""
	Comment            string
}

// screenPageGet shows the screening form.
// Opening it is recorded, for the queue to show who has the note open.
func (h *Handler) screenPageGet(c *gin.Context) {
	p, ok := h.screenPageFor(c, nil, nil)
	if !ok {
		return
	}
	h.app.RecordScreenOpening(c.Request.Context(), currentUser(c), p.Note)
	h.render(c, http.StatusOK, "screen_note", p)
}

// screenPagePost screens the note from the form; a fail is confirmed first.
// The outcome is derived from the checklist where it can be (deriveOutcome).
func (h *Handler) screenPagePost(c *gin.Context) {
	f, err := screenFromForm(c)
	if err != nil {
		h.fail(c, err)
		return
	}
	ctx := c.Request.Context()
	u := currentUser(c)
	id := c.Param("id")
	if c.PostForm("change") != "" {
		h.showScreen(c, http.StatusOK, &f.in, nil, f.openedAt)
		return
	}
	n, call, owner, err := h.app.CommitteeNote(ctx, u, id)
	if err == nil {
		err = app.MayScreen(u, n, owner)
	}
	if err != nil {
		h.fail(c, err)
		return
	}
	allowed := h.screenOutcomes(u, n, call)
	nav := h.noteNavFor(c, n, call, navScreen)
	f.in.Outcome = deriveOutcome(f, allowed)
	if errs := checklistErrors(f, allowed); errs != nil {
		// Report the rest of the form with it, from a dry run of the rules.
		if err := h.app.CheckScreen(ctx, u, id, f.in); err != nil {
			var fe apperr.Fields
			if !errors.As(err, &fe) {
				h.screenFailed(c, f, err)
				return
			}
			for k, m := range fe {
				if !strings.HasPrefix(k, "checklist.") && (k != "outcome" || (f.items == itemsSome && f.in.Outcome == "")) {
					errs[k] = m
				}
			}
		}
		h.showScreen(c, http.StatusUnprocessableEntity, &f.in, errs, f.openedAt)
		return
	}
	if f.in.Outcome == app.OutcomeFail && c.PostForm("confirm") != "yes" {
		if err := h.app.CheckScreen(ctx, u, id, f.in); err != nil {
			h.screenFailed(c, f, err)
			return
		}
		h.showScreenConfirm(c, f)
		return
	}
	n, err = h.app.Screen(ctx, u, id, f.in)
	if err != nil {
		h.screenFailed(c, f, err)
		return
	}
	h.flash(c, screenedMessage(n, f.in.Outcome))
	redirect(c, afterAction(nav, "/committee/screening?call="+call.Slug))
}

// screenOutcomes are the outcomes u may record on n now.
func (h *Handler) screenOutcomes(u *store.User, n *store.Note, call *store.Call) []string {
	var out []string
	for _, e := range h.app.CommitteeActions(u, n, call) {
		switch e {
		case workflow.ScreenPass:
			out = append(out, app.OutcomePass)
		case workflow.ScreenReturn:
			out = append(out, app.OutcomeReturn)
		case workflow.ScreenFail:
			out = append(out, app.OutcomeFail)
		}
	}
	return out
}

// screenFailed re-renders the form with field errors and what was typed,
// gives the form back over the new version when the note changed meanwhile
// (screenStale), or answers another error.
func (h *Handler) screenFailed(c *gin.Context, f screenPost, err error) {
	var fe apperr.Fields
	switch {
	case errors.As(err, &fe):
		h.showScreen(c, http.StatusUnprocessableEntity, &f.in, fe, f.openedAt)
	case errors.Is(err, apperr.ErrStaleVersion) || errors.Is(err, workflow.ErrInvalidTransition):
		h.screenStale(c, f)
	default:
		h.fail(c, err)
	}
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

// showScreen renders the form: from the note when in is nil, else with what
// was typed; openedAt is when the screener first opened it ("" for now).
func (h *Handler) showScreen(c *gin.Context, status int, in *app.ScreenInput, errs map[string]string, openedAt string) {
	p, ok := h.screenPageFor(c, in, errs)
	if !ok {
		return
	}
	if openedAt != "" {
		p.OpenedAt = openedAt
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
	outcomes := h.screenOutcomes(u, n, call)
	opening, err := h.app.OthersOpening(ctx, u, n)
	if err != nil {
		h.fail(c, err)
		return nil, false
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
		Today: h.now().In(call.Location()).Format("2006-01-02"), Nav: h.noteNavFor(c, n, call, navScreen),
		ItemsChoice: itemsChoice(in), OpenedAt: h.now().UTC().Format(time.RFC3339Nano), Openers: opening}
	if len(outcomes) > 0 && !slices.Contains(outcomes, app.OutcomePass) {
		p.ItemsChoice = itemsSome // only a fail is left: the items that fail are the reasons
	}
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
		keys := []string{"items"}
		for _, o := range enum.Checklist {
			keys = append(keys, app.ChecklistField(o.Value), app.ItemCommentField(o.Value))
		}
		keys = append(keys, "outcome", "instructions", "revise_by", "duplicate_of", "comment")
		p.ErrorKeys = presentKeys(keys, errs)
	}
	return p, true
}

// showScreenConfirm asks once before failing a note, saying what will happen.
func (h *Handler) showScreenConfirm(c *gin.Context, f screenPost) {
	p, ok := h.screenPageFor(c, &f.in, nil)
	if !ok {
		return
	}
	if f.openedAt != "" {
		p.OpenedAt = f.openedAt
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
