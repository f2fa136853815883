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

// States of an outgoing message.
const (
	MessageQueued  = "queued"  // waiting for its next attempt (or for SMTP to be configured)
	MessageSending = "sending" // claimed by a sender; taken back once its lease has passed
	MessageSent    = "sent"    // the SMTP server accepted it
	MessageFailed  = "failed"  // every attempt failed; kept for the outbox page
)

// Message is one e-mail in the outbox. Its _id is its idempotency key
// (event, recipient and object), so the same message is queued at most once.
type Message struct {
	ID        string     `bson:"_id"`
	Event     string     `bson:"event"`
	UserID    string     `bson:"user_id"`
	To        string     `bson:"to"`
	CallID    string     `bson:"call_id,omitempty"`
	Subject   string     `bson:"subject"`
	Body      string     `bson:"body"`
	State     string     `bson:"state"`
	Attempts  int        `bson:"attempts"`
	NextAt    time.Time  `bson:"next_at"` // when it may be attempted (for a claim: when its lease ends)
	LastError string     `bson:"last_error,omitempty"`
	CreatedAt time.Time  `bson:"created_at"`
	SentAt    *time.Time `bson:"sent_at,omitempty"`
	// Version moves by one with every write after the insert: claims and
	// their outcomes are compare-and-sets on it.
	Version int64 `bson:"version"`
}

func (s *Store) outbox() *mongo.Collection { return s.db.Collection("outbox") }

// EnqueueMessage inserts m as queued. It reports false, and no error, when
// a message with the same key is already in the outbox (whatever its state):
// a message is queued at most once.
func (s *Store) EnqueueMessage(ctx context.Context, m *Message) (bool, error) {
	if m.ID == "" {
		return false, errors.New("enqueue a message: it has no key")
	}
	m.State, m.Attempts, m.Version = MessageQueued, 0, 0
	if m.CreatedAt.IsZero() {
		m.CreatedAt = time.Now().UTC().Truncate(time.Millisecond)
	}
	if m.NextAt.IsZero() {
		m.NextAt = m.CreatedAt
	}
	var err error
	if s.embedded {
		err = s.enqueueTogether(m)
	} else {
		err = s.insertOne(ctx, s.outbox(), m)
	}
	if errors.Is(err, apperr.ErrDuplicate) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("enqueue message %s: %w", m.ID, err)
	}
	return true, nil
}

// enqueueTogether inserts m with whatever other messages are waiting
// (batch.Batcher) and returns m's own outcome (apperr.ErrDuplicate when its
// key is taken): on the embedded engine the outbox is in the main
// database, whose file commits one writer at a time, and the operations
// that queue a message (a submission's receipt) would otherwise each wait
// for a commit of their own.
func (s *Store) enqueueTogether(m *Message) error { return s.outq.Do(m) }

// insertMessages inserts ms in one unordered insert and returns each one's error.
func (s *Store) insertMessages(ms []*Message) []error {
	ctx, cancel := context.WithTimeout(context.Background(), writeTimeout)
	defer cancel()
	docs := make([]any, len(ms))
	for i, m := range ms {
		docs[i] = m
	}
	return s.insertEach(ctx, s.outbox(), docs)
}

// MessageByID returns one message, or apperr.ErrNotFound.
func (s *Store) MessageByID(ctx context.Context, id string) (*Message, error) {
	var m Message
	if err := s.outbox().FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&m); err != nil {
		return nil, notFound(err, "message "+id)
	}
	return &m, nil
}

// HasMessage reports whether a message with key id is in the outbox (an _id look-up).
func (s *Store) HasMessage(ctx context.Context, id string) (bool, error) {
	_, err := s.MessageByID(ctx, id)
	if IsNotFound(err) {
		return false, nil
	}
	return err == nil, err
}

// MessageDue is a message waiting to be sent, as the sender's scan sees it.
type MessageDue struct {
	ID     string    `bson:"_id"`
	NextAt time.Time `bson:"next_at"`
}

// DueMessages lists the queued messages and the claims whose sender may
// have stopped (state sending), with when each may be attempted. The
// sender calls it at start and now and then; between scans it keeps its
// own queue of ids.
func (s *Store) DueMessages(ctx context.Context) ([]MessageDue, error) {
	cur, err := s.outbox().Find(ctx, bson.D{{Key: "state", Value: bson.D{{Key: "$in", Value: bson.A{MessageQueued, MessageSending}}}}},
		options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}, {Key: "next_at", Value: 1}}))
	if err != nil {
		return nil, wrapDB(err)
	}
	var out []MessageDue
	if err := cur.All(ctx, &out); err != nil {
		return nil, wrapDB(err)
	}
	return out, nil
}

