package store

import (
	"context"
	"fmt"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Opening records that a committee member opened a note's screening form:
// the screening queue shows who has a note open, so that two screeners do
// not screen the same note at once. One document per note and member, by
// _id, overwritten at each recorded opening.
type Opening struct {
	ID     string    `bson:"_id"` // note id "/" user id
	NoteID string    `bson:"note_id"`
	CallID string    `bson:"call_id"`
	UserID string    `bson:"user_id"`
	At     time.Time `bson:"at"`
}

func (s *Store) openingsColl() *mongo.Collection { return s.db.Collection("screen_openings") }

// openingMemory holds every opening on the embedded engine, where one
// process makes every change: the queue reads them without a scan.
type openingMemory struct {
	mu     sync.Mutex
	byCall map[string]map[string]Opening // call id → opening id → opening
}

// RecordOpening records that user opened note (of call) at at: one upsert
// by _id. On the embedded engine the write waits for the main database's
// lock like every other, so a caller that must not wait long bounds ctx:
// a write that has not started when ctx ends writes nothing.
func (s *Store) RecordOpening(ctx context.Context, callID, noteID, userID string, at time.Time) error {
	o := Opening{ID: noteID + "/" + userID, NoteID: noteID, CallID: callID, UserID: userID, At: at.UTC().Truncate(time.Millisecond)}
	_, err := s.updateOne(ctx, s.openingsColl(), bson.D{{Key: "_id", Value: o.ID}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "note_id", Value: o.NoteID}, {Key: "call_id", Value: o.CallID},
			{Key: "user_id", Value: o.UserID}, {Key: "at", Value: o.At}}}}, options.UpdateOne().SetUpsert(true))
	if err != nil {
		return fmt.Errorf("record the opening of note %s: %w", noteID, err)
	}
	if m := s.openMem; m != nil {
		m.mu.Lock()
		if m.byCall[callID] == nil {
			m.byCall[callID] = map[string]Opening{}
		}
		m.byCall[callID][o.ID] = o
		m.mu.Unlock()
	}
	return nil
}

// OpeningsSince returns the openings of the call's notes after since, by note id.
func (s *Store) OpeningsSince(ctx context.Context, callID string, since time.Time) (map[string][]Opening, error) {
	out := map[string][]Opening{}
	if m := s.openMem; m != nil {
		m.mu.Lock()
		defer m.mu.Unlock()
		for id, o := range m.byCall[callID] {
			if o.At.After(since) {
				out[o.NoteID] = append(out[o.NoteID], o)
			} else if o.At.Before(since.Add(-24 * time.Hour)) {
				delete(m.byCall[callID], id) // long past: no queue asks for it again
			}
		}
		return out, nil
	}
	cur, err := s.openingsColl().Find(ctx, bson.D{{Key: "call_id", Value: callID}, {Key: "at", Value: bson.D{{Key: "$gt", Value: since}}}})
	if err != nil {
		return nil, wrapDB(err)
	}
	var list []Opening
	if err := cur.All(ctx, &list); err != nil {
		return nil, wrapDB(err)
	}
	for _, o := range list {
		out[o.NoteID] = append(out[o.NoteID], o)
	}
	return out, nil
}

// loadOpenings reads the openings of the last day into memory (embedded engine).
func (s *Store) loadOpenings(ctx context.Context) error {
	m := &openingMemory{byCall: map[string]map[string]Opening{}}
	cur, err := s.openingsColl().Find(ctx, bson.D{{Key: "at", Value: bson.D{{Key: "$gt", Value: time.Now().Add(-24 * time.Hour)}}}})
	if err != nil {
		return fmt.Errorf("read the screening openings: %w", wrapDB(err))
	}
	var list []Opening
	if err := cur.All(ctx, &list); err != nil {
		return fmt.Errorf("read the screening openings: %w", wrapDB(err))
	}
	for _, o := range list {
		if m.byCall[o.CallID] == nil {
			m.byCall[o.CallID] = map[string]Opening{}
		}
		m.byCall[o.CallID][o.ID] = o
	}
	s.openMem = m
	return nil
}
