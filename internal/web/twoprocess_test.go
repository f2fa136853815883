package web

import (
	"fmt"
	"html"
	"slices"
	"strings"
	"sync"
	"testing"

	"cocreate/internal/testdb"
)

// dashboardContent is the part of the dashboard that depends on the data:
// the counts per state, the progress per member and the notes table.
func dashboardContent(t *testing.T, p htmlPage) string {
	t.Helper()
	i := strings.Index(p.Body, `<section aria-labelledby="states-heading">`)
	j := strings.Index(p.Body, `<section aria-labelledby="help"`)
	if p.Status != 200 || i < 0 || j < i {
		t.Fatalf("not a dashboard: %d\n%s", p.Status, p.Body)
	}
	return p.Body[i:j]
}

// TestTwoProcessesShareOneDatabase runs two cocreate instances (each its
// own store.Open, App and router, as two processes would have) on one
// MongoDB database: submissions through both get distinct references, a
// change through one is read fresh through the other, and their dashboards
// agree.
func TestTwoProcessesShareOneDatabase(t *testing.T) {
	w := newReviewWorld(t, nil, seat{"Rey Reviewer", "University of Belize", "academia"})
	a := w.ts
	if a.store.Embedded() {
		t.Skip("the embedded engine belongs to one process (its data directory is locked), so two processes share a database only on MongoDB: run with MONGODB_URI (scripts/test-mongo.sh)")
	}
	b := newTestServerWith(t, serverOptions{store: testdb.Reopen(t, a.store)})
	procs := []*testServer{a, b}

	// Accounts and sessions made through one are valid through the other.
	if r := b.api("GET", "/api/v1/me", w.chairTok, nil); r.Status != 200 {
		t.Fatalf("a token issued by the first process, used on the second: %d %s", r.Status, r.Raw)
	}

	// Twenty participants; the even ones draft and submit through the
	// first process, the odd ones through the second, all at once.
	const n = 20
	type draft struct {
		id, tok string
		v       int
		via     *testServer
	}
	drafts := make([]draft, n)
	for i := range drafts {
		_, tok := a.user(fmt.Sprintf("Participant %d", i), "Community group", "civil_society")
		via := procs[i%2]
		id, v := via.draft(w.callID, tok, completeNote())
		drafts[i] = draft{id, tok, v, via}
	}
	refs := make([]string, n)
	var wg sync.WaitGroup
	for i, d := range drafts {
		wg.Go(func() {
			r := d.via.api("POST", "/api/v1/notes/"+d.id+"/submit", d.tok, map[string]any{"version": d.v})
			if r.Status != 200 {
				t.Errorf("submit %d: %d %s", i, r.Status, r.Raw)
				return
			}
			refs[i], _ = r.obj("note")["ref"].(string)
		})
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	sorted := slices.Clone(refs)
	slices.Sort(sorted)
	for i, ref := range sorted {
		if want := fmt.Sprintf("BZ2026-%04d", i+1); ref != want {
			t.Fatalf("references from two processes %v: position %d is %q, want %q", sorted, i, ref, want)
		}
	}
	// Each note carries its reference as read through the other process.
	for i, d := range drafts {
		other := procs[(i+1)%2]
		r := other.api("GET", "/api/v1/notes/"+d.id, d.tok, nil)
		if r.Status != 200 || r.obj("note")["ref"] != refs[i] || r.obj("note")["state"] != "submitted" {
			t.Fatalf("note %d read through the other process: %d %s, want %s submitted", i, r.Status, r.Raw, refs[i])
		}
	}

	// Dashboards agree, and each follows a change made through the other.
	chairOn := func(ts *testServer) *browser {
		br := ts.browser()
		br.signIn(w.chair.Email, "a long enough password")
		return br
	}
	chairA, chairB := chairOn(a), chairOn(b)
	dash := "/committee?call=plan-2026"
	da, db := dashboardContent(t, chairA.get(dash)), dashboardContent(t, chairB.get(dash))
	if da != db {
		t.Fatalf("the two processes' dashboards differ:\n%s\n----\n%s", da, db)
	}
	if !strings.Contains(html.UnescapeString(da), "Awaiting screening</span> <strong>20</strong>") {
		t.Fatalf("the dashboard does not count 20 notes awaiting screening:\n%s", da)
	}

	// The chair screens one note through the second process; the first
	// process's dashboard, already read once, shows it.
	first := drafts[0]
	got := a.api("GET", "/api/v1/notes/"+first.id, first.tok, nil)
	v := int(got.obj("note")["version"].(float64))
	if r := b.api("POST", "/api/v1/notes/"+first.id+"/screen", w.chairTok,
		map[string]any{"version": v, "outcome": "pass", "checklist": checklist()}); r.Status != 200 {
		t.Fatalf("screen through the second process: %d %s", r.Status, r.Raw)
	}
	da, db = dashboardContent(t, chairA.get(dash)), dashboardContent(t, chairB.get(dash))
	if da != db {
		t.Fatalf("after a screening through the second process, the dashboards differ:\n%s\n----\n%s", da, db)
	}
	if !strings.Contains(html.UnescapeString(da), "Awaiting screening</span> <strong>19</strong>") {
		t.Fatalf("the first process's dashboard does not follow the second's screening:\n%s", da)
	}
	// A stale version is refused through the first process: it read the note fresh.
	if r := a.api("POST", "/api/v1/notes/"+first.id+"/screen", w.chairTok,
		map[string]any{"version": v, "outcome": "pass", "checklist": checklist()}); r.Status != 409 {
		t.Fatalf("screening again with the version before the second process's change: %d %s", r.Status, r.Raw)
	}

	// A draft edited through one process is read, and edited again, through the other.
	_, tok := b.user("Late Participant", "Youth network", "civil_society")
	id, dv := b.draft(w.callID, tok, completeNote())
	r := a.api("PUT", "/api/v1/notes/"+id, tok, withVersion(withFields("title", "Edited through the first process"), dv))
	if r.Status != 200 {
		t.Fatalf("edit through the first process: %d %s", r.Status, r.Raw)
	}
	nv := int(r.obj("note")["version"].(float64))
	r = b.api("GET", "/api/v1/notes/"+id, tok, nil)
	if r.obj("note")["title"] != "Edited through the first process" || int(r.obj("note")["version"].(float64)) != nv {
		t.Fatalf("the second process reads a stale draft: %s", r.Raw)
	}
	if r := b.api("PUT", "/api/v1/notes/"+id, tok, withVersion(withFields("title", "Old text from the second"), dv)); r.Status != 409 || r.errCode() != "stale_version" {
		t.Fatalf("a save with the version before the first process's edit: %d %s", r.Status, r.Raw)
	}
	if r := b.api("PUT", "/api/v1/notes/"+id, tok, withVersion(withFields("title", "Edited through the second"), nv)); r.Status != 200 {
		t.Fatalf("edit through the second process with the fresh version: %d %s", r.Status, r.Raw)
	}

	// A call changed through one process is read fresh through the other.
	if r := a.api("PATCH", "/api/v1/calls/"+w.callID, w.coordTok, map[string]any{"title": "Renamed through the first process"}); r.Status != 200 {
		t.Fatalf("rename the call: %d %s", r.Status, r.Raw)
	}
	if r := b.api("GET", "/api/v1/calls/"+w.callID, w.coordTok, nil); r.obj("call")["title"] != "Renamed through the first process" {
		t.Fatalf("the second process reads a stale call: %s", r.Raw)
	}

	// An account disabled through the second process is refused at once by the first.
	if r := b.api("PATCH", "/api/v1/users/"+w.revs[0].ID, w.coordTok, map[string]any{"disabled": true}); r.Status != 200 {
		t.Fatalf("disable through the second process: %d %s", r.Status, r.Raw)
	}
	if r := a.api("GET", "/api/v1/me", w.tok[w.revs[0].ID], nil); r.Status != 401 {
		t.Fatalf("a disabled account's token on the first process: %d", r.Status)
	}
}
