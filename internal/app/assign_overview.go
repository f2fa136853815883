package app

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"cocreate/internal/review"
	"cocreate/internal/store"
)

// ReviewerLoad is one reviewer's assignments in a call.
type ReviewerLoad struct {
	User                *store.User
	Assigned, Submitted int
}

// AssignedReviewer is one reviewer on a note, for the assignment page.
type AssignedReviewer struct {
	ID, Name, Sector, ReviewState string
}

// DeclaredConflict is a reviewer's declared conflict of interest on a note.
type DeclaredConflict struct {
	Name, Reason string
}

// AssignmentRow is one screened note on the assignment page.
type AssignmentRow struct {
	Note       *store.Note
	Reviewers  []AssignedReviewer
	Conflicts  []DeclaredConflict
	Candidates []*store.User // eligible reviewers not yet on the note
	Need       int
	Short      string // why the note has fewer reviewers than it needs; "" when it has enough
}

// AssignmentOverview is what the coordinator's assignment page shows for a call.
type AssignmentOverview struct {
	Call  *store.Call
	Load  []ReviewerLoad  // every active reviewer, least loaded first
	Notes []AssignmentRow // every screened note, short ones first, then by reference
	Short int             // notes with fewer reviewers than they need
}

// AssignmentOverview reports load per reviewer and each screened note's
// reviewers, explaining every note still short: review.Assign is run dry,
// so a note it cannot fill gets its reason, and one it could fill says so.
func (a *App) AssignmentOverview(ctx context.Context, u *store.User, callKey string) (*AssignmentOverview, error) {
	if !u.Has("coordinator") {
		return nil, denied("only a coordinator assigns reviewers")
	}
	c, err := a.CallByKey(ctx, callKey)
	if err != nil {
		return nil, err
	}
	in, err := a.readAssignInputs(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	pool, screened, owners := in.pool, in.screened, in.owners
	sums, err := a.Store.Summaries(ctx, store.SummaryFilter{CallID: c.ID})
	if err != nil {
		return nil, err
	}
	loads, other := map[string]*ReviewerLoad{}, map[string]int{}
	for _, r := range pool {
		loads[r.ID] = &ReviewerLoad{User: r}
	}
	names := map[string]*store.User{}
	for _, r := range pool {
		names[r.ID] = r
	}
	slots := make([]review.Slot, len(screened))
	inSlots := map[string]bool{}
	for i, n := range screened {
		slots[i], inSlots[n.ID] = slotOf(n, owners[n.Owner]), true
	}
	for _, s := range sums {
		for id, st := range s.ReviewStates {
			if l := loads[id]; l != nil {
				l.Assigned++
				if st == store.ReviewSubmitted {
					l.Submitted++
				}
			}
			if !inSlots[s.ID] {
				other[id]++
			}
		}
	}
	plan := review.Assign(slots, reviewersOf(pool), c.ReviewersPerNote, other)
	stillShort := map[string]string{}
	for _, s := range plan.Short {
		stillShort[s.NoteID] = s.Reason
	}
	out := &AssignmentOverview{Call: c}
	for _, n := range screened {
		row := AssignmentRow{Note: n, Need: c.ReviewersPerNote}
		for _, as := range n.Assignments {
			row.Reviewers = append(row.Reviewers, AssignedReviewer{ID: as.ReviewerID, Name: a.userName(ctx, names, as.ReviewerID),
				Sector: as.Sector, ReviewState: as.ReviewState})
		}
		for _, id := range n.Conflicts {
			d := DeclaredConflict{Name: a.userName(ctx, names, id)}
			if r, err := a.Store.ReviewOf(ctx, n.ID, id); err == nil {
				d.Reason = r.ConflictReason
			}
			row.Conflicts = append(row.Conflicts, d)
		}
		for _, r := range pool {
			if ineligible(r, n, owners[n.Owner]) == "" {
				row.Candidates = append(row.Candidates, r)
			}
		}
		if have := len(n.Assignments); have < row.Need {
			row.Short = stillShort[n.ID]
			if row.Short == "" {
				row.Short = fmt.Sprintf("%d of %d reviewers assigned; %d more eligible reviewers are available: assign automatically or by hand",
					have, row.Need, len(row.Candidates))
			}
			out.Short++
		}
		out.Notes = append(out.Notes, row)
	}
	slices.SortFunc(out.Notes, func(x, y AssignmentRow) int {
		return cmp.Or(cmp.Compare(boolRank(x.Short == ""), boolRank(y.Short == "")), cmp.Compare(x.Note.Ref, y.Note.Ref))
	})
	for _, r := range pool {
		out.Load = append(out.Load, *loads[r.ID])
	}
	slices.SortFunc(out.Load, func(x, y ReviewerLoad) int {
		return cmp.Or(cmp.Compare(x.Assigned, y.Assigned), cmp.Compare(x.User.Name, y.User.Name))
	})
	return out, nil
}

func boolRank(b bool) int {
	if b {
		return 1
	}
	return 0
}

// userName is the name of id from known, else from the store ("A former reviewer" when gone).
func (a *App) userName(ctx context.Context, known map[string]*store.User, id string) string {
	if u := known[id]; u != nil {
		return u.Name
	}
	if u, err := a.Store.UserByID(ctx, id); err == nil {
		known[id] = u
		return u.Name
	}
	return "A former reviewer"
}
