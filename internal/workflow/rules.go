package workflow

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/looplab/fsm"
)

// Role names as stored on a user (see enum.Roles).
const (
	roleReviewer = "reviewer"
	roleChair    = "chair"
)

// CallOpen is the call status in which submissions are accepted.
const CallOpen = "open"

// Actor is who wants to fire an event.
type Actor struct {
	Roles   []string // any of "participant", "reviewer", "chair", "coordinator"
	IsOwner bool     // the actor wrote the note
}

// has reports whether the actor holds any of roles.
func (a Actor) has(roles []string) bool {
	for _, r := range roles {
		if slices.Contains(a.Roles, r) {
			return true
		}
	}
	return false
}

// Situation is what the rules need to know beyond the state.
type Situation struct {
	CallStatus     string    // "upcoming", "open", "closed"
	Now            time.Time // the moment of the action
	ReviseBy       time.Time // end of the revise-by day in the call's zone (zero when none)
	ReturnedBefore bool      // the note has been returned once already
	Reviews        int       // submitted reviews of the note
	MinReviews     int       // the call's minimum number of reviews
	Reason         string    // the reason or rationale given
	Override       string    // override_reason for classifying below the minimum
}

// reviseByPassed reports whether the revise-by moment is behind us. A zero
// ReviseBy counts as passed: a note with no revise-by has no grace period.
// At the exact instant of ReviseBy the participant still has it, so the
// resubmit and late-fail windows never overlap.
func (sit Situation) reviseByPassed() bool {
	return sit.Now.After(sit.ReviseBy)
}

// Rule describes one event: who may fire it, in which call status, and what it needs.
type Rule struct {
	Event         Event
	Owner         bool     // only the note's owner may fire it
	Roles         []string // the actor needs one of these roles; empty means no role is needed
	NeedsOpenCall bool     // the call must be open (see Note for resubmit's grace period)
	NeedsReason   bool     // Situation.Reason must not be blank
	Note          string   // a plain-English summary for pages and docs
}

// Rules holds the Rule of every event, keyed by event; range over Events to
// show them in a fixed order. Check reads Owner, Roles and NeedsReason from here,
// so this table and the behaviour cannot drift apart.
var Rules = map[Event]Rule{
	Submit: {Event: Submit, Owner: true, NeedsOpenCall: true,
		Note: "The owner submits a draft while the call is open."},
	ScreenPass: {Event: ScreenPass, Roles: []string{roleReviewer, roleChair},
		Note: "A reviewer or the chair passes a submitted note that meets every basic criterion."},
	ScreenReturn: {Event: ScreenReturn, Roles: []string{roleReviewer, roleChair},
		Note: "A reviewer or the chair returns a submitted note for revision, with instructions and a revise-by date; a note can be returned once."},
	Resubmit: {Event: Resubmit, Owner: true, NeedsOpenCall: true,
		Note: "The owner resubmits a returned note while the call is open, or after it closes until the end of the revise-by day."},
	ScreenFail: {Event: ScreenFail, Roles: []string{roleReviewer, roleChair},
		Note: "A reviewer or the chair fails a submitted note, or a returned note once its revise-by date has passed."},
	Classify: {Event: Classify, Roles: []string{roleChair}, NeedsReason: true,
		Note: "The chair classifies a screened note with a rationale; below the call's minimum number of reviews only with an override reason."},
	Reopen: {Event: Reopen, Roles: []string{roleChair}, NeedsReason: true,
		Note: "The chair reopens a classified note, giving a reason, to change the decision."},
	Reinstate: {Event: Reinstate, Roles: []string{roleChair}, NeedsReason: true,
		Note: "The chair reinstates an ineligible note to screening, giving a reason."},
	Withdraw: {Event: Withdraw, Owner: true,
		Note: "The owner withdraws a note that is not yet ineligible or classified."},
}

// ErrInvalidTransition matches every *TransitionError with errors.Is.
var ErrInvalidTransition = errors.New("this action does not apply to the note in its current state")

// ErrForbidden is returned when the actor may not fire the event.
var ErrForbidden = errors.New("you are not allowed to do this")

