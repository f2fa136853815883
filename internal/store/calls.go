package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"cocreate/internal/apperr"
	"cocreate/internal/review"
)

// Call is a call for concept notes. Its status (upcoming, open, closed) is
// derived from the clock, never stored.
type Call struct {
	ID               string             `bson:"_id"`
	Slug             string             `bson:"slug"`
	Title            string             `bson:"title"`
	Description      string             `bson:"description"`
	RefPrefix        string             `bson:"ref_prefix"`
	OpensAt          time.Time          `bson:"opens_at"`
	ClosesAt         time.Time          `bson:"closes_at"`
	PlanStart        string             `bson:"plan_start"` // YYYY-MM
	PlanEnd          string             `bson:"plan_end"`   // YYYY-MM
	TimeZone         string             `bson:"time_zone"`
	ReviewersPerNote int                `bson:"reviewers_per_note"`
	MinReviews       int                `bson:"min_reviews"`
	BlindReview      bool               `bson:"blind_review"`
	Criteria         []review.Criterion `bson:"criteria"`
	WordLimits       map[string]int     `bson:"word_limits"`
	ReviewDue        *time.Time         `bson:"review_due,omitempty"`
	ReminderDays     int                `bson:"reminder_days"`
	RequiresTraining bool               `bson:"requires_training"`
	// RequiresVerifiedEmail refuses submission from an account whose e-mail
	// address is not verified. A call stored without the field requires it
	// (the default): see VerifiedEmailRequired.
	RequiresVerifiedEmail *bool      `bson:"requires_verified_email,omitempty"`
	PublishedAt           *time.Time `bson:"published_at,omitempty"`
	// ContactEmail is the call coordinator's address, shown to the public
	// and to participants for questions ("" for none).
	ContactEmail string `bson:"contact_email,omitempty"`
	// Rev increases with every change to any of the call's notes or reviews,
	// so derived views (the dashboard) can be cached until it moves.
	Rev       int64     `bson:"rev"`
	Version   int       `bson:"version"`
	CreatedAt time.Time `bson:"created_at"`
	UpdatedAt time.Time `bson:"updated_at"`
}

// Status is "upcoming", "open" or "closed" at now. Open includes the opening
// instant and excludes the closing one.
func (c *Call) Status(now time.Time) string {
	switch {
	case now.Before(c.OpensAt):
		return "upcoming"
	case now.Before(c.ClosesAt):
		return "open"
	}
	return "closed"
}

// VerifiedEmailRequired reports whether submitting to the call needs a
// verified e-mail address: yes unless the call says otherwise.
func (c *Call) VerifiedEmailRequired() bool {
	return c.RequiresVerifiedEmail == nil || *c.RequiresVerifiedEmail
}

// Location is the call's time zone (UTC when it cannot be loaded).
func (c *Call) Location() *time.Location {
	if loc, err := time.LoadLocation(c.TimeZone); err == nil {
		return loc
	}
	return time.UTC
}

// CreateCall inserts c; a taken slug is apperr.ErrDuplicate.
func (s *Store) CreateCall(ctx context.Context, c *Call) error {
	if c.ID == "" {
		c.ID = NewID()
	}
	now := time.Now().UTC().Truncate(time.Millisecond)
	c.CreatedAt, c.UpdatedAt, c.Version = now, now, 1
	return s.insertOne(ctx, s.calls, c)
}

// CallByID returns the call, or apperr.ErrNotFound.
func (s *Store) CallByID(ctx context.Context, id string) (*Call, error) {
	var c Call
	if err := s.findByID(ctx, s.calls, id, &c); err != nil {
		return nil, notFound(err, "call "+id)
	}
	return s.withRev(&c), nil
}

// CallBySlug returns the call with that slug, or apperr.ErrNotFound.
func (s *Store) CallBySlug(ctx context.Context, slug string) (*Call, error) {
	var c Call
	if err := s.calls.FindOne(ctx, bson.D{{Key: "slug", Value: slug}}).Decode(&c); err != nil {
		return nil, notFound(err, "call "+slug)
	}
	return s.withRev(&c), nil
}

// ListCalls returns every call, newest opening first.
func (s *Store) ListCalls(ctx context.Context) ([]*Call, error) {
	cur, err := s.calls.Find(ctx, bson.D{}, options.Find().SetSort(bson.D{{Key: "opens_at", Value: -1}}))
	if err != nil {
		return nil, wrapDB(err)
	}
	var out []*Call
	if err := cur.All(ctx, &out); err != nil {
		return nil, wrapDB(err)
	}
	for _, c := range out {
		s.withRev(c)
	}
	return out, nil
}

// CountCalls returns how many calls exist.
func (s *Store) CountCalls(ctx context.Context) (int64, error) {
	n, err := s.calls.CountDocuments(ctx, bson.D{})
	return n, wrapDB(err)
}

// BumpCallRev marks that something under the call changed: the summaries
// of noteIDs, or of notes unknown when none are named.
func (s *Store) BumpCallRev(ctx context.Context, callID string, noteIDs ...string) error {
	if s.embedded {
		// One process owns the embedded engine (the data-directory lock), so
		// the revision can live in that process: a write saved on every
		// note change. Readers see the stored value plus this count.
		s.revMu.Lock()
		if s.revs == nil {
			s.revs = map[string]int64{}
		}
		s.revs[callID]++
		s.logChanges(callID, noteIDs)
		s.revMu.Unlock()
		return nil
	}
	_, err := s.updateOne(ctx, s.calls, bson.D{{Key: "_id", Value: callID}},
		bson.D{{Key: "$inc", Value: bson.D{{Key: "rev", Value: int64(1)}}}})
	return err
}

