package app

import (
	"context"
	"fmt"
	"time"

	"cocreate/internal/apperr"
	"cocreate/internal/review"
	"cocreate/internal/store"
	"cocreate/internal/workflow"
)

// maxPerNote bounds reviewers_per_note and per_note.
const maxPerNote = 20

// ShortNote is a screened note left with fewer reviewers than it needs, and why.
type ShortNote struct {
	NoteID string `json:"note_id"`
	Ref    string `json:"ref"`
	Have   int    `json:"have"`
	Need   int    `json:"need"`
	Reason string `json:"reason"`
}

// AutoAssignResult is the answer of automatic assignment (api.md, plus short).
type AutoAssignResult struct {
	Assigned  int         `json:"assigned"`  // assignments made by this run
	Notes     int         `json:"notes"`     // screened notes considered
	Reviewers int         `json:"reviewers"` // active reviewers in the pool
	Short     []ShortNote `json:"short"`
}

// AutoAssign gives every screened note of the call perNote reviewers (the
// call's reviewers_per_note when 0) with review.Assign: existing
// assignments are kept, so a re-run only fills gaps. Each note is written as
// its own compare-and-set, re-checking eligibility against the note as it
// is then, several notes at once; notes left short are explained.
func (a *App) AutoAssign(ctx context.Context, u *store.User, callKey string, perNote int) (*AutoAssignResult, error) {
	if !u.Has("coordinator") {
		return nil, denied("only a coordinator assigns reviewers")
	}
	c, err := a.CallByKey(ctx, callKey)
	if err != nil {
		return nil, err
	}
	if perNote == 0 {
		perNote = c.ReviewersPerNote
	}
	if perNote < 1 || perNote > maxPerNote {
		return nil, apperr.Fields{"per_note": fmt.Sprintf("Reviewers per note must be a whole number from 1 to %d", maxPerNote)}
	}
	in, err := a.readAssignInputs(ctx, c.ID)
	if err != nil {
		return nil, fmt.Errorf("assign reviewers for call %s: %w", c.ID, err)
	}
	pool, screened, owners := in.pool, in.screened, in.owners
	slots := make([]review.Slot, len(screened))
	inSlots := map[string]bool{}
	for i, n := range screened {
		slots[i] = slotOf(n, owners[n.Owner])
		inSlots[n.ID] = true
	}
	// Load counts assignments on the call's other notes (classified ones
	// keep their reviewers); the slots' own are counted by review.Assign.
	sums, err := a.Store.Summaries(ctx, store.SummaryFilter{CallID: c.ID})
	if err != nil {
		return nil, err
	}
	load := map[string]int{}
	for _, s := range sums {
		if !inSlots[s.ID] {
			for _, id := range s.Reviewers {
				load[id]++
			}
		}
	}
	plan := review.Assign(slots, reviewersOf(pool), perNote, load)
	byID := map[string]*store.User{}
	for _, r := range pool {
		byID[r.ID] = r
	}
	res := &AutoAssignResult{Notes: len(screened), Reviewers: len(pool), Short: []ShortNote{}}
	refs := map[string]string{}
	for _, n := range screened {
		refs[n.ID] = n.Ref
	}
	// Each note is its own compare-and-set (addReviewers), so notes are
	// written independently, assignWorkers at a time.
	var todo []*store.Note
	for _, n := range screened {
		if len(plan.Added[n.ID]) > 0 {
			todo = append(todo, n)
		}
	}
	added := make([]int, len(todo))
	err = inParallel(ctx, len(todo), func(i int) error {
		n := todo[i]
		users := make([]*store.User, 0, len(plan.Added[n.ID]))
		for _, id := range plan.Added[n.ID] {
			users = append(users, byID[id])
		}
		k, err := a.addReviewers(ctx, n.ID, users, owners[n.Owner], perNote, true)
		if err != nil {
			return fmt.Errorf("assign reviewers to note %s: %w", n.ID, err)
		}
		added[i] = k
		return nil
	})
	if err != nil {
		return nil, err
	}
	a.queueAssignedIDs(ctx, todo)
	for _, k := range added {
		res.Assigned += k
	}
	for _, s := range plan.Short {
		res.Short = append(res.Short, ShortNote{NoteID: s.NoteID, Ref: refs[s.NoteID], Have: s.Have, Need: s.Need, Reason: s.Reason})
	}
	a.Log.Info("automatic assignment", "call", c.ID, "by", u.ID, "assigned", res.Assigned, "short", len(res.Short))
	return res, nil
}

// addReviewers assigns users to note id in one compare-and-set and returns
// how many were added. With skip, reviewers who are no longer eligible or
// beyond need are left out silently (automatic assignment); without it they
// are field errors. The note's need-reassignment flag clears once it has
// need reviewers.
func (a *App) addReviewers(ctx context.Context, id string, users []*store.User, owner *store.User, need int, skip bool) (int, error) {
	added := 0
	now := a.Now().UTC().Truncate(time.Millisecond)
	_, err := a.Store.EditAssignments(ctx, id, func(n *store.Note) error {
		added = 0
		if n.State != string(workflow.Screened) {
			return notScreened(n)
		}
		for _, r := range users {
			if skip && len(n.Assignments) >= need {
				break
			}
			if why := ineligible(r, n, owner); why != "" {
				if skip {
					continue
				}
				return apperr.Fields{"reviewer_ids": why}
			}
			n.Assignments = append(n.Assignments, store.Assignment{ReviewerID: r.ID, Sector: r.Sector,
				ReviewState: store.ReviewAssigned, At: now})
			added++
		}
		if n.NeedsReassign && len(n.Assignments) >= need {
			n.NeedsReassign = false
		}
		if added == 0 {
			return store.ErrNoChange
		}
		return nil
	})
	return added, err
}