// ErrCallClosed is returned when a submission arrives while the call does not accept it.
var ErrCallClosed = errors.New("the call is not accepting submissions")

// ErrReasonRequired is returned when an event that must be explained comes without a reason.
var ErrReasonRequired = errors.New("a reason is required")

// ErrMinReviews is returned when a note is classified before the call's minimum number of reviews is in, without an override reason.
var ErrMinReviews = errors.New("the note does not have the minimum number of reviews yet")

// TransitionError is returned when an event does not apply to the note's current state.
type TransitionError struct {
	State   State
	Event   Event
	Allowed []Event // what may be fired now instead, in the order of Events
	Why     string  // set when the table allows it but a lifecycle rule does not (return once, revise-by)
}

// Error says what was refused and what is allowed instead.
func (e *TransitionError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "cannot %s a note in state %s", e.Event, e.State)
	if e.Why != "" {
		fmt.Fprintf(&b, " (%s)", e.Why)
	}
	if len(e.Allowed) == 0 {
		b.WriteString("; nothing is allowed now")
		return b.String()
	}
	b.WriteString("; allowed now: ")
	for i, a := range e.Allowed {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(string(a))
	}
	return b.String()
}

// Is lets errors.Is(err, ErrInvalidTransition) recognise a TransitionError.
func (e *TransitionError) Is(target error) bool { return target == ErrInvalidTransition }

// ruleError carries a message naming the rule that was broken while still
// matching its sentinel, so users read one plain sentence, not a chain.
type ruleError struct {
	msg  string
	kind error
}

func (e *ruleError) Error() string { return e.msg }
func (e *ruleError) Unwrap() error { return e.kind }

// SafeMessage is the rule's sentence, which is written for people.
func (e *ruleError) SafeMessage() string { return e.msg }

// Check reports whether actor a may fire e on a note in state s in situation
// sit: nil, a *TransitionError, or an error matching ErrForbidden,
// ErrCallClosed, ErrReasonRequired or ErrMinReviews, checked in that order.
// It is Fire on a machine that is thrown away.
func Check(s State, e Event, a Actor, sit Situation) error {
	_, err := Fire(context.Background(), s, e, a, sit)
	return err
}

// Step is one move of the lifecycle as the FSM made it, the part of a
// note's history entry the workflow decides.
type Step struct {
	From  State
	To    State
	Event Event
}

// Guard is a further condition on an event, checked by the FSM after the
// event's rule passed (e.g. the caller saw the note's current version); an
// error refuses the event and Fire returns it as it is.
type Guard func() error

// Fire runs e on a fresh FSM built from Table standing at s, with the rules
// for actor a in situation sit as its guards, then guards in order, and
// returns the step the FSM made. A refusal is a *TransitionError (no such
// transition from s, or a lifecycle rule blocks it), an error matching
// ErrForbidden, ErrCallClosed, ErrReasonRequired or ErrMinReviews, in that
// order, or the first failing guard's own error; a ctx already done
// refuses with ctx's error. Nothing is stored: the caller writes the step.
//
// The FSM's callbacks: before_<event>, for every event of Table, is that
// event's rule (lifecycle rules first, then Rules); before_event, which
// the FSM calls next, runs guards; enter_state records the step from the
// FSM's own event.
func Fire(ctx context.Context, s State, e Event, a Actor, sit Situation, guards ...Guard) (Step, error) {
	var step Step
	moved := false
	cbs := fsm.Callbacks{
		"before_event": func(_ context.Context, fe *fsm.Event) {
			for _, g := range guards {
				if err := g(); err != nil {
					fe.Cancel(err)
					return
				}
			}
		},
		"enter_state": func(_ context.Context, fe *fsm.Event) {
			step = Step{From: State(fe.Src), To: State(fe.Dst), Event: Event(fe.Event)}
			moved = true
		},
	}
	for _, d := range Table {
		cbs["before_"+d.Name] = func(_ context.Context, fe *fsm.Event) {
			if err := rule(State(fe.Src), Event(fe.Event), a, sit); err != nil {
				fe.Cancel(err)
			}
		}
	}
	err := fsm.NewFSM(string(s), Table, cbs).Event(ctx, string(e))
	var canceled fsm.CanceledError
	var invalid fsm.InvalidEventError
	var unknown fsm.UnknownEventError
	switch {
	case err == nil && moved:
		return step, nil
	case err == nil:
		return Step{}, fmt.Errorf("%s a note in state %s: the state machine did not move", e, s)
	case errors.As(err, &canceled) && canceled.Err != nil:
		return Step{}, canceled.Err
	case errors.As(err, &invalid), errors.As(err, &unknown):
		return Step{}, &TransitionError{State: s, Event: e, Allowed: allowedNow(s, sit)}
	}
	return Step{}, err
}

