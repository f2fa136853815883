package web

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"cocreate/internal/review"
	"cocreate/internal/store"
)

// planWorld is a call seeded straight through the store, for checking
// what automatic assignment writes against review.Assign run by hand.
type planWorld struct {
	ts       *testServer
	coordTok string
	call     *store.Call
	revs     []*store.User // active reviewers
	tok      []string      // their bearer tokens
	owners   []*store.User
}

func newPlanWorld(t *testing.T, reviewers int) *planWorld {
	t.Helper()
	ctx := context.Background()
	ts := newTestServer(t)
	w := &planWorld{ts: ts}
	_, w.coordTok = ts.user("Cora Coordinator", "Open Government Programme", "government", "coordinator")
	w.call = &store.Call{Slug: "plan", Title: "Plan", RefPrefix: "PL", TimeZone: "America/Belize",
		OpensAt: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC), ClosesAt: time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC),
		ReviewersPerNote: 3, MinReviews: 3, Criteria: review.DefaultCriteria()}
	if err := ts.store.CreateCall(ctx, w.call); err != nil {
		t.Fatal(err)
	}
	sectors := []string{"government", "civil_society", "government", "academia", "private_sector", "government", "civil_society"}
	for i := range reviewers {
		u, tok := ts.user(fmt.Sprintf("Reviewer %d", i), fmt.Sprintf("Agency %d", i), sectors[i%len(sectors)], "reviewer")
		w.revs = append(w.revs, u)
		w.tok = append(w.tok, tok)
	}
	for i := range 12 {
		org := fmt.Sprintf("Group %d", i)
		if i%4 == 0 { // the same organisation as a reviewer, written differently
			org = fmt.Sprintf("  agency   %d ", i%reviewers)
		}
		u := &store.User{Email: fmt.Sprintf("powner%d@plan.example", i), Name: fmt.Sprintf("Owner %d", i),
			Organization: org, Sector: "civil_society", District: "cayo", Roles: []string{"participant"}, PasswordHash: "!"}
		if err := ts.store.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		w.owners = append(w.owners, u)
	}
	return w
}

