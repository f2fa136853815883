package store

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// StreamNotes passes every note of a call to fn, in no particular order:
// exports rank what they keep of each note themselves. On MongoDB it reads
// the database cursors (one per note shard), so memory stays flat however
// many notes there are. On the embedded engine, whose cursors decode every
// document of the collection in the engine, it reads each shard straight
// from its file (Options.Scan) and keeps only the call's notes, falling
// back to the engine for a shard whose file cannot be read.
func (s *Store) StreamNotes(ctx context.Context, callID string, fn func(*Note) error) error {
	q := bson.D{{Key: "call_id", Value: callID}}
	for _, c := range s.noteColls {
		if raws, ok := s.scanWhere(ctx, c, "call_id", callID, ""); ok {
			for _, raw := range raws {
				var n Note
				if err := bson.Unmarshal(raw, &n); err != nil {
					return wrapDB(err)
				}
				if err := fn(&n); err != nil {
					return err
				}
			}
			continue
		}
		if err := eachNote(ctx, c, q, fn); err != nil {
			return err
		}
	}
	return nil
}

// scanWhere reads collection c from the embedded engine's file and returns
// copies of the documents whose key equals value (and, when state is not
// "", whose state equals it); false when there is no file reader or it
// failed, so the caller reads through the engine.
func (s *Store) scanWhere(ctx context.Context, c *mongo.Collection, key, value, state string) ([]bson.Raw, bool) {
	if s.scan == nil {
		return nil, false
	}
	var out []bson.Raw
	err := s.scan(ctx, c.Database().Name(), c.Name(), func(raw bson.Raw) error {
		if v, _ := raw.Lookup(key).StringValueOK(); v != value {
			return nil
		}
		if st, _ := raw.Lookup("state").StringValueOK(); state != "" && st != state {
			return nil
		}
		out = append(out, cloneRaw(raw))
		return nil
	})
	if err != nil {
		s.log.Warn("read a collection from the engine's file; reading it through the engine instead",
			"db", c.Database().Name(), "collection", c.Name(), "err", err)
		return nil, false
	}
	return out, true
}

// StreamSubmittedReviews passes every submitted review of a call to fn
// from one cursor on the reviews collection (on the embedded engine, from
// its file, as StreamNotes), in no particular order.
func (s *Store) StreamSubmittedReviews(ctx context.Context, callID string, fn func(*Review) error) error {
	if raws, ok := s.scanWhere(ctx, s.reviews, "call_id", callID, ReviewSubmitted); ok {
		for _, raw := range raws {
			var r Review
			if err := bson.Unmarshal(raw, &r); err != nil {
				return wrapDB(err)
			}
			if err := fn(&r); err != nil {
				return err
			}
		}
		return nil
	}
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
