package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"cocreate/internal/apperr"
	"cocreate/internal/notes"
	"cocreate/internal/review"
)

// HistoryEntry records one transition or noteworthy action on a note.
// It lives inside the note, so a transition and its entry are one write.
type HistoryEntry struct {
	From   string    `bson:"from"`
	To     string    `bson:"to"`
	Event  string    `bson:"event"`
	By     string    `bson:"by"`      // user id
	ByRole string    `bson:"by_role"` // "owner", "reviewer", "chair", "coordinator", "system"
	At     time.Time `bson:"at"`
	Reason string    `bson:"reason,omitempty"`
	// Request is the digest of the keyed request that made the entry, so
	// that its retry recognises its own effect (replay.go).
	Request string `bson:"request,omitempty"`
}

// Screening is the outcome of checking a note against the basic criteria.
type Screening struct {
	Outcome      string            `bson:"outcome"` // pass, return, fail
	Checklist    map[string]bool   `bson:"checklist"`
	ItemComments map[string]string `bson:"item_comments,omitempty"`
	Comment      string            `bson:"comment,omitempty"`
	Instructions string            `bson:"instructions,omitempty"`
	ReviseBy     string            `bson:"revise_by,omitempty"` // YYYY-MM-DD in the call's zone
	DuplicateOf  string            `bson:"duplicate_of,omitempty"`
	By           string            `bson:"by"`
	At           time.Time         `bson:"at"`
}

// Assignment is a reviewer assigned to score a note.
type Assignment struct {
	ReviewerID  string    `bson:"reviewer_id"`
	Sector      string    `bson:"sector"`
	ReviewState string    `bson:"review_state"` // "assigned", "draft", "submitted"
	At          time.Time `bson:"at"`
}

// Decision is the chair's classification and the reasoned response.
type Decision struct {
	Class      string `bson:"class"`
	ReasonCode string `bson:"reason_code"`
	Rationale  string `bson:"rationale"`
	MergedInto string `bson:"merged_into,omitempty"`
	Override   string `bson:"override_reason,omitempty"`
	// Revised is set when the decision differs from one already published
	// to the owner (or replaces such a revision), so the owner learns that
	// it changed.
	Revised bool      `bson:"revised,omitempty"`
	By      string    `bson:"by"`
	At      time.Time `bson:"at"`
}

// Note is a concept note with its workflow data.
type Note struct {
	ID      string `bson:"_id"`
	CallID  string `bson:"call_id"`
	Ref     string `bson:"ref,omitempty"`
	State   string `bson:"state"`
	Version int    `bson:"version"`
	// Rev counts every write of the note, including those that leave its
	// version alone (assignments, scores, publication): summaries are
	// refreshed only from a note with a higher Rev than theirs, so an older
	// copy never replaces a newer one.
	Rev          int64  `bson:"rev"`
	Owner        string `bson:"owner"`
	notes.Fields `bson:",inline"`

	CreatedAt   time.Time  `bson:"created_at"`
	UpdatedAt   time.Time  `bson:"updated_at"`
	SubmittedAt *time.Time `bson:"submitted_at,omitempty"`

	ReturnedBefore bool           `bson:"returned_before"`
	Screening      *Screening     `bson:"screening,omitempty"`
	Assignments    []Assignment   `bson:"assignments"`
	Conflicts      []string       `bson:"conflicts"` // reviewer ids that declared a conflict
	NeedsReassign  bool           `bson:"needs_reassign"`
	Score          *review.Score  `bson:"score,omitempty"`
	Decision       *Decision      `bson:"decision,omitempty"`
	Published      *Decision      `bson:"published,omitempty"` // the decision as last published to the owner
	History        []HistoryEntry `bson:"history"`
	// Moderation, when hidden, keeps the note out of the public repository.
	Moderation *Moderation `bson:"moderation,omitempty"`
}