// changeLog lists, in order, the notes whose summaries changed in a call:
// change number start+i changed ids[i] ("" for notes unknown).
type changeLog struct {
	start int64
	ids   []string
}

// maxChanges bounds each call's change log; older changes are forgotten.
const maxChanges = 20000

// logChanges appends to the call's change log; revMu must be held.
func (s *Store) logChanges(callID string, noteIDs []string) {
	if s.changes == nil {
		s.changes = map[string]*changeLog{}
	}
	l := s.changes[callID]
	if l == nil {
		l = &changeLog{}
		s.changes[callID] = l
	}
	if len(noteIDs) == 0 {
		noteIDs = []string{""}
	}
	l.ids = append(l.ids, noteIDs...)
	if over := len(l.ids) - maxChanges; over > 0 {
		l.ids = append([]string(nil), l.ids[over:]...)
		l.start += int64(over)
	}
}

// ChangesSince returns the notes of the call whose summaries changed after
// change number since, and the current change number. ok is false when the
// log cannot tell: on MongoDB (other processes write too), after a change
// of unknown notes, or when since is older than the log keeps. A caller
// that keeps a view of the summaries re-reads just these, by _id.
func (s *Store) ChangesSince(callID string, since int64) (ids []string, now int64, ok bool) {
	if !s.embedded {
		return nil, 0, false
	}
	s.revMu.Lock()
	defer s.revMu.Unlock()
	l := s.changes[callID]
	if l == nil {
		return nil, 0, since == 0
	}
	now = l.start + int64(len(l.ids))
	if since < l.start || since > now {
		return nil, now, false
	}
	seen := map[string]bool{}
	for _, id := range l.ids[since-l.start:] {
		if id == "" {
			return nil, now, false
		}
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	return ids, now, true
}

// withRev adds the in-process revisions of the embedded engine to c.Rev.
func (s *Store) withRev(c *Call) *Call {
	if s.embedded && c != nil {
		s.revMu.Lock()
		c.Rev += s.revs[c.ID]
		s.revMu.Unlock()
	}
	return c
}

// SetCallPublished records when results were published.
func (s *Store) SetCallPublished(ctx context.Context, callID string, at time.Time) error {
	if _, err := s.updateOne(ctx, s.calls, bson.D{{Key: "_id", Value: callID}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "published_at", Value: at}}}}); err != nil {
		return err
	}
	return s.BumpCallRev(ctx, callID)
}

// callSettings is the $set of every setting a coordinator may change.
func callSettings(c *Call) bson.D {
	return bson.D{
		{Key: "slug", Value: c.Slug}, {Key: "title", Value: c.Title}, {Key: "description", Value: c.Description},
		{Key: "ref_prefix", Value: c.RefPrefix}, {Key: "opens_at", Value: c.OpensAt}, {Key: "closes_at", Value: c.ClosesAt},
		{Key: "plan_start", Value: c.PlanStart}, {Key: "plan_end", Value: c.PlanEnd}, {Key: "time_zone", Value: c.TimeZone},
		{Key: "reviewers_per_note", Value: c.ReviewersPerNote}, {Key: "min_reviews", Value: c.MinReviews},
		{Key: "blind_review", Value: c.BlindReview}, {Key: "criteria", Value: c.Criteria}, {Key: "word_limits", Value: c.WordLimits},
		{Key: "review_due", Value: c.ReviewDue}, {Key: "reminder_days", Value: c.ReminderDays},
		{Key: "requires_training", Value: c.RequiresTraining},
		{Key: "contact_email", Value: c.ContactEmail},
		{Key: "requires_verified_email", Value: c.VerifiedEmailRequired()},
	}
}

// UpdateCall stores the settings of c (those a coordinator may change) on
// call id when its version is still version, bumps the version and returns
// the call after the change; a moved version is apperr.ErrStaleVersion and
// a taken slug apperr.ErrDuplicate. Unlike ReplaceCall it leaves rev and
// published_at alone, which other writers move.
func (s *Store) UpdateCall(ctx context.Context, id string, version int, c *Call) (*Call, error) {
	set := callSettings(c)
	for _, e := range set {
		if e.Key != "slug" {
			continue
		}
		// FerretDB 1.24 reports a unique-index violation inside findAndModify
		// as an internal error, so a taken slug is looked for first (and the
		// engine's message recognised below, should a race get past this).
		slug, _ := e.Value.(string)
		if other, err := s.CallBySlug(ctx, slug); err == nil && other.ID != id {
			return nil, fmt.Errorf("call slug %s: %w", slug, apperr.ErrDuplicate)
		} else if err != nil && !IsNotFound(err) {
			return nil, err
		}
	}
	set = append(bson.D{{Key: "updated_at", Value: time.Now().UTC().Truncate(time.Millisecond)}}, set...)
	var out Call
	err := s.findOneAndUpdate(ctx, s.calls, bson.D{{Key: "_id", Value: id}, {Key: "version", Value: version}},
		bson.D{{Key: "$set", Value: set}, {Key: "$inc", Value: bson.D{{Key: "version", Value: 1}}}}, &out,
		options.FindOneAndUpdate().SetReturnDocument(options.After))
	if errors.Is(err, mongo.ErrNoDocuments) {
		if _, err := s.CallByID(ctx, id); err != nil {
			return nil, err
		}
		return nil, staleVersion("call " + id)
	}
	if err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed") {
		return nil, fmt.Errorf("update call %s: %w: %v", id, apperr.ErrDuplicate, err)
	}
	if err != nil {
		return nil, fmt.Errorf("update call %s: %w", id, err)
	}
	return s.withRev(&out), nil
}
