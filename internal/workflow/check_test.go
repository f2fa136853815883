package workflow

import (
	"errors"
	"slices"
	"testing"
	"time"
)

// outcome names which of Check's answers an error is.
type outcome string

const (
	okay       outcome = "nil"
	transition outcome = "transition"
	forbidden  outcome = "forbidden"
	closed     outcome = "call closed"
	reason     outcome = "reason required"
	minReviews outcome = "min reviews"
)

// outcomeOf classifies err, insisting that it matches exactly one kind.
func outcomeOf(t *testing.T, err error) outcome {
	t.Helper()
	if err == nil {
		return okay
	}
	var found []outcome
	var te *TransitionError
	if errors.As(err, &te) {
		found = append(found, transition)
		if !errors.Is(err, ErrInvalidTransition) {
			t.Errorf("%v: a TransitionError does not match ErrInvalidTransition", err)
		}
	}
	for o, s := range map[outcome]error{forbidden: ErrForbidden, closed: ErrCallClosed, reason: ErrReasonRequired, minReviews: ErrMinReviews} {
		if errors.Is(err, s) {
			found = append(found, o)
		}
	}
	if len(found) != 1 {
		t.Fatalf("error %q matches %v, want exactly one kind", err, found)
	}
	if err.Error() == "" {
		t.Errorf("error of kind %s has an empty message", found[0])
	}
	return found[0]
}

var (
	t0     = time.Date(2020, 3, 14, 12, 0, 0, 0, time.UTC)
	before = t0.Add(-time.Hour) // a revise-by that has passed at t0
	after  = t0.Add(time.Hour)  // a revise-by still ahead at t0
)

// roleKinds are the kinds of actor the matrix covers, with what each may fire,
// written out from domain.md's People table.
var roleKinds = []struct {
	name  string
	actor Actor
	may   []Event
}{
	{"owner participant", Actor{Roles: []string{"participant"}, IsOwner: true}, []Event{Submit, Resubmit, Withdraw}},
	{"other participant", Actor{Roles: []string{"participant"}}, nil},
	{"reviewer", Actor{Roles: []string{"reviewer"}}, []Event{ScreenPass, ScreenReturn, ScreenFail}},
	{"chair", Actor{Roles: []string{"chair"}}, []Event{ScreenPass, ScreenReturn, ScreenFail, Classify, Reopen, Reinstate}},
	{"coordinator", Actor{Roles: []string{"coordinator"}}, nil},
}

// TestCheckMatrix covers every (state, event, role kind) in two situations:
// one where every condition beyond state and role holds, and one where every
// condition that can fail does, which exercises the order of precedence.
func TestCheckMatrix(t *testing.T) {
	good := Situation{CallStatus: "open", Now: t0, ReviseBy: before, Reviews: 3, MinReviews: 3, Reason: "Merged with BZ2020-0007."}
	bad := Situation{CallStatus: "closed", Now: t0, ReviseBy: after, ReturnedBefore: true, Reviews: 1, MinReviews: 3}

	// gateInBad is what the bad situation does to a permitted, tabled event.
	gateInBad := func(s State, e Event) outcome {
		switch {
		case e == ScreenReturn: // returned before
			return transition
		case e == ScreenFail && s == Returned: // revise-by still ahead
			return transition
		case e == Submit:
			return closed
		case e == Resubmit: // closed call, but the revise-by day is not over
			return okay
		case e == Classify || e == Reopen || e == Reinstate:
			return reason
		}
		return okay
	}
	// allowedInBad is wantAllowed without what the bad situation blocks.
	allowedInBad := func(s State) []Event {
		var out []Event
		for _, e := range wantAllowed[s] {
			if e == ScreenReturn || (e == ScreenFail && s == Returned) {
				continue
			}
			out = append(out, e)
		}
		return out
	}

	for _, sit := range []struct {
		name string
		sit  Situation
	}{{"good", good}, {"bad", bad}} {
		for _, s := range States {
			for _, e := range Events {
				for _, rk := range roleKinds {
					_, tabled := wantNext[s][e]
					want := okay
					switch {
					case !tabled:
						want = transition
					case sit.name == "bad" && gateInBad(s, e) == transition:
						want = transition
					case !slices.Contains(rk.may, e):
						want = forbidden
					case sit.name == "bad":
						want = gateInBad(s, e)
					}

					err := Check(s, e, rk.actor, sit.sit)
					if got := outcomeOf(t, err); got != want {
						t.Errorf("%s situation: %s fires %s on %s: got %s (%v), want %s", sit.name, rk.name, e, s, got, err, want)
						continue
					}
					var te *TransitionError
					if errors.As(err, &te) {
						wantAl := wantAllowed[s]
						if sit.name == "bad" {
							wantAl = allowedInBad(s)
						}
						if te.State != s || te.Event != e || !slices.Equal(te.Allowed, wantAl) {
							t.Errorf("%s situation: %s on %s: TransitionError{%s, %s, %v}, want {%s, %s, %v}",
								sit.name, e, s, te.State, te.Event, te.Allowed, s, e, wantAl)
						}
					}
				}
			}
		}
	}
}

