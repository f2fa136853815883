package workflow

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/looplab/fsm"
)

// anyone and allOK are an actor and a situation in which every tabled event passes its rules.
var (
	anyone = Actor{Roles: []string{"participant", "reviewer", "chair"}, IsOwner: true}
	allOK  = Situation{CallStatus: "open", Now: t0, ReviseBy: before, Reviews: 3, MinReviews: 3, Reason: "Agreed in committee."}
)

// TestFireMakesTheStepOfTheTable fires every (state, event) and checks the
// step against the lifecycle written out by hand (wantNext).
func TestFireMakesTheStepOfTheTable(t *testing.T) {
	ctx := context.Background()
	for _, s := range States {
		for _, e := range Events {
			step, err := Fire(ctx, s, e, anyone, allOK)
			to, ok := wantNext[s][e]
			switch {
			case ok && err != nil:
				t.Errorf("Fire(%s, %s) = %v, want a step to %s", s, e, err, to)
			case ok && step != (Step{From: s, To: to, Event: e}):
				t.Errorf("Fire(%s, %s) made step %+v, want %s → %s by %s", s, e, step, s, to, e)
			case !ok && !errors.Is(err, ErrInvalidTransition):
				t.Errorf("Fire(%s, %s) = %+v, %v; want a TransitionError", s, e, step, err)
			case !ok && step != (Step{}):
				t.Errorf("Fire(%s, %s) refused but made step %+v", s, e, step)
			}
		}
	}
}

// TestFireRunsGuardsAfterTheRules checks the caller's guards run only once
// the event's rule passed, in order, and that a guard's error comes back as
// it is, with no step.
func TestFireRunsGuardsAfterTheRules(t *testing.T) {
	ctx := context.Background()
	var calls []string
	guard := func(name string, err error) Guard {
		return func() error { calls = append(calls, name); return err }
	}
	owner := Actor{Roles: []string{"participant"}, IsOwner: true}

	// The rule refuses (another's draft): no guard runs.
	if _, err := Fire(ctx, Draft, Submit, Actor{Roles: []string{"participant"}}, allOK, guard("first", nil)); !errors.Is(err, ErrForbidden) || len(calls) != 0 {
		t.Fatalf("rule refusal: err %v, guards run %v", err, calls)
	}
	// A lifecycle rule refuses (returned once): no guard runs.
	sit := allOK
	sit.ReturnedBefore = true
	if _, err := Fire(ctx, Submitted, ScreenReturn, anyone, sit, guard("first", nil)); !errors.Is(err, ErrInvalidTransition) || len(calls) != 0 {
		t.Fatalf("lifecycle refusal: err %v, guards run %v", err, calls)
	}
	// The table refuses: no guard runs.
	if _, err := Fire(ctx, Withdrawn, Submit, owner, allOK, guard("first", nil)); !errors.Is(err, ErrInvalidTransition) || len(calls) != 0 {
		t.Fatalf("table refusal: err %v, guards run %v", err, calls)
	}
	// The second guard refuses: both ran in order, its error is returned as it is.
	stop := errors.New("the note moved on")
	step, err := Fire(ctx, Draft, Submit, owner, allOK, guard("first", nil), guard("second", stop), guard("third", nil))
	if err != stop || step != (Step{}) || !slices.Equal(calls, []string{"first", "second"}) {
		t.Fatalf("guard refusal: step %+v, err %v, guards run %v", step, err, calls)
	}
	calls = nil
	step, err = Fire(ctx, Draft, Submit, owner, allOK, guard("first", nil), guard("second", nil))
	if err != nil || step != (Step{From: Draft, To: Submitted, Event: Submit}) || len(calls) != 2 {
		t.Fatalf("all guards pass: step %+v, err %v, guards run %v", step, err, calls)
	}
}

// TestFireStopsOnADoneContext: an action whose request is gone makes no step.
func TestFireStopsOnADoneContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	step, err := Fire(ctx, Draft, Submit, Actor{IsOwner: true}, allOK)
	if !errors.Is(err, context.Canceled) || step != (Step{}) {
		t.Fatalf("Fire on a cancelled context = %+v, %v", step, err)
	}
}

// TestTheTableDecides changes a row of Table and sees Can, Allowed, Check
// and Fire follow, so none of them keeps a copy of the lifecycle.
func TestTheTableDecides(t *testing.T) {
	saved := slices.Clone(Table)
	t.Cleanup(func() { Table = saved })
	i := slices.IndexFunc(Table, func(d fsm.EventDesc) bool { return d.Name == string(Withdraw) })
	// Withdrawing becomes possible from classified only, and leads to returned.
	Table = slices.Clone(saved)
	Table[i] = fsm.EventDesc{Name: string(Withdraw), Src: []string{string(Classified)}, Dst: string(Returned)}

	owner := Actor{Roles: []string{"participant"}, IsOwner: true}
	if Can(Draft, Withdraw) || !Can(Classified, Withdraw) {
		t.Errorf("Can does not follow the table: draft %v, classified %v", Can(Draft, Withdraw), Can(Classified, Withdraw))
	}
	if got := Allowed(Draft); !slices.Equal(got, []Event{Submit}) {
		t.Errorf("Allowed(draft) = %v, want [submit]", got)
	}
	if err := Check(Draft, Withdraw, owner, allOK); !errors.Is(err, ErrInvalidTransition) {
		t.Errorf("Check(draft, withdraw) = %v, want a TransitionError", err)
	}
	step, err := Fire(context.Background(), Classified, Withdraw, owner, allOK)
	if err != nil || step != (Step{From: Classified, To: Returned, Event: Withdraw}) {
		t.Errorf("Fire(classified, withdraw) = %+v, %v; want classified → returned", step, err)
	}
	if to, ok := Next(Classified, Withdraw); !ok || to != Returned {
		t.Errorf("Next(classified, withdraw) = %s, %v", to, ok)
	}
}

// TestTheRulesAreTheGuards changes a rule and sees Fire follow: the FSM's
// guards read Rules when they run.
func TestTheRulesAreTheGuards(t *testing.T) {
	saved := Rules[Withdraw]
	t.Cleanup(func() { Rules[Withdraw] = saved })
	Rules[Withdraw] = Rule{Event: Withdraw, Roles: []string{"chair"}, Note: "Only the chair withdraws (test)."}
	ctx := context.Background()
	if _, err := Fire(ctx, Draft, Withdraw, Actor{Roles: []string{"participant"}, IsOwner: true}, allOK); !errors.Is(err, ErrForbidden) {
		t.Errorf("the owner withdraws under a chair-only rule: %v", err)
	}
	if _, err := Fire(ctx, Draft, Withdraw, Actor{Roles: []string{"chair"}}, allOK); err != nil {
		t.Errorf("the chair withdraws under a chair-only rule: %v", err)
	}
}

// TestAnEventWithoutARuleIsRefused adds a row to Table for an event no rule
// covers: the FSM would allow it, its guard refuses it.
func TestAnEventWithoutARuleIsRefused(t *testing.T) {
	saved := slices.Clone(Table)
	t.Cleanup(func() { Table = saved })
	Table = append(slices.Clone(saved), fsm.EventDesc{Name: "archive", Src: []string{string(Classified)}, Dst: "archived"})
	if !Can(Classified, "archive") {
		t.Fatal("the added row is not in the table")
	}
	step, err := Fire(context.Background(), Classified, "archive", anyone, allOK)
	if !errors.Is(err, ErrForbidden) || step != (Step{}) {
		t.Fatalf("Fire(classified, archive) = %+v, %v; want refused: no rule", step, err)
	}
}
