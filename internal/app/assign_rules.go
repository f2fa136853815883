package app

import (
	"fmt"
	"strings"

	"cocreate/internal/apperr"
	"cocreate/internal/enum"
	"cocreate/internal/review"
	"cocreate/internal/store"
	"cocreate/internal/workflow"
)

// slotOf describes note n, written by owner (nil when unknown), for review.Assign.
func slotOf(n *store.Note, owner *store.User) review.Slot {
	s := review.Slot{NoteID: n.ID, AuthorID: n.Owner, Conflicts: n.Conflicts}
	if owner != nil {
		s.Organization = owner.Organization
	}
	for _, as := range n.Assignments {
		s.Existing = append(s.Existing, as.ReviewerID)
	}
	return s
}

func reviewersOf(pool []*store.User) []review.Reviewer {
	out := make([]review.Reviewer, len(pool))
	for i, u := range pool {
		out[i] = review.Reviewer{ID: u.ID, Name: u.Name, Sector: u.Sector, Organization: u.Organization}
	}
	return out
}

// ineligible says why r cannot review n (written by owner), "" when r can.
func ineligible(r *store.User, n *store.Note, owner *store.User) string {
	if ok, why := review.Eligible(review.Reviewer{ID: r.ID, Organization: r.Organization}, slotOf(n, owner)); !ok {
		return r.Name + " " + why
	}
	return ""
}

// notScreened refuses an assignment or a review on a note that is not in scoring.
func notScreened(n *store.Note) error {
	msg := fmt.Sprintf("Reviewers work only on screened notes: this note is %s.", strings.ToLower(committeeWord(n.State)))
	if n.State == string(workflow.Classified) {
		msg = "This note has been classified: its reviewers and reviews can no longer change. Reopen it first."
	}
	return &apperr.Conflict{Code: "invalid_transition", Message: msg}
}

// committeeWord is the committee's word for a state.
func committeeWord(state string) string {
	if state == string(workflow.Submitted) {
		return "Awaiting screening"
	}
	return enum.States.Label(state)
}
