package store

import (
	"context"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// failureDoc counts failed sign-ins for one key (an e-mail or an address)
// within a window that starts at the first failure.
type failureDoc struct {
	Key   string    `bson:"_id"`
	Count int       `bson:"count"`
	Since time.Time `bson:"since"`
}

// SignInFailures returns how many failures key has in the window ending now,
// and when that window ends.
func (s *Store) SignInFailures(ctx context.Context, key string, now time.Time, window time.Duration) (int, time.Time, error) {
	var d failureDoc
	err := s.throttle.FindOne(ctx, bson.D{{Key: "_id", Value: key}}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return 0, time.Time{}, nil
	}
	if err != nil {
		return 0, time.Time{}, wrapDB(err)
	}
	if now.Sub(d.Since) >= window {
		return 0, time.Time{}, nil
	}
	return d.Count, d.Since.Add(window), nil
}

// RecordSignInFailure counts one failure for key, starting a new window when the old one has passed.
func (s *Store) RecordSignInFailure(ctx context.Context, key string, now time.Time, window time.Duration) error {
	filter := bson.D{{Key: "_id", Value: key}}
	// Expired window: restart it. Otherwise increment.
	res, err := s.updateOne(ctx, s.throttle,
		bson.D{{Key: "_id", Value: key}, {Key: "since", Value: bson.D{{Key: "$gt", Value: now.Add(-window)}}}},
		bson.D{{Key: "$inc", Value: bson.D{{Key: "count", Value: 1}}}})
	if err != nil {
		return err
	}
	if res.MatchedCount == 1 {
		return nil
	}
	_, err = s.replaceOne(ctx, s.throttle, filter, failureDoc{Key: key, Count: 1, Since: now}, options.Replace().SetUpsert(true))
	return err
}

// ClearSignInFailures forgets key's failures (after a successful sign-in).
func (s *Store) ClearSignInFailures(ctx context.Context, key string) error {
	_, err := s.deleteOne(ctx, s.throttle, bson.D{{Key: "_id", Value: key}})
	return err
}

// PurgeSignInFailures deletes windows that started before cutoff.
func (s *Store) PurgeSignInFailures(ctx context.Context, cutoff time.Time) (int64, error) {
	return s.deleteMany(ctx, s.throttle, bson.D{{Key: "since", Value: bson.D{{Key: "$lt", Value: cutoff}}}})
}
