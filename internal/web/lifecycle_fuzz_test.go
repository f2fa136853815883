package web

import (
	"context"
	"slices"
	"testing"
	"time"

	"cocreate/internal/store"
	"cocreate/internal/workflow"
)

// lifecycleActions are the API's state-changing actions on a note, each
// with its path and body for the note's current version.
var lifecycleActions = []struct {
	name, path string
	body       func(n *store.Note) map[string]any
}{
	{"submit", "/submit", func(n *store.Note) map[string]any { return map[string]any{"version": n.Version} }},
	{"pass", "/screen", func(n *store.Note) map[string]any {
		return map[string]any{"version": n.Version, "outcome": "pass", "checklist": checklist()}
	}},
	{"return", "/screen", func(n *store.Note) map[string]any {
		return map[string]any{"version": n.Version, "outcome": "return", "checklist": checklist("verifiable"),
			"instructions": "Date the milestones.", "revise_by": "2026-06-30"}
	}},
	{"fail", "/screen", func(n *store.Note) map[string]any {
		return map[string]any{"version": n.Version, "outcome": "fail", "checklist": checklist("verifiable"), "comment": "Not verifiable."}
	}},
	{"resubmit", "/resubmit", func(n *store.Note) map[string]any { return map[string]any{"version": n.Version} }},
	{"classify", "/classify", func(n *store.Note) map[string]any {
		b := classifyBodyFor(n, "B", "included")
		b["override_reason"] = "The committee meets today."
		return b
	}},
	{"reopen", "/reopen", func(n *store.Note) map[string]any {
		return map[string]any{"version": n.Version, "reason": "New facts."}
	}},
	{"reinstate", "/reinstate", func(n *store.Note) map[string]any { return map[string]any{"version": n.Version, "reason": "Misread."} }},
	{"withdraw", "/withdraw", func(n *store.Note) map[string]any { return map[string]any{"version": n.Version} }},
}

// FuzzNoteLifecycle drives one fresh note a input through the real API
// with random actions from random callers (two bytes an attempt: action,
// caller; a byte may also move the clock a day), and checks the stored
// note after each: its state is a defined one; its history has one entry
// per accepted action, chained from draft to the state; an accepted action
// is one the lifecycle table allows; nothing leaves withdrawn; a
// classified note has a decision; and no answer is a 5xx.
func FuzzNoteLifecycle(f *testing.F) {
	ts := newTestServer(f)
	ctx := context.Background()
	now := ts.clock.Now()
	call := &store.Call{Slug: "lifecycle", Title: "Lifecycle", RefPrefix: "LC2026", OpensAt: now.AddDate(0, 0, -10),
		ClosesAt: now.AddDate(0, 0, 20), PlanStart: "2026-09", PlanEnd: "2028-08", TimeZone: "America/Belize",
		ReviewersPerNote: 3, MinReviews: 3}
	if err := ts.store.CreateCall(ctx, call); err != nil {
		f.Fatal(err)
	}
	owner, ownerTok := ts.user("Lena Owner", "Civic Group", "civil_society", "participant")
	_, otherTok := ts.user("Omar Other", "Other Group", "civil_society", "participant")
	_, revTok := ts.user("Rosa Reviewer", "Ministry", "government", "reviewer")
	_, chairTok := ts.user("Cy Chair", "Office", "government", "reviewer", "chair")
	_, coordTok := ts.user("Cam Coord", "Programme", "government", "coordinator")
	callers := []string{ownerTok, otherTok, revTok, chairTok, coordTok}
	f.Add([]byte{0, 0, 1, 3, 5, 3, 6, 3, 5, 3})             // submit, pass, classify, reopen, classify
	f.Add([]byte{0, 0, 2, 2, 4, 0, 3, 3, 7, 3, 8, 0})       // submit, return, resubmit, fail, reinstate, withdraw
	f.Add([]byte{8, 0, 0, 0, 0, 1, 1, 2, 3, 2})             // withdrawn first: nothing moves it
	f.Add([]byte{0, 1, 0, 0, 8, 0, 1, 3, 4, 0, 8, 3})       // another participant, then the owner; the chair after a withdrawal
	f.Add([]byte{0, 0, 2, 3, 2, 3, 4, 0, 2, 2, 1, 3, 5, 4}) // returned once only; the coordinator cannot classify
	f.Fuzz(func(t *testing.T, seq []byte) {
		ts.t = t
		defer func() { ts.t = f }()
		at := now.Add(-time.Hour)
		n := &store.Note{CallID: call.ID, State: "draft", Owner: owner.ID, Fields: validFields("Lifecycle", "justice"), CreatedAt: at, UpdatedAt: at}
		if err := ts.store.CreateNote(ctx, n); err != nil {
			t.Fatal(err)
		}
		accepted := 0
		for i := 0; i+1 < len(seq) && i < 2*24; i += 2 {
			act := lifecycleActions[int(seq[i])%len(lifecycleActions)]
			before, err := ts.store.NoteByID(ctx, n.ID)
			if err != nil {
				t.Fatal(err)
			}
			r := ts.api("POST", "/api/v1/notes/"+n.ID+act.path, callers[int(seq[i+1])%len(callers)], act.body(before))
			if r.Status >= 500 {
				t.Fatalf("%s: %d %s", act.name, r.Status, r.Raw)
			}
			after, err := ts.store.NoteByID(ctx, n.ID)
			if err != nil {
				t.Fatal(err)
			}
			if r.Status == 200 {
				accepted++
				if before.State == "withdrawn" {
					t.Fatalf("%s moved a withdrawn note to %s", act.name, after.State)
				}
				last := after.History[len(after.History)-1]
				if next, ok := workflow.Next(workflow.State(before.State), workflow.Event(last.Event)); !ok || string(next) != after.State {
					t.Fatalf("%s from %s went to %s, which the table does not allow", act.name, before.State, after.State)
				}
			} else if after.State != before.State || after.Version != before.Version {
				t.Fatalf("a refused %s (%d) changed the note from %s v%d to %s v%d", act.name, r.Status, before.State, before.Version, after.State, after.Version)
			}
			if !slices.Contains(workflow.States, workflow.State(after.State)) {
				t.Fatalf("undefined state %q", after.State)
			}
			if len(after.History) != accepted {
				t.Fatalf("%d history entries after %d accepted actions", len(after.History), accepted)
			}
			from := "draft"
			for _, h := range after.History {
				if h.From != from {
					t.Fatalf("history does not chain: %+v after %s", h, from)
				}
				from = h.To
			}
			if from != after.State {
				t.Fatalf("history ends at %s, the note is %s", from, after.State)
			}
			if after.State == "classified" && after.Decision == nil {
				t.Fatal("a classified note without a decision")
			}
		}
	})
}
