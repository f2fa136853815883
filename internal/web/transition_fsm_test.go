package web

import (
	"context"
	"slices"
	"testing"

	"github.com/looplab/fsm"

	"cocreate/internal/workflow"
)

// TestTransitionsRunThroughTheFSM changes a row of the workflow's table and
// sees the service follow: the FSM built from the table decides what may
// happen, and the state written and the history entry are the step it made.
func TestTransitionsRunThroughTheFSM(t *testing.T) {
	ts := newTestServer(t)
	call := ts.makeCall("belize-2026", nil)
	_, tok := ts.user("Pat Participant", "NGO", "civil_society")
	draft, dv := ts.draft(call, tok, completeNote())
	sub, sv := ts.submitted(call, tok)

	saved := slices.Clone(workflow.Table)
	t.Cleanup(func() { workflow.Table = saved })
	i := slices.IndexFunc(saved, func(d fsm.EventDesc) bool { return d.Name == string(workflow.Withdraw) })
	// Withdrawing is now allowed from a draft only, and leads to "returned".
	workflow.Table = slices.Clone(saved)
	workflow.Table[i] = fsm.EventDesc{Name: string(workflow.Withdraw), Src: []string{string(workflow.Draft)}, Dst: string(workflow.Returned)}

	r := ts.api("POST", "/api/v1/notes/"+sub+"/withdraw", tok, map[string]any{"version": sv})
	if r.Status != 409 || r.errCode() != "invalid_transition" {
		t.Fatalf("withdrawing a submitted note the table no longer allows: %d %s", r.Status, r.Raw)
	}
	r = ts.api("POST", "/api/v1/notes/"+draft+"/withdraw", tok, map[string]any{"version": dv, "reason": "Testing the table"})
	if r.Status != 200 {
		t.Fatalf("withdrawing a draft: %d %s", r.Status, r.Raw)
	}
	n, err := ts.store.NoteByID(context.Background(), draft)
	if err != nil {
		t.Fatal(err)
	}
	last := n.History[len(n.History)-1]
	if n.State != "returned" || last.From != "draft" || last.To != "returned" || last.Event != "withdraw" || last.Reason != "Testing the table" {
		t.Fatalf("after the changed withdraw: state %s, history entry %+v", n.State, last)
	}
	if s, _ := ts.store.NoteByID(context.Background(), sub); s.State != "submitted" {
		t.Fatalf("the refused withdraw moved the note to %s", s.State)
	}
}
