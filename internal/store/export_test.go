package store

import (
	"context"
	"errors"
	"slices"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// RawInsert inserts a raw document into a scratch collection.
func RawInsert(ctx context.Context, s *Store, coll string, doc any) error {
	return s.insertOne(ctx, s.db.Collection(coll), doc)
}

// RawInc increments a field through the locked helper.
func RawInc(ctx context.Context, s *Store, coll, id, field string) error {
	_, err := s.updateOne(ctx, s.db.Collection(coll), bson.D{{Key: "_id", Value: id}},
		bson.D{{Key: "$inc", Value: bson.D{{Key: field, Value: 1}}}})
	return err
}

// RawCAS moves a document from state/version to next through the locked helper.
func RawCAS(ctx context.Context, s *Store, coll, id, state string, version int, next string) (bool, error) {
	r, err := s.updateOne(ctx, s.db.Collection(coll),
		bson.D{{Key: "_id", Value: id}, {Key: "state", Value: state}, {Key: "version", Value: version}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "state", Value: next}}}, {Key: "$inc", Value: bson.D{{Key: "version", Value: 1}}}})
	if err != nil {
		return false, err
	}
	return r.ModifiedCount == 1, nil
}

// RawCASUpdate moves a document from state/version to next through casUpdate.
func RawCASUpdate(ctx context.Context, s *Store, coll, id, state string, version int, next string) (bool, error) {
	filter := bson.D{{Key: "_id", Value: id}, {Key: "state", Value: state}, {Key: "version", Value: version}}
	check := func(raw bson.Raw) bool {
		v, _ := raw.Lookup("version").AsInt64OK()
		st, _ := raw.Lookup("state").StringValueOK()
		return v == int64(version) && st == state
	}
	var out bson.M
	err := s.casUpdate(ctx, s.db.Collection(coll), id, filter, check, "version",
		bson.D{{Key: "$set", Value: bson.D{{Key: "state", Value: next}}}, {Key: "$inc", Value: bson.D{{Key: "version", Value: 1}}}}, &out, nil)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return false, nil
	}
	return err == nil, err
}

// RawCASReplace moves a document from state/version to next through casReplace.
func RawCASReplace(ctx context.Context, s *Store, coll, id, state string, version int, next string) (bool, error) {
	filter := bson.D{{Key: "_id", Value: id}, {Key: "state", Value: state}, {Key: "version", Value: version}}
	check := func(raw bson.Raw) bool {
		st, _ := raw.Lookup("state").StringValueOK()
		return versionIs(version)(raw) && st == state
	}
	return s.casReplace(ctx, s.db.Collection(coll), id, filter, check,
		bson.D{{Key: "_id", Value: id}, {Key: "state", Value: next}, {Key: "version", Value: version + 1}})
}

// RawSetWhere sets fields on every document filter matches, through the
// locked helper ("notes": in every note collection).
func RawSetWhere(ctx context.Context, s *Store, coll string, filter, set bson.D) error {
	colls := []*mongo.Collection{s.db.Collection(coll)}
	if coll == "notes" {
		colls = s.noteColls
	}
	for _, c := range colls {
		if _, err := s.updateMany(ctx, c, filter, bson.D{{Key: "$set", Value: set}}); err != nil {
			return err
		}
	}
	return nil
}

// NoteColl is the collection that holds note id.
func NoteColl(s *Store, id string) *mongo.Collection { return s.notesOf(id) }

// PutSummary stores a note summary the way every write refreshes one.
func PutSummary(ctx context.Context, s *Store, sum Summary) error { return s.putSummaries(ctx, sum) }

// DB is the main database, for tests that look at the engine itself.
func (s *Store) DB() *mongo.Database { return s.db }

// NoteShard is the index of the note shard that holds the note with id.
func NoteShard(s *Store, id string) int { return slices.Index(s.noteColls, s.notesOf(id)) }
