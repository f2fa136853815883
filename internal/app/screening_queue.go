package app

import (
	"context"
	"fmt"
	"sort"
	"time"

	"cocreate/internal/apperr"
	"cocreate/internal/enum"
	"cocreate/internal/store"
	"cocreate/internal/workflow"
)

// ScreeningQueue is what the committee screens in one call: submitted notes,
// oldest submission first, and returned notes whose revise-by day has ended,
// which may now be failed.
type ScreeningQueue struct {
	Call       *store.Call
	PolicyArea string
	Submitted  []store.Summary
	Overdue    []OverdueNote
	// Opened names, by note id, who opened the note's screening form in the last OpenedWindow.
	Opened map[string][]Opener
}

// OverdueNote is a returned note not resubmitted by the end of its revise-by day.
type OverdueNote struct {
	store.Summary
	ReviseBy string // YYYY-MM-DD in the call's zone
}

// Screening returns the screening queue of the call (id or slug), limited
// to one policy area when policyArea is not empty. Committee members only.
func (a *App) Screening(ctx context.Context, u *store.User, callKey, policyArea string) (*ScreeningQueue, error) {
	if !u.IsCommittee() {
		return nil, fmt.Errorf("screening queue: %w", apperr.ErrForbidden)
	}
	if policyArea != "" && !enum.PolicyAreas.Has(policyArea) {
		return nil, &apperr.BadRequest{Message: fmt.Sprintf("Policy area %q is unknown.", policyArea)}
	}
	c, err := a.CallByKey(ctx, callKey)
	if err != nil {
		return nil, err
	}
	q := &ScreeningQueue{Call: c, PolicyArea: policyArea, Submitted: []store.Summary{}}
	sums, err := a.Store.Summaries(ctx, store.SummaryFilter{CallID: c.ID, PolicyArea: policyArea,
		States: []string{string(workflow.Submitted), string(workflow.Returned)}})
	if err != nil {
		return nil, fmt.Errorf("screening queue of %s: %w", c.Slug, err)
	}
	var returned []string
	byID := map[string]store.Summary{}
	for _, s := range sums {
		if s.State == string(workflow.Submitted) {
			q.Submitted = append(q.Submitted, s)
		} else {
			returned = append(returned, s.ID)
			byID[s.ID] = s
		}
	}
	sort.SliceStable(q.Submitted, func(i, j int) bool { return submittedBefore(q.Submitted[i], q.Submitted[j]) })
	// Returned notes are few; read them whole for their revise-by day.
	full, err := a.Store.NotesByIDs(ctx, returned)
	if err != nil {
		return nil, fmt.Errorf("screening queue of %s: %w", c.Slug, err)
	}
	now := a.Now()
	for _, n := range full {
		if n.Screening == nil || now.After(ReviseByEnd(n.Screening.ReviseBy, c.Location())) {
			day := ""
			if n.Screening != nil {
				day = n.Screening.ReviseBy
			}
			q.Overdue = append(q.Overdue, OverdueNote{Summary: byID[n.ID], ReviseBy: day})
		}
	}
	sort.SliceStable(q.Overdue, func(i, j int) bool { return q.Overdue[i].ReviseBy < q.Overdue[j].ReviseBy })
	if q.Opened, err = a.recentOpeners(ctx, c.ID); err != nil {
		return nil, fmt.Errorf("screening queue of %s: %w", c.Slug, err)
	}
	return q, nil
}

// submittedBefore orders by submission time, then reference, so the queue is stable.
func submittedBefore(a, b store.Summary) bool {
	ta, tb := zeroIfNil(a.SubmittedAt), zeroIfNil(b.SubmittedAt)
	if !ta.Equal(tb) {
		return ta.Before(tb)
	}
	return a.Ref < b.Ref
}

func zeroIfNil(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
}

// OtherNotes returns the call's other notes the committee can see (every
// note submitted at least once, except n), by reference: the choices for
// "possible duplicate of" and "merged into".
func (a *App) OtherNotes(ctx context.Context, n *store.Note) ([]store.Summary, error) {
	sums, err := a.Store.Summaries(ctx, store.SummaryFilter{CallID: n.CallID})
	if err != nil {
		return nil, fmt.Errorf("other notes of call %s: %w", n.CallID, err)
	}
	out := make([]store.Summary, 0, len(sums))
	for _, s := range sums {
		if s.ID != n.ID && !neverSubmitted(s.State, s.SubmittedAt != nil) {
			out = append(out, s)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Ref < out[j].Ref })
	return out, nil
}
