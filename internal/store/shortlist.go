package store

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// StreamNotes passes every note of a call to fn straight from the
// database cursors (one per note shard), in no particular order, so memory
// stays flat however many notes there are: exports rank what they keep of
// each note themselves. EachNote, which sorts, holds them all first.
func (s *Store) StreamNotes(ctx context.Context, callID string, fn func(*Note) error) error {
	q := bson.D{{Key: "call_id", Value: callID}}
	for _, c := range s.noteColls {
		if err := eachNote(ctx, c, q, fn); err != nil {
			return err
		}
	}
	return nil
}

// StreamSubmittedReviews passes every submitted review of a call to fn
// from one cursor on the reviews collection, in no particular order.
func (s *Store) StreamSubmittedReviews(ctx context.Context, callID string, fn func(*Review) error) error {
	cur, err := s.reviews.Find(ctx, bson.D{{Key: "call_id", Value: callID}, {Key: "state", Value: ReviewSubmitted}})
	if err != nil {
		return wrapDB(err)
	}
	defer cur.Close(ctx)
	for cur.Next(ctx) {
		var r Review
		if err := cur.Decode(&r); err != nil {
			return wrapDB(err)
		}
		if err := fn(&r); err != nil {
			return err
		}
	}
	return wrapDB(cur.Err())
}
