package app

import (
	"context"
	"fmt"
	"strings"

	"cocreate/internal/apperr"
	"cocreate/internal/enum"
	"cocreate/internal/store"
	"cocreate/internal/workflow"
)

// ClassifyInput is the body of POST /api/v1/notes/{id}/classify, one item of
// the bulk route, and what the classification page gives.
type ClassifyInput struct {
	ID             string `json:"id,omitempty"` // only in the bulk route
	Version        int    `json:"version"`
	Class          string `json:"class"`
	ReasonCode     string `json:"reason_code"`
	Rationale      string `json:"rationale"`
	MergedInto     string `json:"merged_into"`
	OverrideReason string `json:"override_reason"`
}

// ReviewsOf is the number of submitted reviews of n, as aggregation last counted them.
func ReviewsOf(n *store.Note) int {
	if n.Score == nil {
		return 0
	}
	return n.Score.Reviews
}

// Classify records the chair's decision on screened note id: a class, a
// reason code and the rationale the participant will read once results are
// published. Below the call's minimum number of reviews it needs an
// override reason; a merge or duplicate names another note of the same
// call, without a cycle.
func (a *App) Classify(ctx context.Context, u *store.User, id string, in ClassifyInput) (*store.Note, error) {
	n, c, err := a.NoteFor(ctx, u, id)
	if err != nil {
		return nil, err
	}
	if n.Owner == u.ID {
		return nil, denied("you cannot classify your own note")
	}
	// Field errors only matter when the chair could classify the note now;
	// otherwise fire answers 403 or 409 as for any other refused event.
	if u.Has("chair") && workflow.Can(workflow.State(n.State), workflow.Classify) {
		if err := a.validateClassify(ctx, in, n, c); err != nil {
			return nil, err
		}
	}
	now := a.Now().UTC()
	d := &store.Decision{Class: in.Class, ReasonCode: in.ReasonCode, Rationale: strings.TrimSpace(in.Rationale),
		Override: strings.TrimSpace(in.OverrideReason), By: u.ID, At: now}
	if NamesNote(in.ReasonCode) {
		d.MergedInto = in.MergedInto
	}
	// A decision that differs from the one the owner was last told is a
	// revision: the result page says so once it is published.
	if p := n.Published; p != nil {
		d.Revised = p.Revised || p.Class != d.Class || p.ReasonCode != d.ReasonCode ||
			p.Rationale != d.Rationale || p.MergedInto != d.MergedInto
	}
	return a.fire(ctx, u, id, Transition{Event: workflow.Classify, Version: in.Version, Reason: d.Rationale,
		Reviews: ReviewsOf(n), Override: d.Override, Change: store.Change{Decision: d}})
}