// Summary is the small copy of a note that list pages scan. On the embedded
// engine every filter scans and decodes whole documents, so lists read
// these (a few hundred bytes) instead of full notes. It is derived: every
// note write refreshes it, and RebuildSummaries recreates it.
type Summary struct {
	ID            string        `bson:"_id"`
	CallID        string        `bson:"call_id"`
	Owner         string        `bson:"owner"`
	Ref           string        `bson:"ref,omitempty"`
	Title         string        `bson:"title"`
	State         string        `bson:"state"`
	Version       int           `bson:"version"`
	Rev           int64         `bson:"rev"` // the note's Rev this summary was derived from
	PolicyArea    string        `bson:"policy_area"`
	UpdatedAt     time.Time     `bson:"updated_at"`
	SubmittedAt   *time.Time    `bson:"submitted_at,omitempty"`
	Reviewers     []string      `bson:"reviewers"`
	ReviewsDone   int           `bson:"reviews_done"`
	NeedsReassign bool          `bson:"needs_reassign"`
	Score         *review.Score `bson:"score,omitempty"`
	Class         string        `bson:"class,omitempty"`
	// PublishedClass is the class last published to the owner ("" before
	// publication), so owner lists never show an unpublished decision.
	PublishedClass string `bson:"published_class,omitempty"`
	// ReviewStates maps each assigned reviewer to their review's state
	// (assigned, draft, submitted), for review queues and progress per member.
	ReviewStates map[string]string `bson:"review_states,omitempty"`
	// ScreenedBy is who screened the note, for screening progress per member.
	ScreenedBy string `bson:"screened_by,omitempty"`
}

// SummaryOf derives the summary of n.
func SummaryOf(n *Note) Summary {
	s := Summary{ID: n.ID, CallID: n.CallID, Owner: n.Owner, Ref: n.Ref, Title: n.Title, State: n.State,
		Version: n.Version, Rev: n.Rev, PolicyArea: n.PolicyArea, UpdatedAt: n.UpdatedAt, SubmittedAt: n.SubmittedAt,
		NeedsReassign: n.NeedsReassign, Score: n.Score, Reviewers: []string{}}
	for _, a := range n.Assignments {
		s.Reviewers = append(s.Reviewers, a.ReviewerID)
		if a.ReviewState == "submitted" {
			s.ReviewsDone++
		}
		if s.ReviewStates == nil {
			s.ReviewStates = map[string]string{}
		}
		s.ReviewStates[a.ReviewerID] = a.ReviewState
	}
	if n.Screening != nil {
		s.ScreenedBy = n.Screening.By
	}
	if n.Decision != nil {
		s.Class = n.Decision.Class
	}
	if n.Published != nil {
		s.PublishedClass = n.Published.Class
	}
	return s
}

func (s *Store) summaries() *mongo.Collection { return s.db.Collection("note_summaries") }

// syncNote refreshes the note's summary and marks its call changed. Both are
// derived data: a failure is logged, and RebuildSummaries repairs it.
//
// On the embedded engine the summary was refreshed already, under the
// write lock (noteWritten), so that two writers of one note cannot leave
// the older summary behind.
func (s *Store) syncNote(ctx context.Context, n *Note) {
	ctx = context.WithoutCancel(ctx)
	if s.sums == nil {
		if err := s.putSummaries(ctx, SummaryOf(n)); err != nil {
			s.log.Error("refresh note summary", "note", n.ID, "err", err)
		}
	}
	if err := s.BumpCallRev(ctx, n.CallID, n.ID); err != nil {
		s.log.Error("bump call revision", "call", n.CallID, "err", err)
	}
}

// CreateNote inserts a new note (ID, version and timestamps are set here).
func (s *Store) CreateNote(ctx context.Context, n *Note) error {
	if n.ID == "" {
		n.ID = newNoteID(ctx)
	}
	now := time.Now().UTC().Truncate(time.Millisecond)
	n.CreatedAt, n.UpdatedAt, n.Version, n.Rev = now, now, 1, 1
	if n.Assignments == nil {
		n.Assignments = []Assignment{}
	}
	if n.Conflicts == nil {
		n.Conflicts = []string{}
	}
	if n.History == nil {
		n.History = []HistoryEntry{}
	}
	if err := s.insertOne(ctx, s.notesOf(n.ID), n); err != nil && !s.sameDraft(ctx, n, err) {
		return fmt.Errorf("create note: %w", err)
	}
	s.noteWritten(n)
	s.syncNote(ctx, n)
	return nil
}