// Messages lists the outbox, newest first, in one state when state is not
// empty, at most limit of them, and how many match in all.
func (s *Store) Messages(ctx context.Context, state string, limit int) ([]*Message, int64, error) {
	q := bson.D{}
	if state != "" {
		q = bson.D{{Key: "state", Value: state}}
	}
	total, err := s.outbox().CountDocuments(ctx, q)
	if err != nil {
		return nil, 0, wrapDB(err)
	}
	cur, err := s.outbox().Find(ctx, q, options.Find().SetSort(bson.D{{Key: "created_at", Value: -1}, {Key: "_id", Value: 1}}).SetLimit(int64(limit)))
	if err != nil {
		return nil, 0, wrapDB(err)
	}
	out := []*Message{}
	if err := cur.All(ctx, &out); err != nil {
		return nil, 0, wrapDB(err)
	}
	return out, total, nil
}

// ClaimMessage takes message id for one attempt, if it is due at now: a
// queued message whose next_at has come, or a claim whose lease ended (its
// sender stopped mid-attempt). The claim is a compare-and-set by _id on the
// message's version; the claimed message is returned, with next_at moved to
// now+lease. It answers (nil, nil) when the message is not due or another
// sender took it.
func (s *Store) ClaimMessage(ctx context.Context, id string, now time.Time, lease time.Duration) (*Message, error) {
	m, err := s.MessageByID(ctx, id)
	if err != nil {
		if IsNotFound(err) {
			return nil, nil
		}
		return nil, err
	}
	if !due(m.State, m.NextAt, now) {
		return nil, nil
	}
	check := func(raw bson.Raw) bool {
		var cur Message
		return bson.Unmarshal(raw, &cur) == nil && cur.Version == m.Version && due(cur.State, cur.NextAt, now)
	}
	filter := bson.D{{Key: "_id", Value: id}, {Key: "version", Value: m.Version}, {Key: "state", Value: m.State}}
	update := bson.D{{Key: "$set", Value: bson.D{{Key: "state", Value: MessageSending},
		{Key: "next_at", Value: now.Add(lease).UTC().Truncate(time.Millisecond)}}},
		{Key: "$inc", Value: bson.D{{Key: "version", Value: int64(1)}}}}
	var out Message
	if err := s.casUpdate(ctx, s.outbox(), id, filter, check, "version", update, &out, nil); err != nil {
		if errors.Is(err, mongo.ErrNoDocuments) {
			return nil, nil
		}
		return nil, fmt.Errorf("claim message %s: %w", id, err)
	}
	return &out, nil
}

func due(state string, next, now time.Time) bool {
	return (state == MessageQueued || state == MessageSending) && !next.After(now)
}

// MessageOutcome is the result of one attempt, recorded on the claimed message.
type MessageOutcome struct {
	Sent   bool
	At     time.Time
	Error  string    // why the attempt failed
	Retry  time.Time // when to try again; zero when no attempt is left (failed)
	SentAt time.Time // when Sent: the server's acceptance
}

// FinishMessage records the outcome of the attempt on claimed, if the claim
// is still its own (nobody took the message over after its lease): sent,
// queued again for a later attempt, or failed. It reports whether it did.
func (s *Store) FinishMessage(ctx context.Context, claimed *Message, o MessageOutcome) (bool, error) {
	set := bson.D{}
	switch {
	case o.Sent:
		set = append(set, bson.E{Key: "state", Value: MessageSent}, bson.E{Key: "sent_at", Value: o.At.UTC().Truncate(time.Millisecond)},
			bson.E{Key: "last_error", Value: ""})
	case o.Retry.IsZero():
		set = append(set, bson.E{Key: "state", Value: MessageFailed}, bson.E{Key: "last_error", Value: o.Error})
	default:
		set = append(set, bson.E{Key: "state", Value: MessageQueued}, bson.E{Key: "last_error", Value: o.Error},
			bson.E{Key: "next_at", Value: o.Retry.UTC().Truncate(time.Millisecond)})
	}
	check := func(raw bson.Raw) bool {
		v, _ := raw.Lookup("version").AsInt64OK()
		st, _ := raw.Lookup("state").StringValueOK()
		return v == claimed.Version && st == MessageSending
	}
	filter := bson.D{{Key: "_id", Value: claimed.ID}, {Key: "version", Value: claimed.Version}, {Key: "state", Value: MessageSending}}
	update := bson.D{{Key: "$set", Value: set}, {Key: "$inc", Value: bson.D{{Key: "version", Value: int64(1)}, {Key: "attempts", Value: 1}}}}
	var out Message
	if err := s.casUpdate(ctx, s.outbox(), claimed.ID, filter, check, "version", update, &out, nil); err != nil {
		if errors.Is(err, mongo.ErrNoDocuments) {
			return false, nil
		}
		return false, fmt.Errorf("record the attempt on message %s: %w", claimed.ID, err)
	}
	return true, nil
}
