package main

import (
	"strings"
	"testing"
	"time"

	"cocreate/internal/review"
	"cocreate/internal/store"
)

func TestCompareFiguresNamesEveryDifference(t *testing.T) {
	base := func() figures {
		return figures{Counts: map[string]int{"submitted": 2, "screened": 1}, Screened: map[string]int{"m1": 1},
			Notes: map[string]noteFigure{"a": {}, "b": {}, "c": {Reviews: 2, Mean: 2.5}}, Assigned: 2, Submitted: 2}
	}
	if d := compareFigures(base(), base()); len(d) != 0 {
		t.Fatalf("equal figures differ: %v", d)
	}
	cases := map[string]func(f *figures){
		"dashboard counts 3 notes submitted": func(f *figures) { f.Counts["submitted"] = 3 },
		"notes classified":                   func(f *figures) { f.Counts["classified"] = 1 },
		"member m1 screened 0":               func(f *figures) { delete(f.Screened, "m1") },
		"3 assignments":                      func(f *figures) { f.Assigned = 3 },
		"1 submitted reviews":                func(f *figures) { f.Submitted = 1 },
		"note c: dashboard counts 1 reviews": func(f *figures) { f.Notes["c"] = noteFigure{Reviews: 1, Mean: 2.5} },
		"note c: dashboard mean 2.7500":      func(f *figures) { f.Notes["c"] = noteFigure{Reviews: 2, Mean: 2.75} },
		"note b is missing":                  func(f *figures) { delete(f.Notes, "b") },
		"shows note x":                       func(f *figures) { f.Notes["x"] = noteFigure{} },
	}
	for want, mutate := range cases {
		dash := base()
		mutate(&dash)
		d := compareFigures(dash, base())
		if len(d) != 1 || !strings.Contains(d[0], want) {
			t.Errorf("%s: got %v", want, d)
		}
	}
}

func TestRecountReadsOnlyAssignedSubmittedReviews(t *testing.T) {
	crit := []review.Criterion{{Key: "problem", Weight: 1}}
	c := &store.Call{ID: "c", Criteria: crit, MinReviews: 2}
	at := time.Now()
	notes := []*store.Note{
		{ID: "draft", State: "draft"},
		{ID: "n1", State: "screened", SubmittedAt: &at, Screening: &store.Screening{Outcome: "pass", By: "chair"},
			Assignments: []store.Assignment{{ReviewerID: "r1"}, {ReviewerID: "r2"}, {ReviewerID: "r3"}}, Conflicts: []string{"r3"}},
		{ID: "n2", State: "submitted", SubmittedAt: &at},
	}
	reviews := []*store.Review{
		{NoteID: "n1", ReviewerID: "r1", State: store.ReviewSubmitted, Scores: map[string]int{"problem": 4}},
		{NoteID: "n1", ReviewerID: "r2", State: store.ReviewSubmitted, Scores: map[string]int{"problem": 2}},
		{NoteID: "n1", ReviewerID: "r3", State: store.ReviewSubmitted, Scores: map[string]int{"problem": 0}}, // conflicted
		{NoteID: "n1", ReviewerID: "r4", State: store.ReviewSubmitted, Scores: map[string]int{"problem": 0}}, // not assigned
		{NoteID: "n2", ReviewerID: "r1", State: store.ReviewDraft, Scores: map[string]int{"problem": 1}},     // a draft
	}
	f := recount(c, notes, reviews)
	want := review.Aggregate([]review.Input{{Scores: map[string]int{"problem": 4}}, {Scores: map[string]int{"problem": 2}}}, crit, 2)
	if n1 := f.Notes["n1"]; n1.Reviews != 2 || n1.Mean != want.Mean {
		t.Fatalf("n1: %+v, want 2 reviews, mean %v", n1, want.Mean)
	}
	if _, ok := f.Notes["draft"]; ok || f.Counts["draft"] != 0 {
		t.Fatalf("a draft is on the dashboard: %+v", f)
	}
	if f.Counts["screened"] != 1 || f.Counts["submitted"] != 1 || f.Screened["chair"] != 1 || f.Assigned != 3 || f.Submitted != 2 ||
		f.Notes["n2"] != (noteFigure{}) {
		t.Fatalf("recount: %+v", f)
	}
}

func TestCheckNotesFindsDoublesAndHalves(t *testing.T) {
	at := time.Now()
	ok := func(id, title, ref string) *store.Note {
		n := &store.Note{ID: id, Ref: ref, State: "submitted", Owner: "p", SubmittedAt: &at,
			History: []store.HistoryEntry{{To: "draft", Event: "create"}, {From: "draft", To: "submitted", Event: "submit"}}}
		n.Title = title
		return n
	}
	exp := expected{Subs: []*submission{{NoteID: "a", Ref: "R1", Title: "A", OwnerID: "p"}}}
	if p := checkNotes([]*store.Note{ok("a", "A", "R1")}, exp); len(p) != 0 {
		t.Fatalf("a sound note: %v", p)
	}
	half := ok("b", "B", "")
	twice := ok("c", "A", "R2")
	sameRef := ok("d", "D", "R1")
	p := checkNotes([]*store.Note{ok("a", "A", "R1"), half, twice, sameRef}, exp)
	for _, want := range []string{"note b (submitted) is half-written", `"A" was created 2 times`, "reference R1 is on 2 notes"} {
		if !strings.Contains(strings.Join(p, "\n"), want) {
			t.Errorf("missing %q in %v", want, p)
		}
	}
	if p := checkNotes(nil, exp); len(p) != 1 || !strings.Contains(p[0], "R1 (A) is not in the database") {
		t.Fatalf("a lost submission: %v", p)
	}
}
