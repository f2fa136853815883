package app

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"cocreate/internal/apperr"
	"cocreate/internal/notes"
	"cocreate/internal/store"
	"cocreate/internal/workflow"
)

// DraftError is a draft that cannot be stored: a wrong value, an unknown
// option or a malformed month. It answers 400 bad_request (api.md: saving
// refuses only those) and keeps the field messages for a page to show
// beside each field.
type DraftError struct {
	Fields notes.FieldErrors
}

// Error names every field at fault, in form order.
func (e *DraftError) Error() string {
	parts := make([]string, 0, len(e.Fields))
	for _, k := range e.Fields.Keys() {
		parts = append(parts, k+": "+e.Fields[k])
	}
	return "The note cannot be saved: " + strings.Join(parts, "; ")
}

// Unwrap makes a DraftError match *apperr.BadRequest, so fail() answers 400.
func (e *DraftError) Unwrap() error { return &apperr.BadRequest{Message: e.Error()} }

// neverSubmitted reports whether only the owner may know the note exists:
// drafts, and drafts withdrawn before they were ever submitted.
func neverSubmitted(state string, submitted bool) bool {
	return state == string(workflow.Draft) || (state == string(workflow.Withdrawn) && !submitted)
}

// CanSee reports whether u may read n: its owner always; the committee
// (reviewer, chair) and coordinators once it has been submitted.
func CanSee(u *store.User, n *store.Note) bool {
	if u == nil {
		return false
	}
	if n.Owner == u.ID {
		return true
	}
	if neverSubmitted(n.State, n.SubmittedAt != nil) {
		return false
	}
	return u.IsCommittee() || u.Has("coordinator")
}

// prepare normalises f for storage and applies the draft rules of call c.
func prepare(f *notes.Fields, c *store.Call) error {
	f.Normalize()
	if f.Values == nil {
		f.Values = []string{}
	}
	if f.Milestones == nil {
		f.Milestones = []notes.Milestone{}
	}
	if errs := notes.ValidateDraft(*f, c.WordLimits); errs != nil {
		return &DraftError{Fields: errs}
	}
	return nil
}

func ptr[T any](v T) *T { return &v }

// MaxDraftsPerCall is how many drafts one participant may keep in a call
// at once: more than anyone writes, few enough that nobody can fill the store.
const MaxDraftsPerCall = 50

// CreateNote starts a draft by u in the call (id or slug). The call must be
// open; the draft may be incomplete.
func (a *App) CreateNote(ctx context.Context, u *store.User, callID string, f notes.Fields) (*store.Note, error) {
	if !u.Has("participant") {
		return nil, fmt.Errorf("create note: only participants write notes: %w", apperr.ErrForbidden)
	}
	c, err := a.CallByKey(ctx, callID)
	if err != nil {
		return nil, err
	}
	if c.Status(a.Now()) != workflow.CallOpen {
		return nil, fmt.Errorf("create note in call %s: %w", c.Slug, workflow.ErrCallClosed)
	}
	if err := prepare(&f, c); err != nil {
		return nil, err
	}
	drafts, err := a.Store.Summaries(ctx, store.SummaryFilter{CallID: c.ID, Owner: u.ID, States: []string{string(workflow.Draft)}})
	if err != nil {
		return nil, err
	}
	if len(drafts) >= MaxDraftsPerCall {
		return nil, apperr.Invalidf("You already have %d drafts in this call, the most one person may keep. Finish or withdraw one of them before you start another.", len(drafts))
	}
	n := &store.Note{CallID: c.ID, State: string(workflow.Draft), Owner: u.ID, Fields: f}
	if err := a.Store.CreateNote(ctx, n); err != nil {
		return nil, fmt.Errorf("create note in call %s: %w", c.Slug, err)
	}
	return n, nil
}

// ownNote loads note id for an action only its owner may take. Someone who
// may not see it gets apperr.ErrNotFound, so ids are not confirmed; someone
// who may see it but does not own it gets apperr.ErrForbidden.
func (a *App) ownNote(ctx context.Context, u *store.User, id string) (*store.Note, *store.Call, error) {
	n, c, err := a.NoteFor(ctx, u, id)
	if err != nil {
		return nil, nil, err
	}
	if n.Owner != u.ID {
		return nil, nil, fmt.Errorf("note %s belongs to someone else: %w", id, apperr.ErrForbidden)
	}
	return n, c, nil
}

