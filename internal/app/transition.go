package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"cocreate/internal/apperr"
	"cocreate/internal/store"
	"cocreate/internal/workflow"
)

// Transition is one workflow event on a note, as the operations request it.
type Transition struct {
	Event   workflow.Event
	Version int
	Reason  string // recorded in the history entry
	// Situation fields the caller knows beyond the note and call (reviews, override).
	Reviews  int
	Override string
	// Change holds what the same compare-and-set also stores (its state,
	// version, history and reference are fire's).
	Change store.Change
	// Reference gives the note the call's next submission reference in the same change.
	Reference bool
	// Check runs after the workflow rules pass and before the write, with the current note.
	Check func(n *store.Note, c *store.Call) error
}

// actorFor describes u's relation to n for the workflow rules.
func actorFor(u *store.User, n *store.Note) workflow.Actor {
	return workflow.Actor{Roles: u.Roles, IsOwner: n.Owner == u.ID}
}

// byRole is how the history names who acted: owners by role "owner", the
// committee by its highest role, so participants never learn who scored what.
func byRole(u *store.User, n *store.Note, e workflow.Event) string {
	switch {
	case n.Owner == u.ID && (e == workflow.Submit || e == workflow.Resubmit || e == workflow.Withdraw):
		return "owner"
	case u.Has("chair"):
		return "chair"
	case u.Has("reviewer"):
		return "reviewer"
	case u.Has("coordinator"):
		return "coordinator"
	}
	return "participant"
}

// ReviseByEnd is the end of a revise-by day (YYYY-MM-DD) in loc: the last instant a resubmission is accepted.
func ReviseByEnd(day string, loc *time.Location) time.Time {
	d, err := time.ParseInLocation("2006-01-02", day, loc)
	if err != nil {
		return time.Time{}
	}
	return d.AddDate(0, 0, 1).Add(-time.Nanosecond)
}

// fire runs tr through the workflow's FSM for u on note id and applies the
// step it makes as one compare-and-set on {_id, state, version} that also
// appends the history entry. The FSM decides: its guards are the workflow
// rules, then the caller's version and tr.Check, and the state written and
// the history entry come from the step it made. A refused event is a
// *workflow.TransitionError (409 invalid_transition); a moved version is
// apperr.ErrStaleVersion (409).
//
// A keyed request whose first attempt already made this change (its answer
// was lost) is answered with the note as it is now: see replayed.
func (a *App) fire(ctx context.Context, u *store.User, id string, tr Transition) (*store.Note, error) {
	n, err := a.fireOnce(ctx, u, id, tr)
	if err != nil && (errors.Is(err, apperr.ErrStaleVersion) || errors.Is(err, workflow.ErrInvalidTransition)) {
		if cur, ok := a.replayed(ctx, u, id, tr); ok {
			return cur, nil
		}
	}
	return n, err
}

func (a *App) fireOnce(ctx context.Context, u *store.User, id string, tr Transition) (*store.Note, error) {
	n, err := a.Store.NoteByID(ctx, id)
	if err != nil {
		return nil, err
	}
	c, err := a.Store.CallByID(ctx, n.CallID)
	if err != nil {
		return nil, err
	}
	now := a.Now()
	sit := workflow.Situation{CallStatus: c.Status(now), Now: now, ReturnedBefore: n.ReturnedBefore,
		Reviews: tr.Reviews, MinReviews: c.MinReviews, Reason: tr.Reason, Override: tr.Override}
	if n.Screening != nil && n.Screening.ReviseBy != "" {
		sit.ReviseBy = ReviseByEnd(n.Screening.ReviseBy, c.Location())
	}
	// refusedByGuard tells the caller's guard's own error (returned as it
	// is) from the rules'; errors cannot be compared, some are maps.
	refusedByGuard := false
	guard := func() error {
		var err error
		switch {
		case tr.Version != n.Version:
			err = fmt.Errorf("%s note %s: %w", tr.Event, id, apperr.ErrStaleVersion)
		case tr.Check != nil:
			err = tr.Check(n, c)
		}
		refusedByGuard = err != nil
		return err
	}
	step, err := workflow.Fire(ctx, workflow.State(n.State), tr.Event, actorFor(u, n), sit, guard)
	switch {
	case err == nil:
	case refusedByGuard:
		return nil, err
	case errors.Is(err, workflow.ErrInvalidTransition) && tr.Version != 0 && tr.Version != n.Version:
		// The caller acted on an old copy; say so rather than blame the state.
		return nil, fmt.Errorf("%s note %s: %w", tr.Event, id, apperr.ErrStaleVersion)
	default:
		return nil, fmt.Errorf("%s note %s: %w", tr.Event, id, err)
	}
	var ref *store.RefStamp
	if tr.Reference {
		ref = &store.RefStamp{Counter: store.RefCounter(c.ID), Prefix: c.RefPrefix}
	}
	ch := tr.Change
	ch.States, ch.Version, ch.To, ch.Ref = []string{string(step.From)}, n.Version, string(step.To), ref
	ch.History = historyEntry(step, u, n, now, tr.Reason)
	out, err := a.Store.ApplyChange(ctx, id, ch)
	var refused *store.ErrChangeRefused
	if errors.As(err, &refused) {
		if refused.Stale {
			return nil, fmt.Errorf("%s note %s: %w", tr.Event, id, apperr.ErrStaleVersion)
		}
		return nil, &workflow.TransitionError{State: workflow.State(refused.Current), Event: tr.Event,
			Allowed: workflow.Allowed(workflow.State(refused.Current))}
	}
	return out, err
}

// historyEntry is the history entry of the FSM's step, fired by u on n at now with reason.
func historyEntry(step workflow.Step, u *store.User, n *store.Note, now time.Time, reason string) *store.HistoryEntry {
	return &store.HistoryEntry{From: string(step.From), To: string(step.To), Event: string(step.Event), By: u.ID,
		ByRole: byRole(u, n, step.Event), At: now.UTC(), Reason: reason}
}