func TestCheckUnknownStateOrEvent(t *testing.T) {
	chair := Actor{Roles: []string{"chair"}, IsOwner: true}
	for _, tc := range []struct {
		s State
		e Event
	}{{"archived", Submit}, {"", Withdraw}, {Draft, "publish"}, {Screened, ""}} {
		if got := outcomeOf(t, Check(tc.s, tc.e, chair, Situation{CallStatus: "open", Reason: "x"})); got != transition {
			t.Errorf("Check(%q, %q) = %s, want transition", tc.s, tc.e, got)
		}
	}
}

func TestSubmitNeedsOpenCall(t *testing.T) {
	owner := Actor{Roles: []string{"participant"}, IsOwner: true}
	for _, tc := range []struct {
		status string
		want   outcome
	}{
		{"upcoming", closed},
		{"open", okay},
		{"closed", closed},
		{"", closed},
	} {
		err := Check(Draft, Submit, owner, Situation{CallStatus: tc.status, Now: t0})
		if got := outcomeOf(t, err); got != tc.want {
			t.Errorf("submit with call %q: got %s (%v), want %s", tc.status, got, err, tc.want)
		}
		if tc.want == closed && err.Error() != "the call is not accepting submissions" {
			t.Errorf("submit with call %q: message %q", tc.status, err.Error())
		}
	}
}

func TestResubmitRevisionWindow(t *testing.T) {
	owner := Actor{Roles: []string{"participant"}, IsOwner: true}
	for _, tc := range []struct {
		name     string
		status   string
		reviseBy time.Time
		want     outcome
	}{
		{"open, revise-by ahead", "open", after, okay},
		{"open, revise-by passed", "open", before, okay},
		{"closed, revise-by ahead", "closed", after, okay},
		{"closed, at the revise-by instant", "closed", t0, okay},
		{"closed, a nanosecond after revise-by", "closed", t0.Add(-time.Nanosecond), closed},
		{"closed, revise-by passed", "closed", before, closed},
		{"closed, no revise-by", "closed", time.Time{}, closed},
		{"upcoming, revise-by passed", "upcoming", before, closed},
	} {
		err := Check(Returned, Resubmit, owner, Situation{CallStatus: tc.status, Now: t0, ReviseBy: tc.reviseBy, ReturnedBefore: true})
		if got := outcomeOf(t, err); got != tc.want {
			t.Errorf("%s: got %s (%v), want %s", tc.name, got, err, tc.want)
		}
	}
}

