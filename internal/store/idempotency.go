package store

import (
	"context"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"cocreate/internal/apperr"
)

// IdemRecord is the first answer to a request made with an idempotency key
// (API header or page form token). Pending records are being answered now.
type IdemRecord struct {
	ID          string    `bson:"_id"`         // caller + route + key
	Fingerprint string    `bson:"fingerprint"` // hash of the request, so a reused key with another request is caught
	Pending     bool      `bson:"pending"`
	Status      int       `bson:"status"`
	ContentType string    `bson:"content_type,omitempty"`
	Location    string    `bson:"location,omitempty"`
	Body        []byte    `bson:"body,omitempty"`
	CreatedAt   time.Time `bson:"created_at"`
}

// ClaimIdempotency claims id for a request with the given fingerprint. It
// returns (nil, true) when the caller should act, or the existing record
// (maybe still pending) when not. apperr.ErrNotFound means the record was
// released between the two steps: try again.
func (s *Store) ClaimIdempotency(ctx context.Context, id, fingerprint string, now time.Time) (*IdemRecord, bool, error) {
	err := s.insertOne(ctx, s.idem, IdemRecord{ID: id, Fingerprint: fingerprint, Pending: true, CreatedAt: now})
	if err == nil {
		return nil, true, nil
	}
	if !errors.Is(err, apperr.ErrDuplicate) {
		return nil, false, err
	}
	var r IdemRecord
	if err := s.idem.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&r); err != nil {
		return nil, false, notFound(err, "idempotency record")
	}
	return &r, false, nil
}

// CompleteIdempotency stores the answer for a claimed id.
func (s *Store) CompleteIdempotency(ctx context.Context, r IdemRecord) error {
	r.Pending = false
	_, err := s.replaceOne(ctx, s.idem, bson.D{{Key: "_id", Value: r.ID}}, r)
	return err
}

// ReleaseIdempotency forgets a claim whose request failed in a way worth retrying.
func (s *Store) ReleaseIdempotency(ctx context.Context, id string) error {
	_, err := s.deleteOne(ctx, s.idem, bson.D{{Key: "_id", Value: id}})
	return err
}

// IdempotencyRecord reads a record, or apperr.ErrNotFound.
func (s *Store) IdempotencyRecord(ctx context.Context, id string) (*IdemRecord, error) {
	var r IdemRecord
	if err := s.idem.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&r); err != nil {
		return nil, notFound(err, "idempotency record")
	}
	return &r, nil
}

// PurgeIdempotency deletes records created before cutoff.
func (s *Store) PurgeIdempotency(ctx context.Context, cutoff time.Time) (int64, error) {
	return s.deleteMany(ctx, s.idem, bson.D{{Key: "created_at", Value: bson.D{{Key: "$lt", Value: cutoff}}}})
}
