package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"cocreate/internal/apperr"
	"cocreate/internal/review"
)

// Review states. A review is a draft until submitted; a submitted review
// stays submitted through revisions; a withdrawn one no longer counts (its
// reviewer was unassigned or declared a conflict).
const (
	ReviewDraft     = "draft"
	ReviewSubmitted = "submitted"
	ReviewWithdrawn = "withdrawn"
	// ReviewAssigned is an assignment's review_state before any review is saved.
	ReviewAssigned = "assigned"
)

// ReviewRevision is an earlier submitted version of a review, kept when it is revised.
type ReviewRevision struct {
	Scores      map[string]int `bson:"scores"`
	Comment     string         `bson:"comment"`
	SubmittedAt time.Time      `bson:"submitted_at"`
	ReplacedAt  time.Time      `bson:"replaced_at"`
}

// Review is one reviewer's scores for one note. Its _id is ReviewID(note,
// reviewer), so every look-up of a review is an _id look-up, the only one
// the embedded engine answers without a scan.
type Review struct {
	ID             string           `bson:"_id"`
	NoteID         string           `bson:"note_id"`
	CallID         string           `bson:"call_id"`
	ReviewerID     string           `bson:"reviewer_id"`
	ReviewerSector string           `bson:"reviewer_sector"`
	Scores         map[string]int   `bson:"scores"`
	Comment        string           `bson:"comment"`
	State          string           `bson:"state"`
	SubmittedAt    *time.Time       `bson:"submitted_at,omitempty"`
	Revisions      []ReviewRevision `bson:"revisions"`
	// ConflictReason is the reviewer's declaration of a conflict of interest, if any.
	ConflictReason string     `bson:"conflict_reason,omitempty"`
	ConflictAt     *time.Time `bson:"conflict_at,omitempty"`
	Version        int        `bson:"version"`
	CreatedAt      time.Time  `bson:"created_at"`
	UpdatedAt      time.Time  `bson:"updated_at"`
}

// ReviewID is the _id of reviewer's review of note.
func ReviewID(noteID, reviewerID string) string { return noteID + ":" + reviewerID }

// Input is the review as aggregation reads it.
func (r *Review) Input() review.Input {
	return review.Input{NoteID: r.NoteID, ReviewerID: r.ReviewerID, ReviewerSector: r.ReviewerSector, Scores: r.Scores}
}

// ReviewOf returns reviewer's review of note, or apperr.ErrNotFound.
func (s *Store) ReviewOf(ctx context.Context, noteID, reviewerID string) (*Review, error) {
	var r Review
	if err := s.reviews.FindOne(ctx, bson.D{{Key: "_id", Value: ReviewID(noteID, reviewerID)}}).Decode(&r); err != nil {
		return nil, notFound(err, "review of note "+noteID)
	}
	return &r, nil
}