func TestReturnOnce(t *testing.T) {
	reviewer := Actor{Roles: []string{"reviewer"}}
	sit := Situation{CallStatus: "open", Now: t0}
	if err := Check(Submitted, ScreenReturn, reviewer, sit); err != nil {
		t.Fatalf("first return: %v", err)
	}
	sit.ReturnedBefore = true
	err := Check(Submitted, ScreenReturn, reviewer, sit)
	var te *TransitionError
	if !errors.As(err, &te) {
		t.Fatalf("second return: got %v, want a TransitionError", err)
	}
	if want := []Event{ScreenPass, ScreenFail, Withdraw}; !slices.Equal(te.Allowed, want) {
		t.Errorf("second return: Allowed = %v, want %v", te.Allowed, want)
	}
	want := "cannot screen_return a note in state submitted (a note can be returned only once); allowed now: screen_pass, screen_fail, withdraw"
	if err.Error() != want {
		t.Errorf("second return: message %q, want %q", err.Error(), want)
	}
	// Having been returned does not stop the other screening outcomes.
	for _, e := range []Event{ScreenPass, ScreenFail} {
		if err := Check(Submitted, e, reviewer, sit); err != nil {
			t.Errorf("%s after a return: %v", e, err)
		}
	}
}

func TestScreenFailFromReturned(t *testing.T) {
	reviewer := Actor{Roles: []string{"reviewer"}}
	for _, tc := range []struct {
		name     string
		from     State
		reviseBy time.Time
		want     outcome
	}{
		{"returned, revise-by ahead", Returned, after, transition},
		{"returned, at the revise-by instant", Returned, t0, transition},
		{"returned, revise-by passed", Returned, before, okay},
		{"returned, no revise-by", Returned, time.Time{}, okay},
		{"submitted, revise-by ahead", Submitted, after, okay},
	} {
		err := Check(tc.from, ScreenFail, reviewer, Situation{CallStatus: "closed", Now: t0, ReviseBy: tc.reviseBy, ReturnedBefore: true})
		if got := outcomeOf(t, err); got != tc.want {
			t.Errorf("%s: got %s (%v), want %s", tc.name, got, err, tc.want)
		}
		var te *TransitionError
		if errors.As(err, &te) && !slices.Equal(te.Allowed, []Event{Resubmit, Withdraw}) {
			t.Errorf("%s: Allowed = %v, want [resubmit withdraw]", tc.name, te.Allowed)
		}
	}
}

func TestClassifyMinimumReviews(t *testing.T) {
	chair := Actor{Roles: []string{"chair"}}
	for _, tc := range []struct {
		name         string
		reviews, min int
		override     string
		want         outcome
	}{
		{"below minimum, no override", 2, 3, "", minReviews},
		{"no reviews, no override", 0, 3, "", minReviews},
		{"below minimum, blank override", 2, 3, "   ", minReviews},
		{"below minimum, with override", 2, 3, "The committee meets once; two reviews agree.", okay},
		{"at minimum", 3, 3, "", okay},
		{"above minimum", 4, 3, "", okay},
		{"no minimum", 0, 0, "", okay},
	} {
		sit := Situation{CallStatus: "closed", Now: t0, Reviews: tc.reviews, MinReviews: tc.min, Reason: "Fits the plan.", Override: tc.override}
		err := Check(Screened, Classify, chair, sit)
		if got := outcomeOf(t, err); got != tc.want {
			t.Errorf("%s: got %s (%v), want %s", tc.name, got, err, tc.want)
		}
	}
}

