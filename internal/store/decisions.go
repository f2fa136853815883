package store

import (
	"context"
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
	err := s.EachNote(ctx, callID, []string{"classified"}, func(n *Note) error {
		if n.Decision == nil {
			return nil
		}
		c := s.notesOf(n.ID)
		noteModels[c] = append(noteModels[c], mongo.NewUpdateOneModel().
			SetFilter(bson.D{{Key: "_id", Value: n.ID}, {Key: "state", Value: "classified"}, {Key: "version", Value: n.Version}}).
			SetUpdate(bson.D{{Key: "$set", Value: bson.D{{Key: "published", Value: n.Decision}}},
				{Key: "$inc", Value: bson.D{{Key: "rev", Value: int64(1)}}}}))
		ids = append(ids, n.ID)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("publish call %s: %w", callID, err)
	}
	published := 0
	for c, models := range noteModels {
		r, err := s.bulkWrite(ctx, c, models)
		if r != nil {
			published += int(r.MatchedCount)
		}
		if err != nil {
			s.refreshSummaries(ctx, ids)
			return 0, fmt.Errorf("publish call %s: %w", callID, err)
		}
	}
	s.refreshSummaries(ctx, ids)
	if err := s.SetCallPublished(ctx, callID, at.UTC().Truncate(time.Millisecond)); err != nil {
		return 0, fmt.Errorf("publish call %s: %w", callID, err)
	}
	return published, nil
}