// NoteFor returns note id and its call when u may read it (see CanSee);
// anyone else gets apperr.ErrNotFound (404, never 403).
func (a *App) NoteFor(ctx context.Context, u *store.User, id string) (*store.Note, *store.Call, error) {
	n, err := a.Store.NoteByID(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	if !CanSee(u, n) {
		return nil, nil, fmt.Errorf("note %s: %w", id, apperr.ErrNotFound)
	}
	c, err := a.Store.CallByID(ctx, n.CallID)
	if err != nil {
		return nil, nil, fmt.Errorf("call of note %s: %w", id, err)
	}
	return n, c, nil
}

// Editable reports whether the owner may still change n's text at this
// moment: a draft while the call is open; a returned note while the call is
// open or until the end of its revise-by day in the call's zone.
func (a *App) Editable(n *store.Note, c *store.Call) error {
	now := a.Now()
	switch workflow.State(n.State) {
	case workflow.Draft:
		if c.Status(now) != workflow.CallOpen {
			return workflow.ErrCallClosed
		}
		return nil
	case workflow.Returned:
		if c.Status(now) == workflow.CallOpen {
			return nil
		}
		if n.Screening != nil && !now.After(ReviseByEnd(n.Screening.ReviseBy, c.Location())) {
			return nil
		}
		return fmt.Errorf("the revise-by date has passed: %w", workflow.ErrCallClosed)
	}
	return &workflow.TransitionError{State: workflow.State(n.State), Event: "save", Allowed: workflow.Allowed(workflow.State(n.State))}
}

// SaveNote stores new text for the owner's draft or returned note when
// version is still the stored one; otherwise apperr.ErrStaleVersion and the
// stored text is left as it was.
func (a *App) SaveNote(ctx context.Context, u *store.User, id string, version int, f notes.Fields) (*store.Note, error) {
	n, c, err := a.ownNote(ctx, u, id)
	if err != nil {
		return nil, err
	}
	if err := a.Editable(n, c); err != nil {
		return nil, fmt.Errorf("save note %s: %w", id, err)
	}
	if err := prepare(&f, c); err != nil {
		return nil, err
	}
	if version != n.Version {
		return nil, fmt.Errorf("save note %s: %w", id, apperr.ErrStaleVersion)
	}
	out, err := a.Store.ApplyChange(ctx, id, store.Change{States: []string{n.State}, Version: version, Fields: &f})
	var refused *store.ErrChangeRefused
	if errors.As(err, &refused) && !refused.Stale {
		s := workflow.State(refused.Current)
		return nil, &workflow.TransitionError{State: s, Event: "save", Allowed: workflow.Allowed(s)}
	}
	if err != nil {
		return nil, fmt.Errorf("save note %s: %w", id, err)
	}
	return out, nil
}

// CheckSubmit applies every submission rule to n with the call's word
// limits and plan period; nil when it may be submitted.
func (a *App) CheckSubmit(n *store.Note, c *store.Call) notes.FieldErrors {
	return notes.ValidateSubmit(n.Fields, c.WordLimits, c.PlanStart, c.PlanEnd)
}

// checkSubmit adapts CheckSubmit to Transition.Check.
func (a *App) checkSubmit(n *store.Note, c *store.Call) error {
	if errs := a.CheckSubmit(n, c); errs != nil {
		return errs
	}
	return nil
}

// ownerFire fires an owner's event on note id. It reads the note once (in
// fire) on the way to success; only a refusal looks again, so that nobody
// who may not see the note learns from the refusal that it exists.
func (a *App) ownerFire(ctx context.Context, u *store.User, id string, tr Transition) (*store.Note, error) {
	n, err := a.fire(ctx, u, id, tr)
	if err == nil {
		return n, nil
	}
	cur, gerr := a.Store.NoteByID(ctx, id)
	switch {
	case gerr != nil:
		return nil, err
	case !CanSee(u, cur):
		return nil, fmt.Errorf("%s note %s: %w", tr.Event, id, apperr.ErrNotFound)
	case cur.Owner != u.ID:
		return nil, fmt.Errorf("%s note %s: it belongs to someone else: %w", tr.Event, id,
			apperr.Say(apperr.ErrForbidden, "Only the note's owner can %s it.", strings.ToLower(workflow.EventLabel(tr.Event))))
	}
	return nil, err
}

// SubmitNote submits the owner's draft at version while the call is open.
// The reference {prefix}-{NNNN} is drawn inside the compare-and-set, only
// once it is known to apply, so a refused or repeated submission never
// burns a number.
func (a *App) SubmitNote(ctx context.Context, u *store.User, id string, version int) (*store.Note, error) {
	return a.afterNote(ctx, a.queueSubmitted)(a.ownerFire(ctx, u, id, Transition{Event: workflow.Submit, Version: version, Reference: true,
		Change: store.Change{SubmittedAt: ptr(a.Now().UTC().Truncate(time.Millisecond))},
		Check: func(n *store.Note, c *store.Call) error {
			if c.VerifiedEmailRequired() && !u.EmailVerified() {
				return ErrEmailUnverified
			}
			return a.submitCheck(ctx)(n, c)
		}}))
}

// ResubmitNote sends the owner's returned note back to screening; it must
// pass every submission rule again.
func (a *App) ResubmitNote(ctx context.Context, u *store.User, id string, version int) (*store.Note, error) {
	return a.afterNote(ctx, a.queueSubmitted)(a.ownerFire(ctx, u, id, Transition{Event: workflow.Resubmit, Version: version, Check: a.submitCheck(ctx)}))
}

// WithdrawNote withdraws the owner's note (draft, submitted, returned or
// screened), recording the optional reason in its history.
func (a *App) WithdrawNote(ctx context.Context, u *store.User, id string, version int, reason string) (*store.Note, error) {
	reason = strings.TrimSpace(reason)
	if len([]rune(reason)) > 1000 {
		return nil, apperr.Fields{"reason": "Reason must be 1000 characters or fewer"}
	}
	return a.ownerFire(ctx, u, id, Transition{Event: workflow.Withdraw, Version: version, Reason: reason})
}

// ownerSummary is s as its owner may see it: the owner's state, and no
// class, score or reviewers until a decision is published.
func ownerSummary(s store.Summary) store.Summary {
	owner := &store.Note{State: s.State}
	if s.PublishedClass != "" {
		owner.Published = &store.Decision{Class: s.PublishedClass}
	}
	s.State = OwnerState(owner)
	s.Class = s.PublishedClass
	s.Score = nil
	s.Reviewers = nil
	s.ReviewsDone = 0
	s.NeedsReassign = false
	return s
}

// MyNotes returns u's notes (in one call when callID is given, id or slug),
// as their owner sees them, newest change first.
func (a *App) MyNotes(ctx context.Context, u *store.User, callID string) ([]store.Summary, error) {
	items, _, err := a.ListNotes(ctx, u, NoteQuery{CallID: callID, Mine: true})
	return items, err
}

// NoteQuery selects notes for a list; zero fields select everything the caller may see.
type NoteQuery struct {
	CallID   string // id or slug
	State    string // as the caller sees it (owners see "screened" for unpublished decisions)
	Mine     bool   // only the caller's own notes
	Assigned bool   // only notes the caller is assigned to review
	Page     int    // from 1; 0 returns every match
	PerPage  int
}

// ListNotes returns one page of the summaries u may see, newest change
// first, and the number of matches. Participants without a committee or
// coordinator role see only their own notes; nobody sees others' drafts.
func (a *App) ListNotes(ctx context.Context, u *store.User, q NoteQuery) ([]store.Summary, int, error) {
	f := store.SummaryFilter{}
	if q.CallID != "" {
		c, err := a.CallByKey(ctx, q.CallID)
		if err != nil {
			return nil, 0, err
		}
		f.CallID = c.ID
	}
	staff := u.IsCommittee() || u.Has("coordinator")
	if q.Mine || !staff {
		f.Owner = u.ID
	}
	if q.Assigned {
		f.Reviewer = u.ID
	}
	all, err := a.Store.Summaries(ctx, f)
	if err != nil {
		return nil, 0, fmt.Errorf("list notes: %w", err)
	}
	out := make([]store.Summary, 0, len(all))
	for _, s := range all {
		if s.Owner == u.ID {
			s = ownerSummary(s)
		} else if neverSubmitted(s.State, s.SubmittedAt != nil) {
			continue
		}
		if q.State != "" && s.State != q.State {
			continue
		}
		out = append(out, s)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].UpdatedAt.Equal(out[j].UpdatedAt) {
			return out[i].UpdatedAt.After(out[j].UpdatedAt)
		}
		return out[i].ID > out[j].ID
	})
	total := len(out)
	if q.Page > 0 && q.PerPage > 0 {
		from := min((q.Page-1)*q.PerPage, total)
		out = out[from:min(from+q.PerPage, total)]
	}
	return out, total, nil
}
