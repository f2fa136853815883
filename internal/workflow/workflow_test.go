package workflow

import (
	"context"
	"slices"
	"testing"
)

// wantNext is the lifecycle of domain.md written out by hand, independent of Table.
var wantNext = map[State]map[Event]State{
	Draft:      {Submit: Submitted, Withdraw: Withdrawn},
	Submitted:  {ScreenPass: Screened, ScreenReturn: Returned, ScreenFail: Ineligible, Withdraw: Withdrawn},
	Returned:   {Resubmit: Submitted, ScreenFail: Ineligible, Withdraw: Withdrawn},
	Screened:   {Classify: Classified, Withdraw: Withdrawn},
	Ineligible: {Reinstate: Submitted},
	Classified: {Reopen: Screened},
	Withdrawn:  {},
}

// wantAllowed is Allowed's expected answer per state, in the order of the constants.
var wantAllowed = map[State][]Event{
	Draft:      {Submit, Withdraw},
	Submitted:  {ScreenPass, ScreenReturn, ScreenFail, Withdraw},
	Returned:   {Resubmit, ScreenFail, Withdraw},
	Screened:   {Classify, Withdraw},
	Ineligible: {Reinstate},
	Classified: {Reopen},
	Withdrawn:  nil,
}

func TestStatesAndEventsLists(t *testing.T) {
	wantStates := []State{"draft", "submitted", "returned", "screened", "ineligible", "classified", "withdrawn"}
	if !slices.Equal(States, wantStates) {
		t.Errorf("States = %v, want %v", States, wantStates)
	}
	wantEvents := []Event{"submit", "screen_pass", "screen_return", "resubmit", "screen_fail", "classify", "reopen", "reinstate", "withdraw"}
	if !slices.Equal(Events, wantEvents) {
		t.Errorf("Events = %v, want %v", Events, wantEvents)
	}
	var inTable []Event
	for _, d := range Table {
		inTable = append(inTable, Event(d.Name))
	}
	if !slices.Equal(inTable, wantEvents) {
		t.Errorf("Table events = %v, want one entry per event in order %v", inTable, wantEvents)
	}
}

func TestCanAndNext(t *testing.T) {
	for _, s := range States {
		for _, e := range Events {
			want, wantOK := wantNext[s][e]
			if got := Can(s, e); got != wantOK {
				t.Errorf("Can(%s, %s) = %v, want %v", s, e, got, wantOK)
			}
			got, ok := Next(s, e)
			if ok != wantOK || got != want {
				t.Errorf("Next(%s, %s) = %q, %v; want %q, %v", s, e, got, ok, want, wantOK)
			}
		}
	}
	// Classifying a classified note must go through reopen.
	if Can(Classified, Classify) {
		t.Error("Can(classified, classify) = true, want false")
	}
	for _, tc := range []struct {
		s State
		e Event
	}{{"", Submit}, {"archived", Submit}, {Draft, ""}, {Draft, "publish"}} {
		if Can(tc.s, tc.e) {
			t.Errorf("Can(%q, %q) = true for an unknown state or event", tc.s, tc.e)
		}
	}
}

func TestAllowed(t *testing.T) {
	for _, s := range States {
		if got := Allowed(s); !slices.Equal(got, wantAllowed[s]) {
			t.Errorf("Allowed(%s) = %v, want %v", s, got, wantAllowed[s])
		}
	}
	if got := Allowed("archived"); len(got) != 0 {
		t.Errorf("Allowed(archived) = %v, want none", got)
	}
}

func TestMachineAgreesWithCan(t *testing.T) {
	ctx := context.Background()
	for _, s := range States {
		if a, b := Machine(s), Machine(s); a == b {
			t.Fatalf("Machine(%s) returned the same FSM twice", s)
		}
		for _, e := range Events {
			m := Machine(s)
			if m.Current() != string(s) {
				t.Fatalf("Machine(%s).Current() = %q", s, m.Current())
			}
			if got, want := m.Can(string(e)), Can(s, e); got != want {
				t.Errorf("Machine(%s).Can(%s) = %v, Can = %v", s, e, got, want)
			}
			err := m.Event(ctx, string(e))
			next, ok := Next(s, e)
			switch {
			case ok && err != nil:
				t.Errorf("Machine(%s).Event(%s) = %v, want it to move to %s", s, e, err, next)
			case ok && m.Current() != string(next):
				t.Errorf("Machine(%s).Event(%s) moved to %s, want %s", s, e, m.Current(), next)
			case !ok && err == nil:
				t.Errorf("Machine(%s).Event(%s) succeeded, want refused", s, e)
			case !ok && m.Current() != string(s):
				t.Errorf("Machine(%s).Event(%s) refused but moved to %s", s, e, m.Current())
			}
			// A fresh machine is untouched by the one that just fired.
			if got := Machine(s).Current(); got != string(s) {
				t.Errorf("a fresh Machine(%s) starts at %s", s, got)
			}
		}
	}
}

func TestLabels(t *testing.T) {
	states := map[State]string{
		Draft: "Draft", Submitted: "Submitted", Returned: "Returned for revision", Screened: "Under review",
		Ineligible: "Not eligible", Classified: "Classified", Withdrawn: "Withdrawn",
	}
	for _, s := range States {
		if got := Label(s); got != states[s] {
			t.Errorf("Label(%s) = %q, want %q", s, got, states[s])
		}
	}
	events := map[Event]string{
		Submit: "Submit", ScreenPass: "Pass screening", ScreenReturn: "Return for revision", Resubmit: "Resubmit",
		ScreenFail: "Fail screening", Classify: "Classify", Reopen: "Reopen", Reinstate: "Reinstate", Withdraw: "Withdraw",
	}
	for _, e := range Events {
		if got := EventLabel(e); got != events[e] {
			t.Errorf("EventLabel(%s) = %q, want %q", e, got, events[e])
		}
	}
	if got := EventLabel("publish"); got != "publish" {
		t.Errorf("EventLabel(publish) = %q, want the name itself", got)
	}
}