// rule is e's guard from state s: nil when actor a may fire it in sit.
func rule(s State, e Event, a Actor, sit Situation) error {
	if why := blocked(s, e, sit); why != "" {
		return &TransitionError{State: s, Event: e, Allowed: allowedNow(s, sit), Why: why}
	}
	r, ok := Rules[e]
	if !ok {
		// Every event in Table has a rule (tested); refuse rather than allow if not.
		return &ruleError{msg: fmt.Sprintf("no rule says who may %s a note", e), kind: ErrForbidden}
	}
	if r.Owner && !a.IsOwner {
		return &ruleError{msg: fmt.Sprintf("only the note's owner can %s it", strings.ToLower(EventLabel(e))), kind: ErrForbidden}
	}
	if len(r.Roles) > 0 && !a.has(r.Roles) {
		return &ruleError{msg: fmt.Sprintf("only %s can %s", who(r.Roles), action(e)), kind: ErrForbidden}
	}
	if r.NeedsOpenCall && sit.CallStatus != CallOpen {
		// A returned note keeps its revise-by day even after the call closes.
		if e != Resubmit || sit.reviseByPassed() {
			if e == Resubmit {
				return &ruleError{msg: "the call is closed and the revise-by date has passed", kind: ErrCallClosed}
			}
			return ErrCallClosed
		}
	}
	if r.NeedsReason && strings.TrimSpace(sit.Reason) == "" {
		if e == Classify {
			return &ruleError{msg: "a rationale is required to classify a note", kind: ErrReasonRequired}
		}
		return &ruleError{msg: fmt.Sprintf("a reason is required to %s a note", strings.ToLower(EventLabel(e))), kind: ErrReasonRequired}
	}
	if e == Classify && sit.Reviews < sit.MinReviews && strings.TrimSpace(sit.Override) == "" {
		return &ruleError{
			msg:  fmt.Sprintf("the note has %d of the %d reviews required; give an override reason to classify it now", sit.Reviews, sit.MinReviews),
			kind: ErrMinReviews,
		}
	}
	return nil
}

// blocked returns why a transition the table allows is refused by a
// lifecycle rule that depends on the note's history or the clock, or "".
func blocked(s State, e Event, sit Situation) string {
	switch {
	case e == ScreenReturn && sit.ReturnedBefore:
		return "a note can be returned only once"
	case e == ScreenFail && s == Returned && !sit.reviseByPassed():
		return "a returned note can be failed only after its revise-by date"
	}
	return ""
}

// allowedNow is Allowed(s) without the events blocked in sit, so a
// TransitionError never suggests an action that would be refused too.
func allowedNow(s State, sit Situation) []Event {
	var out []Event
	for _, e := range Allowed(s) {
		if blocked(s, e, sit) == "" {
			out = append(out, e)
		}
	}
	return out
}

// action names what e does to notes in general, for a refusal message.
func action(e Event) string {
	switch e {
	case ScreenPass, ScreenReturn, ScreenFail:
		return "screen notes"
	}
	return strings.ToLower(EventLabel(e)) + " notes"
}

// who names roles for a message: "the chair", "a reviewer or the chair".
func who(roles []string) string {
	names := make([]string, len(roles))
	for i, r := range roles {
		if r == roleChair {
			names[i] = "the chair"
		} else {
			names[i] = "a " + r
		}
	}
	return strings.Join(names, " or ")
}
