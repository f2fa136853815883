package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"cocreate/internal/apperr"
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

// RecordSignInFailure counts one failure for key, starting a new window when
// there is none or the old one has passed. Concurrent failures all count:
// a window is started by insert (only one can win) or by restarting the
// expired one in a compare-and-set on its start; a loser counts in the
// window the winner started.
func (s *Store) RecordSignInFailure(ctx context.Context, key string, now time.Time, window time.Duration) error {
	cutoff := now.Add(-window)
	for range 5 {
		res, err := s.updateOne(ctx, s.throttle,
			bson.D{{Key: "_id", Value: key}, {Key: "since", Value: bson.D{{Key: "$gt", Value: cutoff}}}},
			bson.D{{Key: "$inc", Value: bson.D{{Key: "count", Value: 1}}}})
		if err != nil || res.MatchedCount == 1 {
			return err
		}
		err = s.insertOne(ctx, s.throttle, failureDoc{Key: key, Count: 1, Since: now})
		if !errors.Is(err, apperr.ErrDuplicate) {
			return err
		}
		res, err = s.updateOne(ctx, s.throttle,
			bson.D{{Key: "_id", Value: key}, {Key: "since", Value: bson.D{{Key: "$lte", Value: cutoff}}}},
			bson.D{{Key: "$set", Value: bson.D{{Key: "count", Value: 1}, {Key: "since", Value: now}}}})
		if err != nil || res.MatchedCount == 1 {
			return err
		}
	}
	return fmt.Errorf("count a failed sign-in for %s: the window kept changing", key)
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
