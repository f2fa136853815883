package app

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"cocreate/internal/apperr"
	"cocreate/internal/review"
	"cocreate/internal/store"
	"cocreate/internal/workflow"
)

// maxReviewComment is the longest review comment, in characters.
const maxReviewComment = 4000

// ReviewInput is a reviewer's scores and comment (PUT /api/v1/notes/{id}/review and the scoring form).
type ReviewInput struct {
	Scores  map[string]int
	Comment string
	Submit  bool
	// BaseVersion, when set, is the version of the review the input was made
	// from (0: none yet); the save is refused with apperr.ErrStaleVersion when
	// the stored review has moved since (an offline scoring sheet).
	BaseVersion *int
}

// Scoring is a note as its assigned reviewer scores it.
type Scoring struct {
	Note   *store.Note
	Call   *store.Call
	Owner  *store.User   // nil when the account is gone
	Review *store.Review // nil before the first save
}

// ScoringFor loads note id for u to score: u must be assigned to it, with no
// conflict of interest, and the note must be screened (in scoring).
func (a *App) ScoringFor(ctx context.Context, u *store.User, id string) (*Scoring, error) {
	n, c, err := a.NoteFor(ctx, u, id)
	if err != nil {
		return nil, err
	}
	owner, err := a.Store.UserByID(ctx, n.Owner)
	if err != nil && !store.IsNotFound(err) {
		return nil, err
	}
	if err := mayScore(u, n, owner); err != nil {
		return nil, err
	}
	if n.State != string(workflow.Screened) {
		return nil, notScreened(n)
	}
	sc := &Scoring{Note: n, Call: c, Owner: owner}
	// The review document is the one record of the review: look it up by
	// _id whatever the assignment's derived review state says, so a state
	// left behind by a failed write never hides it.
	if sc.Review, err = a.Store.ReviewOf(ctx, n.ID, u.ID); store.IsNotFound(err) {
		sc.Review, err = nil, nil
	}
	return sc, err
}

// SaveReview stores u's review of note id as a draft or submitted. A
// submitted review stays submitted: saving it again is a revision, which
// must be complete, and the previous version is kept in its history. The
// note's aggregate is stored at once; the call's normalised means follow
// in the background (see scheduleScores).
func (a *App) SaveReview(ctx context.Context, u *store.User, id string, in ReviewInput) (*store.Review, error) {
	sc, err := a.ScoringFor(ctx, u, id)
	if err != nil {
		return nil, err
	}
	prev := sc.Review
	if in.BaseVersion != nil {
		at := 0
		if prev != nil {
			at = prev.Version
		}
		if at != *in.BaseVersion {
			return nil, fmt.Errorf("review of note %s: %w", id, apperr.ErrStaleVersion)
		}
	}
	revising := prev != nil && prev.State == store.ReviewSubmitted
	if errs := CheckReview(in, sc.Call, in.Submit || revising); errs != nil {
		return nil, errs
	}
	state, comment := store.ReviewDraft, strings.TrimSpace(in.Comment)
	if in.Submit || revising {
		state = store.ReviewSubmitted
	}
	var r *store.Review
	if prev != nil && prev.State == state && maps.Equal(prev.Scores, in.Scores) && prev.Comment == comment {
		// The same review again (a retry after an answer that was lost):
		// nothing to store, but the note's derived figures are refreshed.
		r = prev
	} else {
		r = a.nextReview(sc, u, prev, in.Scores, comment, state)
		version := 0
		if prev != nil {
			version = prev.Version
		}
		if err := a.storeReview(ctx, r, version); err != nil {
			return nil, fmt.Errorf("save review of note %s: %w", id, err)
		}
	}
	if err := a.refreshNoteScore(ctx, sc.Note.ID, sc.Call, r); err != nil {
		var con *apperr.Conflict
		if errors.As(err, &con) || errors.Is(err, workflow.ErrForbidden) {
			// Unassigned or classified between the check and the write: the review must not count.
			_, _ = a.Store.WithdrawReview(context.WithoutCancel(ctx), sc.Note, u.ID, "")
		}
		return nil, err
	}
	if r.State == store.ReviewSubmitted && a.Store.Embedded() {
		// A revision that leaves the note's figures as they were (only the
		// comment revised) writes nothing to the note: log the change anyway,
		// for views kept of the reviews themselves (the shortlist's Reviews
		// sheet, export_cache.go). In memory on the embedded engine.
		_ = a.Store.BumpCallRev(ctx, sc.Call.ID, sc.Note.ID)
	}
	return r, nil
}

