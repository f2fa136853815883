package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"cocreate/internal/apperr"
)

// AuditEntry is one recorded event (api.md's audit items): what happened,
// to whose account, who did it, from where and when, with details such as
// the filters of an export. The audit collection is append-only: entries
// are inserted and never changed.
type AuditEntry struct {
	ID     string            `bson:"_id" json:"-"`
	Event  string            `bson:"event" json:"event"`     // e.g. "export.shortlist"
	UserID string            `bson:"user_id" json:"user_id"` // the account the event concerns
	By     string            `bson:"by" json:"by"`           // who did it
	IP     string            `bson:"ip" json:"ip"`
	At     time.Time         `bson:"at" json:"at"`
	Detail map[string]string `bson:"detail,omitempty" json:"detail,omitempty"`
}

func (s *Store) audit() *mongo.Collection { return s.db.Collection("audit") }

// AppendAudit records e (its time, when zero, is set here). An entry
// without an ID gets a new one; an entry with one is recorded once, so a
// step that is repeated (a resumed account deletion) records it once. An
// insert has no read half, so it needs no write lock on the embedded engine.
func (s *Store) AppendAudit(ctx context.Context, e AuditEntry) error {
	once := e.ID != ""
	if !once {
		e.ID = NewID()
	}
	if e.At.IsZero() {
		e.At = time.Now()
	}
	e.At = e.At.UTC().Truncate(time.Millisecond)
	if err := s.insertOne(ctx, s.audit(), e); err != nil {
		if once && errors.Is(err, apperr.ErrDuplicate) {
			return nil
		}
		return fmt.Errorf("record %s: %w", e.Event, err)
	}
	return nil
}

// AuditPage returns one page (from 1) of the entries of event (any when
// "") about userID (any when ""), newest first, and how many there are.
func (s *Store) AuditPage(ctx context.Context, event, userID string, page, perPage int) ([]AuditEntry, int64, error) {
	q := bson.D{}
	if event != "" {
		q = append(q, bson.E{Key: "event", Value: event})
	}
	if userID != "" {
		q = append(q, bson.E{Key: "user_id", Value: userID})
	}
	total, err := s.audit().CountDocuments(ctx, q)
	if err != nil {
		return nil, 0, wrapDB(err)
	}
	opts := options.Find().SetSort(bson.D{{Key: "at", Value: -1}, {Key: "_id", Value: -1}}).
		SetSkip(int64((page - 1) * perPage)).SetLimit(int64(perPage))
	cur, err := s.audit().Find(ctx, q, opts)
	if err != nil {
		return nil, 0, wrapDB(err)
	}
	out := []AuditEntry{}
	if err := cur.All(ctx, &out); err != nil {
		return nil, 0, wrapDB(err)
	}
	return out, total, nil
}

// AuditEntries returns the entries of event (any when "") about userID (any
// when ""), newest first, at most limit (all when 0).
func (s *Store) AuditEntries(ctx context.Context, event, userID string, limit int) ([]AuditEntry, error) {
	q := bson.D{}
	if event != "" {
		q = append(q, bson.E{Key: "event", Value: event})
	}
	if userID != "" {
		q = append(q, bson.E{Key: "user_id", Value: userID})
	}
	opts := options.Find().SetSort(bson.D{{Key: "at", Value: -1}, {Key: "_id", Value: -1}})
	if limit > 0 {
		opts.SetLimit(int64(limit))
	}
	cur, err := s.audit().Find(ctx, q, opts)
	if err != nil {
		return nil, wrapDB(err)
	}
	var out []AuditEntry
	if err := cur.All(ctx, &out); err != nil {
		return nil, wrapDB(err)
	}
	return out, nil
}