// NoteByID returns the note, or apperr.ErrNotFound.
func (s *Store) NoteByID(ctx context.Context, id string) (*Note, error) {
	var n Note
	if err := s.findByID(ctx, s.notesOf(id), id, &n); err != nil {
		return nil, notFound(err, "note "+id)
	}
	return &n, nil
}

func staleVersion(what string) error { return fmt.Errorf("%s: %w", what, apperr.ErrStaleVersion) }

// Change is one compare-and-set on a note: it applies only when the note is
// still in one of States at Version, then bumps the version, sets UpdatedAt
// and what its fields say, and appends History (when given). It happens
// whole or not at all.
type Change struct {
	States  []string
	Version int
	To      string        // the new state; "" leaves it
	Fields  *notes.Fields // the note's text, when it changes (a saved draft)
	// Screening records a screening; ClearScreening removes the one stored (reinstatement).
	Screening      *Screening
	ClearScreening bool
	ReturnedBefore bool      // the note has now been returned once
	Decision       *Decision // the chair's classification
	SubmittedAt    *time.Time
	// Raw sets fields by name as they are, for tests that put a note in a
	// given shape (a state with its score, decision or assignments) without
	// the operations that lead there; the operations use the typed fields
	// above (internal/app has no field names of the store's documents).
	Raw     bson.D
	History *HistoryEntry
	// Ref, when set, gives the note the next reference {Prefix}-{NNNN} from
	// Counter, drawn only once the change is known to apply.
	Ref *RefStamp
}

// RefStamp names the counter and prefix of a submission reference.
type RefStamp struct {
	Counter string
	Prefix  string
}

// ErrChangeRefused explains why a Change matched nothing: the note is gone,
// its version moved, or its state no longer allows it.
type ErrChangeRefused struct {
	Note    *Note // the current note, nil when it does not exist
	Stale   bool
	Current string
}

func (e *ErrChangeRefused) Error() string {
	if e.Stale {
		return apperr.ErrStaleVersion.Error()
	}
	return "the note is now " + e.Current
}

// Unwrap makes a stale refusal match apperr.ErrStaleVersion.
func (e *ErrChangeRefused) Unwrap() error {
	if e.Stale {
		return apperr.ErrStaleVersion
	}
	return nil
}

// ApplyChange performs ch on note id and returns the note after it. When
// nothing matched it returns *ErrChangeRefused (or apperr.ErrNotFound).
func (s *Store) ApplyChange(ctx context.Context, id string, ch Change) (*Note, error) {
	now := time.Now().UTC().Truncate(time.Millisecond)
	filter := bson.D{{Key: "_id", Value: id}, {Key: "version", Value: ch.Version}}
	if len(ch.States) == 1 {
		filter = append(filter, bson.E{Key: "state", Value: ch.States[0]})
	} else if len(ch.States) > 1 {
		filter = append(filter, bson.E{Key: "state", Value: bson.D{{Key: "$in", Value: ch.States}}})
	}
	set, err := ch.set(now)
	if err != nil {
		return nil, fmt.Errorf("change note %s: %w", id, err)
	}
	update := bson.D{{Key: "$set", Value: set}, {Key: "$inc", Value: bson.D{{Key: "version", Value: 1}, {Key: "rev", Value: int64(1)}}}}
	if ch.ClearScreening {
		update = append(update, bson.E{Key: "$unset", Value: bson.D{{Key: "screening", Value: ""}}})
	}
	if ch.History != nil {
		h := *ch.History
		if h.At.IsZero() {
			h.At = now
		}
		h.Request = RequestOf(ctx)
		update = append(update, bson.E{Key: "$push", Value: bson.D{{Key: "history", Value: h}}})
	}
	check := func(raw bson.Raw) bool {
		v, ok := raw.Lookup("version").AsInt64OK()
		if !ok || v != int64(ch.Version) {
			return false
		}
		if len(ch.States) == 0 {
			return true
		}
		st, _ := raw.Lookup("state").StringValueOK()
		return slices.Contains(ch.States, st)
	}
	var stamp func() (bson.D, func(), error)
	if ch.Ref != nil {
		stamp = func() (bson.D, func(), error) {
			seq, err := s.NextSeq(ctx, ch.Ref.Counter)
			if err != nil {
				return nil, nil, err
			}
			var giveBack func()
			if s.seqs != nil {
				giveBack = func() { s.returnSeq(ch.Ref.Counter, seq) }
			}
			return bson.D{{Key: "ref", Value: fmt.Sprintf("%s-%04d", ch.Ref.Prefix, seq)}}, giveBack, nil
		}
	}
	var n Note
	err = s.casUpdate(ctx, s.notesOf(id), id, filter, check, "rev", update, &n, stamp)
	if errors.Is(err, mongo.ErrNoDocuments) {
		cur, err := s.NoteByID(ctx, id)
		if err != nil {
			return nil, err
		}
		refused := &ErrChangeRefused{Note: cur, Current: cur.State}
		if cur.Version != ch.Version {
			refused.Stale = true
		}
		return nil, refused
	}
	if err != nil {
		// Whether the change applied is unknown (the embedded engine has
		// settled that already): refresh what is derived from the note as
		// it is now, so lists never keep showing an older state.
		s.refreshSummaries(ctx, []string{id})
		return nil, fmt.Errorf("change note %s: %w", id, err)
	}
	s.syncNote(ctx, &n)
	return &n, nil
}

