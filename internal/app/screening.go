package app

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"cocreate/internal/apperr"
	"cocreate/internal/enum"
	"cocreate/internal/store"
	"cocreate/internal/workflow"
)

// Screening outcomes, as the API and the screening page name them.
const (
	OutcomePass   = "pass"
	OutcomeReturn = "return"
	OutcomeFail   = "fail"
)

// Limits on the texts of a screening, in characters.
const (
	maxItemComment  = 1000
	maxScreenText   = 2000
	maxDecisionText = 1000
)

// ScreenInput is the body of POST /api/v1/notes/{id}/screen and what the
// screening page gives: a pass or fail for every checklist item and the outcome.
type ScreenInput struct {
	Version      int               `json:"version"`
	Outcome      string            `json:"outcome"`
	Checklist    map[string]bool   `json:"checklist"`
	ItemComments map[string]string `json:"item_comments"`
	Comment      string            `json:"comment"`
	Instructions string            `json:"instructions"`
	ReviseBy     string            `json:"revise_by"`
	DuplicateOf  string            `json:"duplicate_of"`
}

// errDryRun stops fire after every check has passed, for a confirmation page.
var errDryRun = errors.New("dry run")

// Screen records u's screening of note id: pass (screened), return for
// revision (returned, once) or fail (ineligible). The screening is stored on
// the note in the same compare-and-set as the transition.
func (a *App) Screen(ctx context.Context, u *store.User, id string, in ScreenInput) (*store.Note, error) {
	return a.screen(ctx, u, id, in, false)
}

// CheckScreen applies every rule of Screen without recording anything, so a
// page can ask for confirmation of a final outcome; nil when Screen would go ahead now.
func (a *App) CheckScreen(ctx context.Context, u *store.User, id string, in ScreenInput) error {
	_, err := a.screen(ctx, u, id, in, true)
	if errors.Is(err, errDryRun) {
		return nil
	}
	return err
}

func (a *App) screen(ctx context.Context, u *store.User, id string, in ScreenInput, dry bool) (*store.Note, error) {
	n, _, err := a.NoteFor(ctx, u, id)
	if err != nil {
		return nil, err
	}
	owner, err := a.Store.UserByID(ctx, n.Owner)
	if err != nil && !store.IsNotFound(err) {
		return nil, err
	}
	if err := MayScreen(u, n, owner); err != nil {
		return nil, err
	}
	var ev workflow.Event
	switch in.Outcome {
	case OutcomePass:
		ev = workflow.ScreenPass
	case OutcomeReturn:
		ev = workflow.ScreenReturn
	case OutcomeFail:
		ev = workflow.ScreenFail
	case "":
		// No outcome yet: check who may screen the note as it stands, then report the missing outcome with the rest.
		ev = workflow.ScreenPass
		if n.State == string(workflow.Returned) {
			ev = workflow.ScreenFail
		}
	default:
		return nil, &apperr.BadRequest{Message: fmt.Sprintf("Outcome %q is not one of pass, return or fail.", in.Outcome)}
	}
	now := a.Now()
	tr := Transition{Event: ev, Version: in.Version, Reason: screeningReason(in),
		Change: store.Change{Screening: screeningOf(in, u, now), ReturnedBefore: ev == workflow.ScreenReturn},
		Check: func(cur *store.Note, c *store.Call) error {
			if err := a.validateScreening(ctx, in, cur, c, now); err != nil {
				return err
			}
			if dry {
				return errDryRun
			}
			return nil
		}}
	return a.afterNote(ctx, a.queueScreened)(a.fire(ctx, u, id, tr))
}

// screeningOf is the record stored on the note for a valid input.
func screeningOf(in ScreenInput, u *store.User, now time.Time) *store.Screening {
	s := &store.Screening{Outcome: in.Outcome, Checklist: in.Checklist, Comment: strings.TrimSpace(in.Comment),
		DuplicateOf: in.DuplicateOf, By: u.ID, At: now.UTC()}
	for k, v := range in.ItemComments {
		if v = strings.TrimSpace(v); v != "" {
			if s.ItemComments == nil {
				s.ItemComments = map[string]string{}
			}
			s.ItemComments[k] = v
		}
	}
	if in.Outcome == OutcomeReturn {
		s.Instructions = strings.TrimSpace(in.Instructions)
		s.ReviseBy = strings.TrimSpace(in.ReviseBy)
	}
	return s
}

// FailedItems returns the checklist keys marked as failing, in checklist order.
func FailedItems(checklist map[string]bool) []string {
	var out []string
	for _, o := range enum.Checklist {
		if v, ok := checklist[o.Value]; ok && !v {
			out = append(out, o.Value)
		}
	}
	return out
}

// screeningReason is the history entry's reason: the failed items' labels
// for a fail, the instructions for a return, the comment for a pass.
func screeningReason(in ScreenInput) string {
	switch in.Outcome {
	case OutcomeFail:
		var labels []string
		for _, k := range FailedItems(in.Checklist) {
			labels = append(labels, enum.Checklist.Label(k))
		}
		return strings.Join(labels, "; ")
	case OutcomeReturn:
		return strings.TrimSpace(in.Instructions)
	}
	return strings.TrimSpace(in.Comment)
}
