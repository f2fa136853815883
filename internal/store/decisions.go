package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// PublishDecisions releases the current decision of every classified note
// of the call to its owner (Note.Published), then records at as the call's
// published_at, and returns how many notes were published.
//
// Publication is not a state change: the notes keep their version, so a
// chair's open forms stay valid. Each note is written only if it is still
// classified at the version read, so a note reopened meanwhile keeps what
// was published before and is not counted.
func (s *Store) PublishDecisions(ctx context.Context, callID string, at time.Time) (int, error) {
	noteModels := map[*mongo.Collection][]mongo.WriteModel{}
	var ids []string
	var each []*Note // on the embedded engine: the notes to write one by one
	err := s.EachNote(ctx, callID, []string{"classified"}, func(n *Note) error {
		if n.Decision == nil {
			return nil
		}
		ids = append(ids, n.ID)
		if s.embedded {
			each = append(each, n)
			return nil
		}
		c := s.notesOf(n.ID)
		noteModels[c] = append(noteModels[c], mongo.NewUpdateOneModel().
			SetFilter(bson.D{{Key: "_id", Value: n.ID}, {Key: "state", Value: "classified"}, {Key: "version", Value: n.Version}}).
			SetUpdate(publishUpdate(n)))
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("publish call %s: %w", callID, err)
	}
	published := 0
	// On the embedded engine a filter beyond {_id} decodes every note of the
	// shard for each update (a bulk write of 1,000 such updates ran past
	// its 30 s timeout), so each note is checked and written by _id under
	// the lock instead (casUpdate), as every other note write is.
	for _, n := range each {
		version := n.Version
		check := func(cur bson.Raw) bool {
			st, _ := cur.Lookup("state").StringValueOK()
			v, ok := cur.Lookup("version").AsInt64OK()
			return st == "classified" && ok && int(v) == version
		}
		var after Note
		err := s.casUpdate(ctx, s.notesOf(n.ID), n.ID, nil, check, "rev", publishUpdate(n), &after, nil)
		switch {
		case errors.Is(err, mongo.ErrNoDocuments): // reopened or changed meanwhile: not published
		case err != nil:
			s.refreshSummaries(ctx, ids)
			return 0, fmt.Errorf("publish call %s: %w", callID, err)
		default:
			published++
		}
	}
	for c, models := range noteModels {
		for i := 0; i < len(models); i += bulkBatch(s.embedded) {
			r, err := s.bulkWrite(ctx, c, models[i:min(i+bulkBatch(s.embedded), len(models))])
			if r != nil {
				published += int(r.MatchedCount)
			}
			if err != nil {
				s.refreshSummaries(ctx, ids)
				return 0, fmt.Errorf("publish call %s: %w", callID, err)
			}
		}
	}
	s.refreshSummaries(ctx, ids)
	if err := s.SetCallPublished(ctx, callID, at.UTC().Truncate(time.Millisecond)); err != nil {
		return 0, fmt.Errorf("publish call %s: %w", callID, err)
	}
	return published, nil
}

// bulkBatch is how many writes one bulk write carries. FerretDB 1.24 keeps
// every statement of a bulk update open until the command ends, so on the
// embedded engine a bulk write of a few hundred updates stalls past the
// write timeout (measured: 1,000 notes published in one bulk write per
// shard never finished); there each batch stays small.
func bulkBatch(embedded bool) int {
	if embedded {
		return embeddedBulkBatch
	}
	return 500
}

// embeddedBulkBatch is bulkBatch on the embedded engine.
var embeddedBulkBatch = 1

// publishUpdate copies n's decision into its published one.
func publishUpdate(n *Note) bson.D {
	return bson.D{{Key: "$set", Value: bson.D{{Key: "published", Value: n.Decision}}},
		{Key: "$inc", Value: bson.D{{Key: "rev", Value: int64(1)}}}}
}
