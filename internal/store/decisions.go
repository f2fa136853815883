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
	total := 0
	classes := map[string]string{} // note id → class published
	err := s.EachNote(ctx, callID, []string{"classified"}, func(n *Note) error {
		if n.Decision == nil {
			return nil
		}
		c := s.notesOf(n.ID)
		total++
		noteModels[c] = append(noteModels[c], mongo.NewUpdateOneModel().
			SetFilter(bson.D{{Key: "_id", Value: n.ID}, {Key: "state", Value: "classified"}, {Key: "version", Value: n.Version}}).
			SetUpdate(bson.D{{Key: "$set", Value: bson.D{{Key: "published", Value: n.Decision}}}}))
		classes[n.ID] = n.Decision.Class
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("publish call %s: %w", callID, err)
	}
	published := 0
	if total > 0 {
		for c, models := range noteModels {
			r, err := s.bulkWrite(ctx, c, models)
			if err != nil {
				return 0, fmt.Errorf("publish call %s: %w", callID, err)
			}
			published += int(r.MatchedCount)
		}
		if published != total {
			// Some notes were reopened meanwhile: refresh summaries from the notes themselves.
			if _, err := s.RebuildSummaries(ctx, callID); err != nil {
				s.log.Error("rebuild summaries after publication", "call", callID, "err", err)
			}
		} else if err := s.publishClasses(ctx, classes); err != nil {
			s.log.Error("refresh summaries after publication", "call", callID, "err", err)
		}
	}
	if err := s.SetCallPublished(ctx, callID, at.UTC().Truncate(time.Millisecond)); err != nil {
		return 0, fmt.Errorf("publish call %s: %w", callID, err)
	}
	return published, nil
}

// publishClasses records the class published for each note in its summary.
func (s *Store) publishClasses(ctx context.Context, classes map[string]string) error {
	if s.sums != nil {
		for id, class := range classes {
			if sum, ok := s.sums.get(id); ok {
				sum.PublishedClass = class
				s.sums.put(sum)
			}
		}
		return nil
	}
	var models []mongo.WriteModel
	for id, class := range classes {
		models = append(models, mongo.NewUpdateOneModel().SetFilter(bson.D{{Key: "_id", Value: id}}).
			SetUpdate(bson.D{{Key: "$set", Value: bson.D{{Key: "published_class", Value: class}}}}))
	}
	_, err := s.bulkWrite(ctx, s.summaries(), models)
	return err
}