// validateClassify applies the decision rules (decision_rules.go): unknown
// class or reason code is a bad request (400); missing ones, a reason code
// the class does not allow, a rationale outside its bounds or still holding
// a template's placeholder, a merge or duplicate without a valid target, and
// a missing override below the minimum reviews are field errors (422).
func (a *App) validateClassify(ctx context.Context, in ClassifyInput, n *store.Note, c *store.Call) error {
	if in.Class != "" && !enum.Classes.Has(in.Class) {
		return &apperr.BadRequest{Message: fmt.Sprintf("Class %q is unknown: choose A, B, C or D.", in.Class)}
	}
	if in.ReasonCode != "" && !enum.ReasonCodes.Has(in.ReasonCode) {
		return &apperr.BadRequest{Message: fmt.Sprintf("Reason code %q is unknown: the codes are %s.", in.ReasonCode, strings.Join(enum.ReasonCodes.Values(), ", "))}
	}
	errs := apperr.Fields{}
	if in.Class == "" {
		errs["class"] = "Choose a class"
	}
	switch {
	case in.ReasonCode == "":
		errs["reason_code"] = "Choose the reason for the decision"
	case in.Class != "" && !ReasonAllowed(in.Class, in.ReasonCode):
		errs["reason_code"] = reasonMismatch(in.Class, in.ReasonCode)
	}
	if msg := rationaleProblem(strings.TrimSpace(in.Rationale)); msg != "" {
		errs["rationale"] = msg
	}
	switch {
	case NamesNote(in.ReasonCode) && in.MergedInto == "":
		errs["merged_into"] = "Choose the note this one is merged into or duplicates"
	case !NamesNote(in.ReasonCode) && in.MergedInto != "":
		errs["merged_into"] = "Only a note merged with another, or a duplicate, names it: choose the reason “Merged with another note” or “Duplicate”, or leave this empty"
	case in.MergedInto != "":
		msg, err := a.checkMergeTarget(ctx, n, in.MergedInto)
		if err != nil {
			return err
		}
		if msg != "" {
			errs["merged_into"] = msg
		}
	}
	over := strings.TrimSpace(in.OverrideReason)
	if got := ReviewsOf(n); got < c.MinReviews && over == "" {
		errs["override_reason"] = fmt.Sprintf("The note has %d of the %d reviews the call requires: give a reason to classify it now", got, c.MinReviews)
	}
	if len([]rune(over)) > maxDecisionText {
		errs["override_reason"] = fmt.Sprintf("The override reason must be %d characters or fewer", maxDecisionText)
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

// BulkResult is the outcome of one item of a bulk classification.
type BulkResult struct {
	ID   string
	Note *store.Note // when it succeeded
	Err  error       // when it failed
}

// BulkClassify classifies several notes of the call (id or slug); each item
// succeeds or fails on its own, in the order given.
func (a *App) BulkClassify(ctx context.Context, u *store.User, callKey string, items []ClassifyInput) ([]BulkResult, error) {
	c, err := a.CallByKey(ctx, callKey)
	if err != nil {
		return nil, err
	}
	if len(items) == 0 {
		return nil, apperr.Fields{"items": "List at least one note to classify"}
	}
	out := make([]BulkResult, len(items))
	for i, in := range items {
		out[i].ID = in.ID
		n, err := a.Store.NoteByID(ctx, in.ID)
		if err == nil && n.CallID != c.ID {
			err = fmt.Errorf("note %s is not in call %s: %w", in.ID, c.Slug, apperr.ErrNotFound)
		}
		if err == nil {
			n, err = a.Classify(ctx, u, in.ID, in)
		}
		out[i].Note, out[i].Err = n, err
		if err != nil {
			out[i].Note = nil
		}
	}
	return out, nil
}

// Reopen takes classified note id back to screened so its decision can
// change; the decision stays recorded until the chair classifies it again.
func (a *App) Reopen(ctx context.Context, u *store.User, id string, version int, reason string) (*store.Note, error) {
	return a.chairEvent(ctx, u, id, workflow.Reopen, version, reason, store.Change{})
}

// Reinstate takes ineligible note id back to screening. The failed
// screening is cleared from the note (its reasons stay in the history).
func (a *App) Reinstate(ctx context.Context, u *store.User, id string, version int, reason string) (*store.Note, error) {
	return a.chairEvent(ctx, u, id, workflow.Reinstate, version, reason, store.Change{ClearScreening: true})
}

// chairEvent fires a chair's event that needs a reason.
func (a *App) chairEvent(ctx context.Context, u *store.User, id string, e workflow.Event, version int, reason string, ch store.Change) (*store.Note, error) {
	n, _, err := a.NoteFor(ctx, u, id)
	if err != nil {
		return nil, err
	}
	if n.Owner == u.ID {
		return nil, denied("you cannot %s your own note", strings.ToLower(workflow.EventLabel(e)))
	}
	reason = strings.TrimSpace(reason)
	if u.Has("chair") && workflow.Can(workflow.State(n.State), e) {
		switch {
		case reason == "":
			return nil, apperr.Fields{"reason": fmt.Sprintf("Give the reason to %s the note", strings.ToLower(workflow.EventLabel(e)))}
		case len([]rune(reason)) > maxDecisionText:
			return nil, apperr.Fields{"reason": fmt.Sprintf("The reason must be %d characters or fewer", maxDecisionText)}
		}
	}
	return a.fire(ctx, u, id, Transition{Event: e, Version: version, Reason: reason, Change: ch})
}

// maxMergeChain bounds how far checkMergeTarget follows merged_into, so a
// corrupt chain cannot keep it reading.
const maxMergeChain = 1000

// checkMergeTarget is the field message for a merged_into that is not
// another submitted note of n's call, or that would make a cycle: following
// merged_into from the target must not come back to n. "" when it is fine.
func (a *App) checkMergeTarget(ctx context.Context, n *store.Note, target string) (string, error) {
	msg, err := a.checkOtherNote(ctx, n, target, "merged into")
	if msg != "" || err != nil {
		return msg, err
	}
	seen := map[string]bool{n.ID: true}
	for id, hops := target, 0; id != "" && hops < maxMergeChain; hops++ {
		if seen[id] {
			if id == n.ID {
				return "That note is already merged, directly or through others, into this one: choose a note that is not merged into it", nil
			}
			return "", nil // a loop further on that does not come back here
		}
		seen[id] = true
		o, err := a.Store.NoteByID(ctx, id)
		if store.IsNotFound(err) {
			return "", nil
		}
		if err != nil {
			return "", err
		}
		id = ""
		if o.Decision != nil {
			id = o.Decision.MergedInto
		}
	}
	return "", nil
}
