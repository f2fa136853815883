package store

import (
	"context"
	"errors"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// index is one secondary index. On the embedded engine only _id look-ups
// are pushed down, but a real MongoDB uses these.
type index struct {
	coll   *mongo.Collection
	keys   bson.D
	unique bool
}

func (s *Store) indexes() []index {
	var notes []index
	for _, c := range s.noteColls {
		notes = append(notes,
			index{c, bson.D{{Key: "call_id", Value: 1}, {Key: "state", Value: 1}}, false},
			index{c, bson.D{{Key: "owner", Value: 1}, {Key: "updated_at", Value: -1}}, false})
		if !s.embedded { // EachNote's order; the embedded engine sorts in Go and would only pay for it on every write
			notes = append(notes, index{c, bson.D{{Key: "call_id", Value: 1}, {Key: "created_at", Value: 1}, {Key: "_id", Value: 1}}, false})
		}
	}
	return append(notes, []index{
		{s.users, bson.D{{Key: "email", Value: 1}}, true},
		{s.users, bson.D{{Key: "roles", Value: 1}}, false},
		{s.sessions, bson.D{{Key: "user_id", Value: 1}}, false},
		{s.sessions, bson.D{{Key: "expires_at", Value: 1}}, false},
		{s.throttle, bson.D{{Key: "since", Value: 1}}, false},
		{s.idem, bson.D{{Key: "created_at", Value: 1}}, false},
		{s.calls, bson.D{{Key: "slug", Value: 1}}, true},
		{s.summaries(), bson.D{{Key: "call_id", Value: 1}, {Key: "state", Value: 1}}, false},
		{s.summaries(), bson.D{{Key: "owner", Value: 1}}, false},
		{s.summaries(), bson.D{{Key: "reviewers", Value: 1}}, false},
		{s.reviews, bson.D{{Key: "call_id", Value: 1}}, false},
		{s.reviews, bson.D{{Key: "note_id", Value: 1}}, false},
		{s.comments, bson.D{{Key: "note_id", Value: 1}, {Key: "at", Value: 1}}, false},
		{s.outbox(), bson.D{{Key: "state", Value: 1}, {Key: "created_at", Value: -1}}, false},
		{s.openingsColl(), bson.D{{Key: "call_id", Value: 1}, {Key: "at", Value: 1}}, false},
		// Training programme (training.go)
		{s.attendance(), bson.D{{Key: "call_id", Value: 1}}, false},
		{s.certificates(), bson.D{{Key: "call_id", Value: 1}, {Key: "user_id", Value: 1}}, true},
		{s.chunks(), bson.D{{Key: "file_id", Value: 1}}, false},
	}...)
}

// ensureIndexes creates every index; creating an existing one is a no-op.
func (s *Store) ensureIndexes(ctx context.Context) error {
	for _, ix := range s.indexes() {
		m := mongo.IndexModel{Keys: ix.keys}
		if ix.unique {
			m.Options = options.Index().SetUnique(true)
		}
		if _, err := ix.coll.Indexes().CreateOne(ctx, m); err != nil {
			return fmt.Errorf("create index on %s %v: %w", ix.coll.Name(), ix.keys, wrapDB(err))
		}
	}
	return nil
}

// ensureCollections creates the collections that have no secondary index,
// so that every collection exists before Options.Prepare runs.
func (s *Store) ensureCollections(ctx context.Context) error {
	have, err := s.db.ListCollectionNames(ctx, bson.D{})
	if err != nil {
		return fmt.Errorf("list collections: %w", wrapDB(err))
	}
	exists := map[string]bool{}
	for _, n := range have {
		exists[n] = true
	}
	for _, c := range []*mongo.Collection{s.users, s.emails, s.sessions, s.throttle, s.idem, s.counters,
		s.calls, s.reviews, s.comments, s.summaries(), s.outbox(), s.openingsColl(), s.programmes(), s.files()} {
		if exists[c.Name()] {
			continue
		}
		if err := s.db.CreateCollection(ctx, c.Name()); err != nil && !isNamespaceExists(err) {
			return fmt.Errorf("create collection %s: %w", c.Name(), wrapDB(err))
		}
	}
	// The notes collections got their indexes already, which creates them.
	return nil
}

func isNamespaceExists(err error) bool {
	var se mongo.ServerError
	return errors.As(err, &se) && se.HasErrorCode(48)
}
