package workflow

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"
)

// fuzzRoles are the role sets a fuzzed actor may hold, by byte.
var fuzzRoles = [][]string{
	nil, {"participant"}, {"reviewer"}, {"chair"}, {"coordinator"},
	{"participant", "reviewer"}, {"reviewer", "chair"}, {"participant", "chair", "coordinator"},
}

// FuzzEventSequences fires random events from random actors in random
// situations at a note that starts as a draft, three bytes an attempt
// (event, actor, situation), and checks the lifecycle's invariants after
// each one: the state is always one of States; each accepted event is one
// step from the current state along Table, so the history (the accepted
// steps) chains with one entry per transition; a refusal changes nothing;
// nothing leaves withdrawn; the owner's events need the owner and the
// others their roles; a classified note's last step is a classification
// (its decision); and a note is returned at most once.
func FuzzEventSequences(f *testing.F) {
	f.Add([]byte{0, 1, 1})                                                       // the owner submits
	f.Add([]byte{0, 1, 1, 1, 3, 0, 5, 3, 6, 6, 3, 6})                            // submit, pass, classify, reopen
	f.Add([]byte{0, 1, 1, 2, 2, 0, 3, 1, 1, 2, 2, 0, 4, 3, 4})                   // returned twice, then failed
	f.Add([]byte{0, 1, 1, 4, 6, 4, 7, 3, 6, 8, 1, 1, 0, 1, 1})                   // fail, reinstate, withdraw, submit again
	f.Add([]byte{0, 2, 1, 0, 6, 1, 0, 1, 1, 1, 2, 0, 8, 1, 1, 8, 1, 1, 0, 1, 1}) // others submit, then the owner; withdrawn, it stays so
	f.Fuzz(func(t *testing.T, seq []byte) {
		state := Draft
		var history []Step
		returned := false
		base := time.Date(2026, 6, 15, 12, 0, 0, 0, time.UTC)
		for i := 0; i+2 < len(seq) && i < 3*64; i += 3 {
			e := Events[int(seq[i])%len(Events)]
			who, how := seq[i+1], seq[i+2]
			a := Actor{Roles: fuzzRoles[int(who>>1)%len(fuzzRoles)], IsOwner: who&1 == 1}
			sit := Situation{
				CallStatus:     []string{"upcoming", CallOpen, "closed", CallOpen}[how&3],
				Now:            base,
				ReviseBy:       base.Add(time.Duration(int(how>>2&3)-1) * time.Hour),
				ReturnedBefore: returned,
				Reviews:        int(how >> 4 & 3),
				MinReviews:     2,
			}
			if how&0x40 != 0 {
				sit.Reason = "because"
			}
			if how&0x80 != 0 {
				sit.Override = "the meeting is today"
			}
			step, err := Fire(context.Background(), state, e, a, sit)
			if err != nil {
				if step != (Step{}) {
					t.Fatalf("a refused %s returned a step %+v", e, step)
				}
				var te *TransitionError
				if !errors.As(err, &te) && !errors.Is(err, ErrForbidden) && !errors.Is(err, ErrCallClosed) &&
					!errors.Is(err, ErrReasonRequired) && !errors.Is(err, ErrMinReviews) {
					t.Fatalf("%s from %s: an error of no documented kind: %v", e, state, err)
				}
				if Can(state, e) != (te == nil || te.Why != "") {
					t.Fatalf("%s from %s: refusal %v disagrees with the table (Can=%v)", e, state, err, Can(state, e))
				}
				continue
			}
			if state == Withdrawn {
				t.Fatalf("%s left withdrawn", e)
			}
			next, ok := Next(state, e)
			if !ok || step.From != state || step.To != next || step.Event != e {
				t.Fatalf("%s from %s: step %+v, table says %s (%v)", e, state, step, next, ok)
			}
			if !slices.Contains(States, step.To) {
				t.Fatalf("%s moved to an undefined state %q", e, step.To)
			}
			r := Rules[e]
			if r.Owner && !a.IsOwner {
				t.Fatalf("%s by a non-owner %v was accepted", e, a.Roles)
			}
			if len(r.Roles) > 0 && !a.has(r.Roles) {
				t.Fatalf("%s by %v was accepted; it needs %v", e, a.Roles, r.Roles)
			}
			if e == ScreenReturn {
				if returned {
					t.Fatal("a note was returned twice")
				}
				returned = true
			}
			if len(history) > 0 && history[len(history)-1].To != step.From {
				t.Fatalf("history does not chain: %+v then %+v", history[len(history)-1], step)
			}
			history = append(history, step)
			state = step.To
			if state == Classified && history[len(history)-1].Event != Classify {
				t.Fatalf("classified without a decision: %+v", history)
			}
		}
		if !slices.Contains(States, state) {
			t.Fatalf("ended in an undefined state %q", state)
		}
	})
}