// refreshSummaries reads each note as it is now and stores its summary
// (guarded by Rev, so a newer one stays), then marks their calls changed.
// It repairs derived data after a write whose outcome is unknown, so a
// failure is only logged.
func (s *Store) refreshSummaries(ctx context.Context, ids []string) {
	ctx = context.WithoutCancel(ctx)
	calls := map[string][]string{}
	for _, id := range ids {
		n, err := s.NoteByID(ctx, id)
		if err != nil {
			if !IsNotFound(err) {
				s.log.Error("refresh note summary", "note", id, "err", err)
			}
			continue
		}
		if err := s.putSummaries(ctx, SummaryOf(n)); err != nil {
			s.log.Error("refresh note summary", "note", id, "err", err)
		}
		calls[n.CallID] = append(calls[n.CallID], id)
	}
	for call, changed := range calls {
		if err := s.BumpCallRev(ctx, call, changed...); err != nil {
			s.log.Error("bump call revision", "call", call, "err", err)
		}
	}
}

// set is the change's $set: the typed fields by their stored names, then Raw.
func (ch Change) set(now time.Time) (bson.D, error) {
	set := bson.D{{Key: "updated_at", Value: now}}
	if ch.To != "" {
		set = append(set, bson.E{Key: "state", Value: ch.To})
	}
	if ch.Fields != nil {
		raw, err := bson.Marshal(ch.Fields)
		if err != nil {
			return nil, fmt.Errorf("encode the note's fields: %w", err)
		}
		var fields bson.D
		if err := bson.Unmarshal(raw, &fields); err != nil {
			return nil, fmt.Errorf("encode the note's fields: %w", err)
		}
		set = append(set, fields...)
	}
	if ch.Screening != nil {
		set = append(set, bson.E{Key: "screening", Value: ch.Screening})
	}
	if ch.ReturnedBefore {
		set = append(set, bson.E{Key: "returned_before", Value: true})
	}
	if ch.Decision != nil {
		set = append(set, bson.E{Key: "decision", Value: ch.Decision})
	}
	if ch.SubmittedAt != nil {
		set = append(set, bson.E{Key: "submitted_at", Value: *ch.SubmittedAt})
	}
	return append(set, ch.Raw...), nil
}

// SummaryFilter selects summaries for list pages.
type SummaryFilter struct {
	CallID     string
	Owner      string
	States     []string
	PolicyArea string
	Reviewer   string // notes this reviewer is assigned to
}

func (f SummaryFilter) bson() bson.D {
	q := bson.D{}
	if f.CallID != "" {
		q = append(q, bson.E{Key: "call_id", Value: f.CallID})
	}
	if f.Owner != "" {
		q = append(q, bson.E{Key: "owner", Value: f.Owner})
	}
	if len(f.States) == 1 {
		q = append(q, bson.E{Key: "state", Value: f.States[0]})
	} else if len(f.States) > 1 {
		q = append(q, bson.E{Key: "state", Value: bson.D{{Key: "$in", Value: f.States}}})
	}
	if f.PolicyArea != "" {
		q = append(q, bson.E{Key: "policy_area", Value: f.PolicyArea})
	}
	if f.Reviewer != "" {
		q = append(q, bson.E{Key: "reviewers", Value: f.Reviewer})
	}
	return q
}

