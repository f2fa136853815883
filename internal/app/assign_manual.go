package app

import (
	"context"
	"fmt"
	"slices"

	"cocreate/internal/apperr"
	"cocreate/internal/store"
	"cocreate/internal/workflow"
)

// SetAssignments makes reviewerIDs the reviewers of note id (PUT
// /api/v1/notes/{id}/assignments): those missing are assigned, those not
// listed are unassigned. Only a coordinator does this, only on a screened
// note, and a reviewer whose review is submitted is never unassigned.
func (a *App) SetAssignments(ctx context.Context, u *store.User, id string, reviewerIDs []string) (*store.Note, error) {
	n, c, err := a.assignable(ctx, u, id)
	if err != nil {
		return nil, err
	}
	want := slices.Compact(slices.Sorted(slices.Values(reviewerIDs)))
	var add, remove []string
	for _, r := range want {
		if r != "" && n.AssignedTo(r) == nil {
			add = append(add, r)
		}
	}
	for _, as := range n.Assignments {
		if !slices.Contains(want, as.ReviewerID) {
			remove = append(remove, as.ReviewerID)
		}
	}
	return a.ChangeReviewers(ctx, u, n, c, add, remove)
}

// assignable loads note id for a coordinator's manual assignment.
func (a *App) assignable(ctx context.Context, u *store.User, id string) (*store.Note, *store.Call, error) {
	if !u.Has("coordinator") {
		return nil, nil, denied("only a coordinator assigns reviewers")
	}
	n, c, err := a.NoteFor(ctx, u, id)
	if err != nil {
		return nil, nil, err
	}
	if n.State != string(workflow.Screened) {
		return nil, nil, notScreened(n)
	}
	return n, c, nil
}

// ChangeReviewers assigns add and unassigns remove on note n of call c in
// one compare-and-set. Drafts of unassigned reviewers are withdrawn.
func (a *App) ChangeReviewers(ctx context.Context, u *store.User, n *store.Note, c *store.Call, add, remove []string) (*store.Note, error) {
	if !u.Has("coordinator") {
		return nil, denied("only a coordinator assigns reviewers")
	}
	owner, err := a.Store.UserByID(ctx, n.Owner)
	if err != nil && !store.IsNotFound(err) {
		return nil, err
	}
	users := make([]*store.User, 0, len(add))
	for _, id := range add {
		r, err := a.Store.UserByID(ctx, id)
		if store.IsNotFound(err) || (err == nil && (!r.Has("reviewer") || r.Disabled)) {
			return nil, apperr.Fields{"reviewer_ids": fmt.Sprintf("No active reviewer has the id %q", id)}
		}
		if err != nil {
			return nil, err
		}
		users = append(users, r)
	}
	var dropped []string
	out, err := a.Store.EditAssignments(ctx, n.ID, func(cur *store.Note) error {
		dropped = nil
		if cur.State != string(workflow.Screened) {
			return notScreened(cur)
		}
		keep := make([]store.Assignment, 0, len(cur.Assignments)+len(users))
		for _, as := range cur.Assignments {
			if !slices.Contains(remove, as.ReviewerID) {
				keep = append(keep, as)
				continue
			}
			if as.ReviewState == store.ReviewSubmitted {
				return &apperr.Conflict{Code: "review_submitted", Message: fmt.Sprintf(
					"%s has submitted a review of this note. A submitted review is kept, so they cannot be unassigned.", a.nameOf(ctx, as.ReviewerID))}
			}
			if as.ReviewState == store.ReviewDraft {
				dropped = append(dropped, as.ReviewerID)
			} else {
				dropped = append(dropped, "") // unassigned before any review was saved: nothing to withdraw
			}
		}
		cur.Assignments = keep
		added, err := a.appendReviewers(cur, users, owner)
		if err != nil {
			return err
		}
		if len(dropped) == 0 && added == 0 {
			return store.ErrNoChange
		}
		if cur.NeedsReassign && len(cur.Assignments) >= c.ReviewersPerNote {
			cur.NeedsReassign = false
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, id := range dropped {
		if id == "" {
			continue
		}
		if _, err := a.Store.WithdrawReview(ctx, n, id, ""); err != nil {
			return nil, err
		}
	}
	a.queueAssigned(ctx, out)
	return out, nil
}

// appendReviewers adds users not yet on n, refusing anyone ineligible with a field error.
func (a *App) appendReviewers(n *store.Note, users []*store.User, owner *store.User) (int, error) {
	added := 0
	for _, r := range users {
		if n.AssignedTo(r.ID) != nil {
			continue
		}
		if why := ineligible(r, n, owner); why != "" {
			return 0, apperr.Fields{"reviewer_ids": why}
		}
		n.Assignments = append(n.Assignments, store.Assignment{ReviewerID: r.ID, Sector: r.Sector,
			ReviewState: store.ReviewAssigned, At: a.Now().UTC()})
		added++
	}
	return added, nil
}

// nameOf is a user's name for messages, or "A reviewer" when unknown.
func (a *App) nameOf(ctx context.Context, id string) string {
	if u, err := a.Store.UserByID(ctx, id); err == nil {
		return u.Name
	}
	return "A reviewer"
}