// ReviewsOf returns the reviews of note by the given reviewers that exist,
// in the reviewers' order, one _id look-up each.
func (s *Store) ReviewsOf(ctx context.Context, noteID string, reviewerIDs []string) ([]*Review, error) {
	out := make([]*Review, 0, len(reviewerIDs))
	for _, id := range reviewerIDs {
		r, err := s.ReviewOf(ctx, noteID, id)
		if IsNotFound(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// SaveReview stores r if the stored review is still at version (0: there
// is none yet), then bumps r.Version; otherwise apperr.ErrStaleVersion.
func (s *Store) SaveReview(ctx context.Context, r *Review, version int) error {
	now := time.Now().UTC().Truncate(time.Millisecond)
	r.ID = ReviewID(r.NoteID, r.ReviewerID)
	r.UpdatedAt = now
	if r.Revisions == nil {
		r.Revisions = []ReviewRevision{}
	}
	if version == 0 {
		r.CreatedAt, r.Version = now, 1
		err := s.insertOne(ctx, s.reviews, r)
		if errors.Is(err, apperr.ErrDuplicate) {
			return staleVersion("review " + r.ID)
		}
		return err
	}
	r.Version = version + 1
	ok, err := s.casReplace(ctx, s.reviews, r.ID, bson.D{{Key: "_id", Value: r.ID}, {Key: "version", Value: version}}, versionIs(version), r)
	if err != nil {
		return fmt.Errorf("save review %s: %w", r.ID, err)
	}
	if !ok {
		return staleVersion("review " + r.ID)
	}
	return nil
}

// WithdrawReview marks reviewer's review of note withdrawn, so it no longer
// counts, and reports whether it had been submitted. With a conflict reason
// it records the declaration too, creating the review when there is none;
// without one, no review is no error.
func (s *Store) WithdrawReview(ctx context.Context, n *Note, reviewerID, conflictReason string) (bool, error) {
	now := time.Now().UTC().Truncate(time.Millisecond)
	set := bson.D{{Key: "state", Value: ReviewWithdrawn}, {Key: "updated_at", Value: now}}
	update := bson.D{{Key: "$inc", Value: bson.D{{Key: "version", Value: 1}}}}
	var opts []options.Lister[options.FindOneAndUpdateOptions]
	if conflictReason != "" {
		set = append(set, bson.E{Key: "conflict_reason", Value: conflictReason}, bson.E{Key: "conflict_at", Value: now})
		update = append(update, bson.E{Key: "$setOnInsert", Value: bson.D{{Key: "note_id", Value: n.ID},
			{Key: "call_id", Value: n.CallID}, {Key: "reviewer_id", Value: reviewerID}, {Key: "reviewer_sector", Value: ""},
			{Key: "scores", Value: bson.D{}}, {Key: "comment", Value: ""}, {Key: "revisions", Value: bson.A{}},
			{Key: "created_at", Value: now}}})
		opts = append(opts, options.FindOneAndUpdate().SetUpsert(true))
	}
	update = append(update, bson.E{Key: "$set", Value: set})
	var before Review
	err := s.findOneAndUpdate(ctx, s.reviews, bson.D{{Key: "_id", Value: ReviewID(n.ID, reviewerID)}}, update, &before, opts...)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("withdraw the review of note %s: %w", n.ID, err)
	}
	return before.State == ReviewSubmitted, nil
}

// CallReviews returns every review of a call, in any state: one query on
// the reviews collection, which aggregation across the call needs.
func (s *Store) CallReviews(ctx context.Context, callID string) ([]*Review, error) {
	cur, err := s.reviews.Find(ctx, bson.D{{Key: "call_id", Value: callID}})
	if err != nil {
		return nil, wrapDB(err)
	}
	var out []*Review
	if err := cur.All(ctx, &out); err != nil {
		return nil, wrapDB(err)
	}
	return out, nil
}

// SetScores stores each note's aggregate (nil removes it) and refreshes its
// summary, without moving the note's version: a score is derived data, not
// a change of the note. The call is marked changed once, at the end.
func (s *Store) SetScores(ctx context.Context, callID string, scores map[string]*review.Score) (int, error) {
	var changed []string
	err := func() error {
		for id, sc := range scores {
			update := bson.D{{Key: "$set", Value: bson.D{{Key: "score", Value: sc}}}}
			if sc == nil {
				update = bson.D{{Key: "$unset", Value: bson.D{{Key: "score", Value: ""}}}}
			}
			update = append(update, bson.E{Key: "$inc", Value: bson.D{{Key: "rev", Value: int64(1)}}})
			var n Note
			err := s.findOneAndUpdate(ctx, s.notesOf(id), bson.D{{Key: "_id", Value: id}}, update, &n,
				options.FindOneAndUpdate().SetReturnDocument(options.After))
			if errors.Is(err, mongo.ErrNoDocuments) {
				continue
			}
			if err != nil {
				return fmt.Errorf("store the score of note %s: %w", id, err)
			}
			if s.sums == nil { // in memory it was refreshed under the write lock
				if err := s.putSummaries(ctx, SummaryOf(&n)); err != nil {
					return fmt.Errorf("refresh the summary of note %s: %w", id, err)
				}
			}
			changed = append(changed, id)
		}
		return nil
	}()
	// Mark what did change, also when a later note failed.
	if len(changed) > 0 {
		if berr := s.BumpCallRev(ctx, callID, changed...); berr != nil && err == nil {
			err = berr
		}
	}
	return len(changed), err
}
