package store

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo"
)

// InsertReviews inserts reviews in bulk, for benchmarks and data imports;
// the notes' assignments and scores are not touched.
func (s *Store) InsertReviews(ctx context.Context, rs []*Review) error {
	if len(rs) == 0 {
		return nil
	}
	docs := make([]any, len(rs))
	now := time.Now().UTC().Truncate(time.Millisecond)
	for i, r := range rs {
		r.ID = ReviewID(r.NoteID, r.ReviewerID)
		if r.Version == 0 {
			r.Version = 1
		}
		if r.CreatedAt.IsZero() {
			r.CreatedAt, r.UpdatedAt = now, now
		}
		if r.Revisions == nil {
			r.Revisions = []ReviewRevision{}
		}
		docs[i] = r
	}
	return wrapDB(s.insertMany(ctx, s.reviews, docs))
}

// InsertNotes inserts notes and their summaries in bulk, for benchmarks and
// data imports (CreateNote writes one at a time and marks the call changed).
func (s *Store) InsertNotes(ctx context.Context, ns []*Note) error {
	if len(ns) == 0 {
		return nil
	}
	docs := make([]any, len(ns))
	sums := make([]any, len(ns))
	now := time.Now().UTC().Truncate(time.Millisecond)
	for i, n := range ns {
		if n.ID == "" {
			n.ID = NewID()
		}
		if n.CreatedAt.IsZero() {
			n.CreatedAt, n.UpdatedAt = now, now
		}
		if n.Version == 0 {
			n.Version = 1
		}
		if n.Rev == 0 {
			n.Rev = 1
		}
		if n.Assignments == nil {
			n.Assignments = []Assignment{}
		}
		if n.Conflicts == nil {
			n.Conflicts = []string{}
		}
		if n.History == nil {
			n.History = []HistoryEntry{}
		}
		docs[i] = n
		sums[i] = SummaryOf(n)
	}
	byColl := map[*mongo.Collection][]any{}
	for _, d := range docs {
		c := s.notesOf(d.(*Note).ID)
		byColl[c] = append(byColl[c], d)
	}
	for c, part := range byColl {
		if err := s.insertMany(ctx, c, part); err != nil {
			return wrapDB(err)
		}
	}
	if s.sums != nil {
		for _, sum := range sums {
			s.sums.put(sum.(Summary))
		}
	} else if err := s.insertMany(ctx, s.summaries(), sums); err != nil {
		return wrapDB(err)
	}
	return s.BumpCallRev(ctx, ns[0].CallID)
}