// TestAutoAssignWritesThePlan seeds a call whose notes were created in an
// order other than their ids, with declared conflicts, organisation
// clashes, reviewers already assigned, a disabled reviewer, notes in other
// states and another call's notes; it checks that automatic assignment
// writes exactly review.Assign's plan for the call's screened notes taken
// oldest first, and explains the same shortfalls in the same order.
func TestAutoAssignWritesThePlan(t *testing.T) {
	ctx := context.Background()
	w := newPlanWorld(t, 7)
	ts := w.ts
	disabled := &store.User{Email: "off@plan.example", Name: "Disabled Reviewer", Organization: "Elsewhere",
		Sector: "government", District: "belize", Roles: []string{"reviewer"}, Disabled: true, PasswordHash: "!"}
	if err := ts.store.CreateUser(ctx, disabled); err != nil {
		t.Fatal(err)
	}
	other := &store.Call{Slug: "other", Title: "Other", RefPrefix: "OT", TimeZone: "America/Belize",
		OpensAt: w.call.OpensAt, ClosesAt: w.call.ClosesAt, ReviewersPerNote: 3, MinReviews: 3, Criteria: review.DefaultCriteria()}
	if err := ts.store.CreateCall(ctx, other); err != nil {
		t.Fatal(err)
	}

	base := time.Date(2026, 6, 20, 0, 0, 0, 0, time.UTC)
	var ns []*store.Note
	const count = 48
	for i := range count {
		n := &store.Note{ID: fmt.Sprintf("n%03d", i), CallID: w.call.ID, Ref: fmt.Sprintf("PL-%04d", i+1), State: "screened",
			Owner: w.owners[i%len(w.owners)].ID, Version: 1,
			// Created in the reverse order of the ids, so "oldest first" is not "by id".
			CreatedAt: base.Add(time.Duration(count-i) * time.Minute)}
		n.UpdatedAt = n.CreatedAt
		switch {
		case i%5 == 1:
			n.Conflicts = []string{w.revs[i%7].ID}
		case i%9 == 2: // conflicts with most of the committee: left short
			for _, r := range w.revs[:5] {
				n.Conflicts = append(n.Conflicts, r.ID)
			}
		case i%6 == 3:
			r := w.revs[(i+2)%7]
			n.Assignments = []store.Assignment{{ReviewerID: r.ID, Sector: r.Sector, ReviewState: store.ReviewDraft, At: base}}
		}
		switch i % 16 {
		case 7:
			n.State = "submitted"
		case 11:
			n.State = "classified"
			for _, r := range w.revs[:3] {
				n.Assignments = append(n.Assignments, store.Assignment{ReviewerID: r.ID, Sector: r.Sector, ReviewState: store.ReviewSubmitted, At: base})
			}
		}
		ns = append(ns, n)
	}
	for i := range 6 {
		ns = append(ns, &store.Note{ID: fmt.Sprintf("o%03d", i), CallID: other.ID, Ref: fmt.Sprintf("OT-%04d", i+1),
			State: "screened", Owner: w.owners[i].ID, Version: 1, CreatedAt: base, UpdatedAt: base})
	}
	if err := ts.store.InsertNotes(ctx, ns); err != nil {
		t.Fatal(err)
	}

	// The plan by hand, from the same inputs.
	orgOf := map[string]string{}
	for _, u := range w.owners {
		orgOf[u.ID] = u.Organization
	}
	var screened []*store.Note
	load := map[string]int{}
	for _, n := range ns {
		switch {
		case n.CallID != w.call.ID:
		case n.State == "screened":
			screened = append(screened, n)
		default:
			for _, a := range n.Assignments {
				load[a.ReviewerID]++
			}
		}
	}
	slices.SortFunc(screened, func(a, b *store.Note) int { return a.CreatedAt.Compare(b.CreatedAt) })
	var slots []review.Slot
	for _, n := range screened {
		s := review.Slot{NoteID: n.ID, AuthorID: n.Owner, Organization: orgOf[n.Owner], Conflicts: n.Conflicts}
		for _, a := range n.Assignments {
			s.Existing = append(s.Existing, a.ReviewerID)
		}
		slots = append(slots, s)
	}
	var pool []review.Reviewer
	for _, u := range w.revs {
		pool = append(pool, review.Reviewer{ID: u.ID, Name: u.Name, Sector: u.Sector, Organization: u.Organization})
	}
	plan := review.Assign(slots, pool, 3, load)
	if len(plan.Short) < 2 {
		t.Fatalf("the test needs notes left short, the plan has %d", len(plan.Short))
	}
	added := 0
	for _, ids := range plan.Added {
		added += len(ids)
	}

	r := ts.api("POST", "/api/v1/calls/"+w.call.ID+"/assignments/auto", w.coordTok, map[string]any{})
	if r.Status != 200 || r.Body["assigned"] != float64(added) || r.Body["notes"] != float64(len(screened)) || r.Body["reviewers"] != float64(len(pool)) {
		t.Fatalf("auto: %d %s; want %d assigned over %d notes by %d reviewers", r.Status, r.Raw, added, len(screened), len(pool))
	}
	short := r.Body["short"].([]any)
	if len(short) != len(plan.Short) {
		t.Fatalf("short: %d notes, want %d: %s", len(short), len(plan.Short), r.Raw)
	}
	refs := map[string]string{}
	for _, n := range ns {
		refs[n.ID] = n.Ref
	}
	for i, s := range plan.Short {
		got := short[i].(map[string]any)
		if got["note_id"] != s.NoteID || got["ref"] != refs[s.NoteID] || got["have"] != float64(s.Have) || got["need"] != float64(s.Need) || got["reason"] != s.Reason {
			t.Errorf("short[%d] = %v, want %+v (%s)", i, got, s, refs[s.NoteID])
		}
	}
	sectorOf := map[string]string{}
	for _, u := range w.revs {
		sectorOf[u.ID] = u.Sector
	}
	for _, before := range ns {
		n, err := ts.store.NoteByID(ctx, before.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := reviewerIDs(before)
		if before.CallID == w.call.ID && before.State == "screened" {
			want = append(want, plan.Added[before.ID]...)
			slices.Sort(want)
		}
		if got := reviewerIDs(n); !slices.Equal(got, want) {
			t.Errorf("note %s (%s, %s): reviewers %v, want %v", before.ID, before.CallID, before.State, got, want)
		}
		for _, a := range n.Assignments {
			if slices.Contains(plan.Added[before.ID], a.ReviewerID) && (a.ReviewState != store.ReviewAssigned || a.Sector != sectorOf[a.ReviewerID]) {
				t.Errorf("note %s: new assignment %+v", before.ID, a)
			}
		}
		if n.Version != before.Version || !slices.Equal(n.Conflicts, before.Conflicts) && len(before.Conflicts) > 0 {
			t.Errorf("note %s: version %d → %d, conflicts %v → %v", before.ID, before.Version, n.Version, before.Conflicts, n.Conflicts)
		}
	}
}

// TestAutoAssignKeepsConcurrentChanges declares conflicts of interest on
// notes while automatic assignment runs: each note is its own
// compare-and-set re-checking eligibility against the note as it is then,
// so no declaration is lost and no reviewer ends up on a note they declared
// a conflict on, whichever write comes first.
func TestAutoAssignKeepsConcurrentChanges(t *testing.T) {
	ctx := context.Background()
	w := newPlanWorld(t, 6)
	ts := w.ts
	var ns []*store.Note
	base := time.Date(2026, 6, 20, 0, 0, 0, 0, time.UTC)
	for i := range 160 {
		ns = append(ns, &store.Note{ID: fmt.Sprintf("c%03d", i), CallID: w.call.ID, Ref: fmt.Sprintf("PL-%04d", i+1),
			State: "screened", Owner: w.owners[1+i%3].ID, Version: 1, CreatedAt: base.Add(time.Duration(i) * time.Second), UpdatedAt: base})
	}
	if err := ts.store.InsertNotes(ctx, ns); err != nil {
		t.Fatal(err)
	}
	declarers, toks := w.revs[:2], w.tok[:2]
	// The last notes are written last: declare on them while the run reads and writes.
	targets := ns[100:]
	var wg sync.WaitGroup
	var auto apiResp
	wg.Go(func() {
		auto = ts.api("POST", "/api/v1/calls/"+w.call.ID+"/assignments/auto", w.coordTok, map[string]any{})
	})
	for k, tok := range toks {
		wg.Go(func() {
			for _, n := range targets {
				r := ts.api("POST", "/api/v1/notes/"+n.ID+"/conflict", tok, map[string]any{"reason": "I advised the submitter"})
				if r.Status != 204 {
					t.Errorf("declare %d on %s: %d %s", k, n.ID, r.Status, r.Raw)
				}
			}
		})
	}
	wg.Wait()
	if auto.Status != 200 {
		t.Fatalf("auto: %d %s", auto.Status, auto.Raw)
	}
	for _, before := range ns {
		n, err := ts.store.NoteByID(ctx, before.ID)
		if err != nil {
			t.Fatal(err)
		}
		ids := reviewerIDs(n)
		if len(slices.Compact(slices.Clone(ids))) != len(ids) || len(ids) > 3 {
			t.Errorf("note %s: reviewers %v", n.ID, ids)
		}
		if !slices.Contains(targets, before) {
			if len(ids) != 3 {
				t.Errorf("note %s without declarations: reviewers %v, want 3", n.ID, ids)
			}
			continue
		}
		for _, u := range declarers {
			if !n.HasConflict(u.ID) || n.AssignedTo(u.ID) != nil {
				t.Errorf("note %s: %s has conflict %v, assigned %v", n.ID, u.Name, n.HasConflict(u.ID), n.AssignedTo(u.ID) != nil)
			}
		}
	}
}
