package app

import (
	"fmt"
	"unicode/utf8"

	"cocreate/internal/apperr"
	"cocreate/internal/review"
	"cocreate/internal/store"
)

// mayScore refuses anyone but an assigned reviewer without a conflict of interest.
func mayScore(u *store.User, n *store.Note, owner *store.User) error {
	if err := conflicted(u, n, owner, "score"); err != nil {
		return err
	}
	if n.AssignedTo(u.ID) == nil {
		return denied("you are not assigned to review this note")
	}
	return nil
}

// MayScreen refuses u the screening of n (whose submitter is owner) on
// the rule scoring follows: not one's own note, no conflict of interest.
func MayScreen(u *store.User, n *store.Note, owner *store.User) error {
	return conflicted(u, n, owner, "screen")
}

// conflicted refuses u the committee's work (verb: screen, score) on n,
// whose submitter is owner, when it is u's own note or u has a conflict of
// interest with it: declared, or the submitter's organisation.
func conflicted(u *store.User, n *store.Note, owner *store.User, verb string) error {
	switch {
	case n.Owner == u.ID:
		return denied("this is your own note, so you cannot %s it", verb)
	case n.HasConflict(u.ID):
		return denied("you declared a conflict of interest with this note, so you cannot %s it", verb)
	case owner != nil && review.SameOrganization(u.Organization, owner.Organization):
		return denied("you belong to the submitter's organisation, so you have a conflict of interest and cannot %s this note", verb)
	}
	return nil
}

// CheckReview returns field errors for in against the call's rubric; a
// submission (or a revision of a submitted review) needs every criterion.
func CheckReview(in ReviewInput, c *store.Call, complete bool) apperr.Fields {
	errs := apperr.Fields{}
	labels := map[string]string{}
	for _, cr := range c.Criteria {
		labels[cr.Key] = cr.Label
	}
	for k, msg := range review.ValidateScores(in.Scores, c.Criteria, complete) {
		switch _, given := in.Scores[k]; {
		case labels[k] == "":
			errs[k] = msg
		case !given:
			errs[k] = fmt.Sprintf("Choose a score from 0 to %d for %s before submitting", review.MaxScore, labels[k])
		default:
			errs[k] = fmt.Sprintf("Choose a score from 0 to %d for %s: %d is not one of them", review.MaxScore, labels[k], in.Scores[k])
		}
	}
	if l := utf8.RuneCountInString(in.Comment); l > maxReviewComment {
		errs["comment"] = fmt.Sprintf("Keep the comment to %d characters or fewer: it has %d", maxReviewComment, l)
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}