// nextReview is u's review of the note after this save: prev (nil when
// none) with the new scores, comment and state, a revised submission
// keeping the one it replaces.
func (a *App) nextReview(sc *Scoring, u *store.User, prev *store.Review, scores map[string]int, comment, state string) *store.Review {
	now := a.Now().UTC().Truncate(time.Millisecond)
	r := &store.Review{NoteID: sc.Note.ID, CallID: sc.Call.ID, ReviewerID: u.ID}
	if prev != nil {
		*r = *prev
		r.Revisions = slices.Clone(prev.Revisions)
		if prev.State == store.ReviewSubmitted {
			r.Revisions = append(r.Revisions, store.ReviewRevision{Scores: prev.Scores, Comment: prev.Comment,
				SubmittedAt: *prev.SubmittedAt, ReplacedAt: now})
		}
	}
	r.ReviewerSector, r.Scores, r.Comment, r.State, r.SubmittedAt = u.Sector, maps.Clone(scores), comment, state, nil
	if r.Scores == nil {
		r.Scores = map[string]int{}
	}
	if state == store.ReviewSubmitted {
		r.SubmittedAt = &now
	}
	return r
}

// storeReview writes r over the stored review at version (0: none yet).
func (a *App) storeReview(ctx context.Context, r *store.Review, version int) error {
	err := a.Store.SaveReview(ctx, r, version)
	if errors.Is(err, apperr.ErrStaleVersion) && version == 0 {
		// A review withdrawn when its reviewer was unassigned before: start again on top of it.
		old, rerr := a.Store.ReviewOf(ctx, r.NoteID, r.ReviewerID)
		if rerr == nil && old.State == store.ReviewWithdrawn && old.ConflictReason == "" {
			r.CreatedAt, r.Revisions = old.CreatedAt, old.Revisions
			err = a.Store.SaveReview(ctx, r, old.Version)
		}
	}
	return err
}

// refreshNoteScore stores note id's aggregate from its assigned reviewers'
// submitted reviews (fresh replacing its reviewer's stored one) and the
// fresh reviewer's review_state, in one compare-and-set without a version
// bump, then schedules the call's normalised means.
func (a *App) refreshNoteScore(ctx context.Context, id string, c *store.Call, fresh *store.Review) error {
	_, err := a.Store.EditAssignments(ctx, id, func(n *store.Note) error {
		if fresh != nil {
			as := n.AssignedTo(fresh.ReviewerID)
			if as == nil || n.HasConflict(fresh.ReviewerID) {
				return denied("you are no longer assigned to review this note")
			}
			if n.State != string(workflow.Screened) {
				return notScreened(n)
			}
			as.ReviewState = fresh.State
		}
		s, err := a.noteScore(ctx, n, c, fresh)
		if err != nil {
			return err
		}
		n.Score = s
		return nil
	})
	if err != nil {
		return err
	}
	a.scheduleScores(c.ID)
	return nil
}

// noteScore aggregates the submitted reviews of n's assigned reviewers;
// fresh stands in for its reviewer's stored review. The normalised mean
// needs the whole call, so the stored one is carried until the call's
// refresh replaces it.
func (a *App) noteScore(ctx context.Context, n *store.Note, c *store.Call, fresh *store.Review) (*review.Score, error) {
	ids := make([]string, 0, len(n.Assignments))
	for _, as := range n.Assignments {
		if as.ReviewState == store.ReviewSubmitted && (fresh == nil || as.ReviewerID != fresh.ReviewerID) {
			ids = append(ids, as.ReviewerID)
		}
	}
	rs, err := a.Store.ReviewsOf(ctx, n.ID, ids)
	if err != nil {
		return nil, err
	}
	if fresh != nil {
		rs = append(rs, fresh)
	}
	inputs := submittedInputs(rs)
	if len(inputs) == 0 {
		return nil, nil
	}
	s := review.Aggregate(inputs, c.Criteria, c.MinReviews)
	if n.Score != nil && n.Score.NormalisedMean != nil {
		v := *n.Score.NormalisedMean
		s.NormalisedMean = &v
	}
	return &s, nil
}
