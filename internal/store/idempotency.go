package store

import (
	"context"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"cocreate/internal/apperr"
)

// IdemRecord is the first answer to a request made with an idempotency key
// (API header or page form token), or, on MongoDB, a claim on the key by a
// request being answered now (Pending).
type IdemRecord struct {
	ID          string    `bson:"_id"`         // caller + route + key
	Fingerprint string    `bson:"fingerprint"` // hash of the request, so a reused key with another request is caught
	Pending     bool      `bson:"pending"`
	Status      int       `bson:"status"`
	ContentType string    `bson:"content_type,omitempty"`
	Location    string    `bson:"location,omitempty"`
	Body        []byte    `bson:"body,omitempty"`
	CreatedAt   time.Time `bson:"created_at"`
	// A pending claim names the process that holds it (a boot id drawn at
	// start), the claim itself (a token, so that only one request can take
	// an abandoned claim over), and when it was made.
	Boot      string    `bson:"boot,omitempty"`
	Token     string    `bson:"token,omitempty"`
	ClaimedAt time.Time `bson:"claimed_at,omitempty"`
}

// IdemClaim asks for the key ID for one request. The caller must already
// hold the key within its own process (no other request of the process is
// answering it): the store settles it between processes.
type IdemClaim struct {
	ID, Fingerprint string
	Boot            string        // the claiming process
	Token           string        // this claim, unique
	Now             time.Time     // when the claim is made
	Lease           time.Duration // how long a request may take; an older claim is no longer running
}

// ClaimIdempotency claims a key. It returns (nil, true) when the caller
// should answer the request, or the stored record when not: a first answer
// to replay, or a claim another process holds and may still be answering.
//
// On the embedded engine one process owns the data, and the caller holds the
// key within it, so nothing else can be answering the request: the claim is
// one read by _id, and a pending record (left by a process that stopped) is
// free to take. A request cut short leaves nothing that blocks its retry,
// and the retry recognises an effect that already happened from the data
// itself (the note's history, a draft's id: see replay.go).
//
// On MongoDB several processes may share the database, so the claim is an
// insert of a pending record; a pending record is taken over (compare-and-set
// on its token, one taker) when this process made it (its request has ended:
// the caller holds the key) or when it is older than the lease.
func (s *Store) ClaimIdempotency(ctx context.Context, c IdemClaim) (*IdemRecord, bool, error) {
	if s.embedded {
		r, err := s.IdempotencyRecord(ctx, c.ID)
		switch {
		case errors.Is(err, apperr.ErrNotFound):
			return nil, true, nil
		case err != nil:
			return nil, false, err
		case r.Pending && r.Fingerprint == c.Fingerprint:
			return nil, true, nil
		}
		return r, false, nil
	}
	claim := IdemRecord{ID: c.ID, Fingerprint: c.Fingerprint, Pending: true, CreatedAt: c.Now,
		Boot: c.Boot, Token: c.Token, ClaimedAt: c.Now}
	for range 3 {
		err := s.insertOne(ctx, s.idem, claim)
		if err == nil {
			return nil, true, nil
		}
		if !errors.Is(err, apperr.ErrDuplicate) {
			return nil, false, err
		}
		r, err := s.IdempotencyRecord(ctx, c.ID)
		if errors.Is(err, apperr.ErrNotFound) {
			continue // released between the insert and the read
		}
		if err != nil {
			return nil, false, err
		}
		if !r.Pending || r.Fingerprint != c.Fingerprint || !Abandoned(r, c.Boot, c.Now, c.Lease) {
			return r, false, nil
		}
		res, err := s.updateOne(ctx, s.idem, bson.D{{Key: "_id", Value: c.ID}, {Key: "pending", Value: true}, {Key: "token", Value: r.Token}},
			bson.D{{Key: "$set", Value: bson.D{{Key: "boot", Value: c.Boot}, {Key: "token", Value: c.Token}, {Key: "claimed_at", Value: c.Now}}}})
		if err != nil {
			return nil, false, err
		}
		if res.MatchedCount == 1 {
			return nil, true, nil
		}
		// Another request took it over, completed or released it: look again.
	}
	r, err := s.IdempotencyRecord(ctx, c.ID)
	if err != nil {
		return nil, false, err
	}
	return r, false, nil
}

// Abandoned reports whether a pending claim's request is no longer
// running, seen from process boot at now: boot made it (and, holding the key
// in process, is not answering it any more), or it is older than lease.
func Abandoned(r *IdemRecord, boot string, now time.Time, lease time.Duration) bool {
	return r.Boot == boot || now.Sub(r.ClaimedAt) > lease
}

// CompleteIdempotency stores the first answer of a claimed key: on the
// embedded engine one insert (a replace when a stopped process left a
// pending record); on MongoDB it replaces the claim, if it is still this
// request's (a request that outlived its lease and was taken over leaves
// the answer to the taker).
func (s *Store) CompleteIdempotency(ctx context.Context, r IdemRecord) error {
	token := r.Token
	r.Pending, r.Boot, r.Token, r.ClaimedAt = false, "", "", time.Time{}
	if s.embedded {
		err := s.insertOne(ctx, s.idem, r)
		if !errors.Is(err, apperr.ErrDuplicate) {
			return err
		}
		_, err = s.replaceOne(ctx, s.idem, bson.D{{Key: "_id", Value: r.ID}}, r)
		return err
	}
	_, err := s.replaceOne(ctx, s.idem, bson.D{{Key: "_id", Value: r.ID}, {Key: "token", Value: token}}, r)
	return err
}

// CompleteIdempotencyBatch stores several first answers, each as
// CompleteIdempotency would, and returns one error per record. On the
// embedded engine they are one insert, which the engine commits once:
// answers of concurrent requests share a commit to the main database's file
// instead of queueing for it one by one.
func (s *Store) CompleteIdempotencyBatch(ctx context.Context, rs []IdemRecord) []error {
	errs := make([]error, len(rs))
	if !s.embedded || len(rs) == 1 {
		for i, r := range rs {
			errs[i] = s.CompleteIdempotency(ctx, r)
		}
		return errs
	}
	docs := make([]any, len(rs))
	for i, r := range rs {
		r.Pending, r.Boot, r.Token, r.ClaimedAt = false, "", "", time.Time{}
		rs[i], docs[i] = r, r
	}
	// Unordered: a record that meets a stopped process's pending claim
	// fails alone and is replaced.
	for i, err := range s.insertEach(ctx, s.idem, docs) {
		if errors.Is(err, apperr.ErrDuplicate) {
			_, err = s.replaceOne(ctx, s.idem, bson.D{{Key: "_id", Value: rs[i].ID}}, rs[i])
		}
		errs[i] = err
	}
	return errs
}

// ReleaseIdempotency forgets this request's claim (MongoDB; the embedded
// engine stores no claim), so that a retry runs again.
func (s *Store) ReleaseIdempotency(ctx context.Context, id, token string) error {
	if s.embedded {
		return nil
	}
	_, err := s.deleteOne(ctx, s.idem, bson.D{{Key: "_id", Value: id}, {Key: "token", Value: token}})
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
