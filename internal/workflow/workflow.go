// Package workflow holds a concept note's lifecycle: its states and events,
// the one looplab/fsm transition table, and the rules on who may fire which
// event and when. It is pure domain code: no HTTP, no database.
package workflow

import (
	"context"

	"github.com/looplab/fsm"

	"cocreate/internal/enum"
)

// State is where a concept note is in its lifecycle.
type State string

// The states of a note; their values are the ones stored and sent over the API.
const (
	// Draft is a note its owner is still writing; saving it checks no limits.
	Draft State = "draft"
	// Submitted is a note waiting for screening.
	Submitted State = "submitted"
	// Returned is a note sent back for revision until its revise-by day ends.
	Returned State = "returned"
	// Screened is a note that passed screening and is being scored.
	Screened State = "screened"
	// Ineligible is a note that failed screening.
	Ineligible State = "ineligible"
	// Classified is a note the chair has put in a class.
	Classified State = "classified"
	// Withdrawn is a note its owner took back; nothing more happens to it.
	Withdrawn State = "withdrawn"
)

// Event is something that moves a note from one state to another.
type Event string

// The events of the lifecycle; their values are the names used by the FSM and the API.
const (
	// Submit sends a draft to the committee.
	Submit Event = "submit"
	// ScreenPass passes a submitted note on every basic criterion.
	ScreenPass Event = "screen_pass"
	// ScreenReturn sends a submitted note back for revision, once.
	ScreenReturn Event = "screen_return"
	// Resubmit sends a revised note back to screening.
	Resubmit Event = "resubmit"
	// ScreenFail makes a note ineligible.
	ScreenFail Event = "screen_fail"
	// Classify records the chair's class for a screened note.
	Classify Event = "classify"
	// Reopen takes a classified note back to screened so its decision can change.
	Reopen Event = "reopen"
	// Reinstate takes an ineligible note back to screening.
	Reinstate Event = "reinstate"
	// Withdraw lets the owner take a note back before a decision.
	Withdraw Event = "withdraw"
)

// States lists every state in the order of the constants.
var States = []State{Draft, Submitted, Returned, Screened, Ineligible, Classified, Withdrawn}

// Events lists every event in the order of the constants, the order pages show actions in.
var Events = []Event{Submit, ScreenPass, ScreenReturn, Resubmit, ScreenFail, Classify, Reopen, Reinstate, Withdraw}

// Table is the one transition table of the lifecycle, exactly as domain.md draws it.
//
// A classified note is not classified again: it is reopened first, so the
// change of decision is recorded with its own reason.
var Table = fsm.Events{
	{Name: string(Submit), Src: []string{string(Draft)}, Dst: string(Submitted)},
	{Name: string(ScreenPass), Src: []string{string(Submitted)}, Dst: string(Screened)},
	{Name: string(ScreenReturn), Src: []string{string(Submitted)}, Dst: string(Returned)},
	{Name: string(Resubmit), Src: []string{string(Returned)}, Dst: string(Submitted)},
	{Name: string(ScreenFail), Src: []string{string(Submitted), string(Returned)}, Dst: string(Ineligible)},
	{Name: string(Classify), Src: []string{string(Screened)}, Dst: string(Classified)},
	{Name: string(Reopen), Src: []string{string(Classified)}, Dst: string(Screened)},
	{Name: string(Reinstate), Src: []string{string(Ineligible)}, Dst: string(Submitted)},
	{Name: string(Withdraw), Src: []string{string(Draft), string(Submitted), string(Returned), string(Screened)}, Dst: string(Withdrawn)},
}

// Machine returns a fresh FSM built from Table standing at state s, with no
// callbacks: the table alone. Build one per question or action and never
// keep it between requests; Fire adds the rules as guards.
func Machine(s State) *fsm.FSM {
	return fsm.NewFSM(string(s), Table, nil)
}

// Can reports whether the FSM has a transition for e from s; pages use it
// to decide which actions to offer.
func Can(s State, e Event) bool {
	return Machine(s).Can(string(e))
}

// Next returns the state e leads to from s, as the FSM moves, and false
// when the table has no such transition.
func Next(s State, e Event) (State, bool) {
	m := Machine(s)
	if err := m.Event(context.Background(), string(e)); err != nil {
		return "", false
	}
	return State(m.Current()), true
}

// Allowed returns the events the table allows from s, in the order of Events.
func Allowed(s State) []Event {
	m := Machine(s)
	var out []Event
	for _, e := range Events {
		if m.Can(string(e)) {
			out = append(out, e)
		}
	}
	return out
}

// Label returns the participant's wording for s (a screened note reads "Under review").
func Label(s State) string {
	return enum.States.Label(string(s))
}

var eventLabels = map[Event]string{
	Submit:       "Submit",
	ScreenPass:   "Pass screening",
	ScreenReturn: "Return for revision",
	Resubmit:     "Resubmit",
	ScreenFail:   "Fail screening",
	Classify:     "Classify",
	Reopen:       "Reopen",
	Reinstate:    "Reinstate",
	Withdraw:     "Withdraw",
}

// EventLabel returns the button wording for e, or e itself when it is unknown.
func EventLabel(e Event) string {
	if l, ok := eventLabels[e]; ok {
		return l
	}
	return string(e)
}