func TestReasonsRequired(t *testing.T) {
	chair := Actor{Roles: []string{"chair", "reviewer"}}
	for _, tc := range []struct {
		from   State
		e      Event
		reason string
		want   outcome
	}{
		{Classified, Reopen, "", reason},
		{Classified, Reopen, " \n\t", reason},
		{Classified, Reopen, "New evidence from the agency.", okay},
		{Ineligible, Reinstate, "", reason},
		{Ineligible, Reinstate, "  ", reason},
		{Ineligible, Reinstate, "Failed by mistake.", okay},
		{Screened, Classify, "", reason},
		{Screened, Classify, "\t", reason},
		{Screened, Classify, "Strong, verifiable, owned.", okay},
		// Screening events carry their reasons elsewhere (checklist, instructions).
		{Submitted, ScreenPass, "", okay},
		{Submitted, ScreenReturn, "", okay},
		{Submitted, ScreenFail, "", okay},
	} {
		sit := Situation{CallStatus: "closed", Now: t0, Reviews: 3, MinReviews: 3, Reason: tc.reason}
		err := Check(tc.from, tc.e, chair, sit)
		if got := outcomeOf(t, err); got != tc.want {
			t.Errorf("%s from %s with reason %q: got %s (%v), want %s", tc.e, tc.from, tc.reason, got, err, tc.want)
		}
	}
	// The rationale comes before the minimum: both missing reports the rationale.
	err := Check(Screened, Classify, chair, Situation{Reviews: 0, MinReviews: 3})
	if got := outcomeOf(t, err); got != reason {
		t.Errorf("classify with neither rationale nor reviews: got %s, want %s", got, reason)
	}
}

func TestActorWithSeveralRoles(t *testing.T) {
	// A chair who wrote a note is its owner for owner events, and a chair for committee ones.
	a := Actor{Roles: []string{"participant", "chair"}, IsOwner: true}
	sit := Situation{CallStatus: "open", Now: t0, Reason: "x", Reviews: 3, MinReviews: 3}
	for _, tc := range []struct {
		s State
		e Event
	}{{Draft, Submit}, {Screened, Classify}, {Screened, Withdraw}} {
		if err := Check(tc.s, tc.e, a, sit); err != nil {
			t.Errorf("%s on %s: %v", tc.e, tc.s, err)
		}
	}
	// The owner flag alone does not make a coordinator a committee member.
	if got := outcomeOf(t, Check(Submitted, ScreenPass, Actor{Roles: []string{"coordinator"}, IsOwner: true}, sit)); got != forbidden {
		t.Errorf("owning coordinator screens: got %s, want forbidden", got)
	}
	// A role without ownership does not let anyone submit someone else's note.
	if got := outcomeOf(t, Check(Draft, Submit, Actor{Roles: []string{"chair", "reviewer", "coordinator"}}, sit)); got != forbidden {
		t.Errorf("chair submits another's draft: got %s, want forbidden", got)
	}
}

func TestTransitionErrorMessage(t *testing.T) {
	owner := Actor{Roles: []string{"participant"}, IsOwner: true}
	for _, tc := range []struct {
		s    State
		e    Event
		want string
	}{
		{Draft, ScreenPass, "cannot screen_pass a note in state draft; allowed now: submit, withdraw"},
		{Withdrawn, Submit, "cannot submit a note in state withdrawn; nothing is allowed now"},
		{Classified, Classify, "cannot classify a note in state classified; allowed now: reopen"},
	} {
		err := Check(tc.s, tc.e, owner, Situation{CallStatus: "open", Now: t0})
		if err == nil || err.Error() != tc.want {
			t.Errorf("Check(%s, %s) = %v, want %q", tc.s, tc.e, err, tc.want)
		}
	}
}

func TestRulesCoverEveryEvent(t *testing.T) {
	if len(Rules) != len(Events) {
		t.Errorf("len(Rules) = %d, want %d", len(Rules), len(Events))
	}
	for _, e := range Events {
		r, ok := Rules[e]
		if !ok {
			t.Errorf("no rule for %s", e)
			continue
		}
		if r.Event != e || r.Note == "" {
			t.Errorf("Rules[%s] = %+v: wrong Event or no Note", e, r)
		}
		if r.Owner == (len(r.Roles) > 0) {
			t.Errorf("Rules[%s]: an event is fired by its owner or by roles, not both or neither", e)
		}
	}
	for _, e := range []Event{Submit, Resubmit} {
		if !Rules[e].NeedsOpenCall {
			t.Errorf("Rules[%s].NeedsOpenCall = false", e)
		}
	}
	for _, e := range []Event{Classify, Reopen, Reinstate} {
		if !Rules[e].NeedsReason {
			t.Errorf("Rules[%s].NeedsReason = false", e)
		}
	}
}