// Summaries returns every summary matching f (callers sort and page in Go:
// the list is small, and sorting by derived figures needs Go anyway).
func (s *Store) Summaries(ctx context.Context, f SummaryFilter) ([]Summary, error) {
	if s.sums != nil {
		return s.sums.find(f), nil
	}
	cur, err := s.summaries().Find(ctx, f.bson())
	if err != nil {
		return nil, wrapDB(err)
	}
	var out []Summary
	if err := cur.All(ctx, &out); err != nil {
		return nil, wrapDB(err)
	}
	return out, nil
}

// SummaryByID returns one note's summary, or apperr.ErrNotFound.
func (s *Store) SummaryByID(ctx context.Context, id string) (*Summary, error) {
	if s.sums != nil {
		sum, ok := s.sums.get(id)
		if !ok {
			return nil, fmt.Errorf("summary of note %s: %w", id, apperr.ErrNotFound)
		}
		return &sum, nil
	}
	var sum Summary
	if err := s.summaries().FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&sum); err != nil {
		return nil, notFound(err, "summary of note "+id)
	}
	return &sum, nil
}

// NotesByIDs returns full notes by id (the ones that exist).
func (s *Store) NotesByIDs(ctx context.Context, ids []string) ([]*Note, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	if s.embedded {
		// By _id, from the cache or the engine's index: a $in filter would
		// decode every note of every shard.
		var out []*Note
		for _, id := range ids {
			n, err := s.NoteByID(ctx, id)
			if IsNotFound(err) {
				continue
			}
			if err != nil {
				return nil, err
			}
			out = append(out, n)
		}
		return out, nil
	}
	cur, err := s.noteColls[0].Find(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}})
	if err != nil {
		return nil, wrapDB(err)
	}
	var out []*Note
	if err := cur.All(ctx, &out); err != nil {
		return nil, wrapDB(err)
	}
	return out, nil
}

// EachNote passes the call's notes (all states when states is empty) to fn,
// one at a time, oldest first.
func (s *Store) EachNote(ctx context.Context, callID string, states []string, fn func(*Note) error) error {
	q := SummaryFilter{CallID: callID, States: states}.bson()
	if len(s.noteColls) == 1 {
		// The same order as the shards' merge below, so every engine hands
		// out the notes alike (oldest first, ties by id).
		return eachNote(ctx, s.noteColls[0], q, fn, options.Find().SetSort(bson.D{{Key: "created_at", Value: 1}, {Key: "_id", Value: 1}}))
	}
	var all []*Note
	for _, c := range s.noteColls {
		if err := eachNote(ctx, c, q, func(n *Note) error { all = append(all, n); return nil }); err != nil {
			return err
		}
	}
	slices.SortStableFunc(all, func(a, b *Note) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	for _, n := range all {
		if err := fn(n); err != nil {
			return err
		}
	}
	return nil
}

func eachNote(ctx context.Context, c *mongo.Collection, q bson.D, fn func(*Note) error, opts ...options.Lister[options.FindOptions]) error {
	cur, err := c.Find(ctx, q, opts...)
	if err != nil {
		return wrapDB(err)
	}
	defer cur.Close(ctx)
	for cur.Next(ctx) {
		var n Note
		if err := cur.Decode(&n); err != nil {
			return wrapDB(err)
		}
		if err := fn(&n); err != nil {
			return err
		}
	}
	return wrapDB(cur.Err())
}

// RebuildSummaries recreates every summary of a call from its notes.
func (s *Store) RebuildSummaries(ctx context.Context, callID string) (int, error) {
	n := 0
	err := s.EachNote(ctx, callID, nil, func(note *Note) error {
		if err := s.putSummaries(ctx, SummaryOf(note)); err != nil {
			return err
		}
		n++
		return nil
	})
	if err == nil {
		err = s.BumpCallRev(ctx, callID)
	}
	return n, err
}
