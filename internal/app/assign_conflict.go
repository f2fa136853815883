package app

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"cocreate/internal/apperr"
	"cocreate/internal/store"
	"cocreate/internal/workflow"
)

// maxConflictReason is the longest conflict-of-interest reason, in characters.
const maxConflictReason = 500

// DeclareConflict records that committee member u has a conflict of interest
// with note id: they are unassigned, their review (if any) stops counting,
// the note is flagged for reassignment, and they no longer see its reviews.
func (a *App) DeclareConflict(ctx context.Context, u *store.User, id, reason string) error {
	if !u.IsCommittee() {
		return denied("only committee members declare conflicts of interest")
	}
	n, c, err := a.NoteFor(ctx, u, id)
	if err != nil {
		return err
	}
	if n.Owner == u.ID {
		return denied("this is your own note")
	}
	reason = strings.TrimSpace(reason)
	switch l := utf8.RuneCountInString(reason); {
	case l == 0:
		return apperr.Fields{"reason": "Say briefly what the conflict of interest is"}
	case l > maxConflictReason:
		return apperr.Fields{"reason": fmt.Sprintf("Keep the reason to %d characters or fewer: it has %d", maxConflictReason, l)}
	}
	if _, err := a.Store.EditAssignments(ctx, n.ID, func(cur *store.Note) error {
		changed := false
		if !cur.HasConflict(u.ID) {
			cur.Conflicts = append(cur.Conflicts, u.ID)
			changed = true
		}
		if i := slices.IndexFunc(cur.Assignments, func(as store.Assignment) bool { return as.ReviewerID == u.ID }); i >= 0 {
			cur.Assignments = slices.Delete(slices.Clone(cur.Assignments), i, i+1)
			cur.NeedsReassign = cur.State == string(workflow.Screened)
			changed = true
		}
		if !changed {
			return store.ErrNoChange
		}
		return nil
	}); err != nil {
		return err
	}
	submitted, err := a.Store.WithdrawReview(ctx, n, u.ID, reason)
	if err != nil {
		return err
	}
	if submitted {
		if err := a.refreshNoteScore(ctx, n.ID, c, nil); err != nil {
			return err
		}
	}
	a.Log.Info("conflict of interest declared", "note", n.ID, "by", u.ID)
	return nil
}
