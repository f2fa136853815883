package web

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"cocreate/internal/store"
)

// completeNote is a note body that passes every submission rule of a test call.
func completeNote() map[string]any {
	return map[string]any{
		"title":              "Open budget data for every district",
		"summary":            "The Ministry of Finance publishes monthly district budget data in open formats.",
		"problem":            "Residents of Toledo and Stann Creek cannot see how district budgets are spent.",
		"commitment":         "Publish monthly spending data by district with a plain-language guide.",
		"change":             "Citizens and councils can follow spending and ask questions before the year ends.",
		"values":             []string{"transparency", "participation"},
		"values_explanation": "Open data and public hearings let residents act on what they learn.",
		"milestones": []map[string]string{
			{"deliverable": "Data standard agreed", "responsible": "Ministry of Finance", "due": "2026-11"},
			{"deliverable": "First monthly release", "responsible": "Ministry of Finance", "due": "2027-03"},
		},
		"lead_agency":     "Ministry of Finance",
		"partners":        "Open data groups",
		"policy_area":     "fiscal_openness",
		"resources":       "Existing statistics budget",
		"consent_publish": true,
	}
}

// withFields is completeNote with some fields replaced (nil deletes).
func withFields(kv ...any) map[string]any {
	b := completeNote()
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == nil {
			delete(b, kv[i].(string))
		} else {
			b[kv[i].(string)] = kv[i+1]
		}
	}
	return b
}

// draft creates a draft through the API and returns its id and version.
func (ts *testServer) draft(callID, token string, body any) (string, int) {
	ts.t.Helper()
	r := ts.api("POST", "/api/v1/calls/"+callID+"/notes", token, body)
	if r.Status != 201 {
		ts.t.Fatalf("create draft: %d %s", r.Status, r.Raw)
	}
	n := r.obj("note")
	return n["id"].(string), int(n["version"].(float64))
}

// submitted creates and submits a complete note and returns its id and version.
func (ts *testServer) submitted(callID, token string) (string, int) {
	ts.t.Helper()
	id, v := ts.draft(callID, token, completeNote())
	r := ts.api("POST", "/api/v1/notes/"+id+"/submit", token, map[string]any{"version": v})
	if r.Status != 200 {
		ts.t.Fatalf("submit: %d %s", r.Status, r.Raw)
	}
	return id, int(r.obj("note")["version"].(float64))
}

// freshToken signs u in again, for tests that move the clock past a token's lifetime.
func (ts *testServer) freshToken(u *store.User) string {
	ts.t.Helper()
	r := ts.api("POST", "/api/v1/login", "", map[string]string{"email": u.Email, "password": "a long enough password"})
	if r.Status != 200 {
		ts.t.Fatalf("login %s: %d %s", u.Email, r.Status, r.Raw)
	}
	return r.Body["token"].(string)
}

// force moves a note to a state directly in the store, as screening or
// classification would, and returns its new version.
func (ts *testServer) force(id string, set bson.D) int {
	ts.t.Helper()
	n, err := ts.store.NoteByID(context.Background(), id)
	if err != nil {
		ts.t.Fatal(err)
	}
	out, err := ts.store.ApplyChange(context.Background(), id, store.Change{States: []string{n.State}, Version: n.Version, Raw: set})
	if err != nil {
		ts.t.Fatal(err)
	}
	return out.Version
}

func TestDraftsSaveIncompleteButRefuseMalformedValues(t *testing.T) {
	ts := newTestServer(t)
	call := ts.makeCall("belize-2026", nil)
	_, tok := ts.user("Pat Participant", "NGO", "civil_society")

	id, v := ts.draft(call, tok, map[string]any{"title": "Just a title"})
	r := ts.api("PUT", "/api/v1/notes/"+id, tok, map[string]any{"title": "Still incomplete", "problem": "Some words", "version": v})
	if r.Status != 200 || r.obj("note")["title"] != "Still incomplete" || r.obj("note")["state"] != "draft" {
		t.Fatalf("save incomplete draft: %d %s", r.Status, r.Raw)
	}
	v = int(r.obj("note")["version"].(float64))

	cases := []struct {
		name  string
		body  map[string]any
		field string // the field the message names
	}{
		{"unknown value", withFields("values", []string{"transparency", "magic"}), "values"},
		{"unknown policy area", withFields("policy_area", "space_travel"), "policy_area"},
		{"malformed month", withFields("milestones", []map[string]string{{"deliverable": "x", "due": "March 2027"}}), "milestones.0.due"},
		{"impossible month", withFields("milestones", []map[string]string{{"deliverable": "x", "due": "2027-13"}}), "milestones.0.due"},
		{"six milestones", withFields("milestones", slices.Repeat([]map[string]string{{"deliverable": "x", "due": "2027-01"}}, 6)), "milestones"},
		{"wrong type", withFields("values", "transparency"), "values"},
		{"wrong type of flag", withFields("consent_publish", "yes"), "consent_publish"},
		{"unknown field", withFields("colour", "red"), "colour"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, send := range []struct {
				method, path string
				body         map[string]any
			}{
				{"POST", "/api/v1/calls/" + call + "/notes", tc.body},
				{"PUT", "/api/v1/notes/" + id, withVersion(tc.body, v)},
			} {
				r := ts.api(send.method, send.path, tok, send.body)
				if r.Status != 400 || r.errCode() != "bad_request" {
					t.Fatalf("%s: status %d %q, want 400: %s", send.method, r.Status, r.errCode(), r.Raw)
				}
				msg := r.Body["error"].(map[string]any)["message"].(string)
				if !strings.Contains(msg, tc.field) {
					t.Fatalf("%s: message does not name %s: %s", send.method, tc.field, msg)
				}
			}
		})
	}
	r = ts.api("GET", "/api/v1/notes/"+id, tok, nil)
	if r.obj("note")["title"] != "Still incomplete" || r.obj("note")["version"] != float64(v) {
		t.Fatalf("a refused save changed the draft: %s", r.Raw)
	}
}

func withVersion(b map[string]any, v int) map[string]any {
	out := map[string]any{"version": v}
	for k, x := range b {
		out[k] = x
	}
	return out
}

func TestDraftsOnlyWhileTheCallIsOpen(t *testing.T) {
	ts := newTestServer(t)
	call := ts.makeCall("belize-2026", nil)
	pat, tok := ts.user("Pat Participant", "NGO", "civil_society")
	_, rev := ts.user("Rita Reviewer", "NGO", "civil_society", "reviewer")
	id, v := ts.draft(call, tok, completeNote())

	if r := ts.api("POST", "/api/v1/calls/"+call+"/notes", rev, completeNote()); r.Status != 403 {
		t.Fatalf("a reviewer without the participant role wrote a note: %d", r.Status)
	}
	for _, at := range []time.Time{testCallOpens.Add(-time.Second), testCallCloses} {
		ts.clock.Set(at)
		tok = ts.freshToken(pat)
		if r := ts.api("POST", "/api/v1/calls/"+call+"/notes", tok, completeNote()); r.Status != 409 || r.errCode() != "call_closed" {
			t.Fatalf("create at %s: %d %s", at, r.Status, r.Raw)
		}
		if r := ts.api("PUT", "/api/v1/notes/"+id, tok, withVersion(completeNote(), v)); r.Status != 409 || r.errCode() != "call_closed" {
			t.Fatalf("save at %s: %d %s", at, r.Status, r.Raw)
		}
	}
	// The draft is still there, unchanged, for its owner.
	if r := ts.api("GET", "/api/v1/notes/"+id, tok, nil); r.Status != 200 || r.obj("note")["title"] != completeNote()["title"] {
		t.Fatalf("draft after close: %d %s", r.Status, r.Raw)
	}
}

func TestSubmitChecksEverything(t *testing.T) {
	ts := newTestServer(t)
	call := ts.makeCall("belize-2026", map[string]any{"word_limits": map[string]any{"title": 3, "milestone": 6}})
	_, tok := ts.user("Pat Participant", "NGO", "civil_society")
	long := strings.TrimSpace(strings.Repeat("word ", 121))
	ms := func(rows ...[3]string) []map[string]string {
		out := []map[string]string{}
		for _, r := range rows {
			out = append(out, map[string]string{"deliverable": r[0], "responsible": r[1], "due": r[2]})
		}
		return out
	}
	cases := []struct {
		name   string
		body   map[string]any
		fields []string
	}{
		{"empty note", map[string]any{}, []string{"title", "summary", "problem", "commitment", "change", "values", "values_explanation", "milestones", "lead_agency", "policy_area"}},
		{"title over the call's limit", withFields("title", "Open budget data now"), []string{"title"}},
		{"problem over the default limit", withFields("problem", long), []string{"problem"}},
		{"no core value", withFields("values", []string{"technology", "inclusion"}), []string{"values"}},
		{"no values", withFields("values", []string{}), []string{"values"}},
		{"one milestone", withFields("milestones", ms([3]string{"Data", "MoF", "2026-11"})), []string{"milestones"}},
		{"milestone row over the call's limit", withFields("milestones", ms([3]string{"Data standard agreed by all parties", "MoF", "2026-11"}, [3]string{"Release", "MoF", "2027-01"})), []string{"milestones.0.deliverable"}},
		{"milestone before the plan", withFields("milestones", ms([3]string{"Data", "MoF", "2026-08"}, [3]string{"Release", "MoF", "2027-01"})), []string{"milestones.0.due"}},
		{"milestone after the plan", withFields("milestones", ms([3]string{"Data", "MoF", "2026-09"}, [3]string{"Release", "MoF", "2028-09"})), []string{"milestones.1.due"}},
		{"milestone without due month", withFields("milestones", ms([3]string{"Data", "MoF", ""}, [3]string{"Release", "MoF", "2027-01"})), []string{"milestones.0.due"}},
		{"milestone without owner", withFields("milestones", ms([3]string{"Data", "", "2026-10"}, [3]string{"Release", "MoF", "2027-01"})), []string{"milestones.0.responsible"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			body := tc.body
			if tc.name != "title over the call's limit" && body["title"] != nil {
				body["title"] = "Open budgets"
			}
			id, v := ts.draft(call, tok, body)
			r := ts.api("POST", "/api/v1/notes/"+id+"/submit", tok, map[string]any{"version": v})
			if r.Status != 422 || r.errCode() != "validation_failed" {
				t.Fatalf("status %d %q, want 422: %s", r.Status, r.errCode(), r.Raw)
			}
			got := r.errFields()
			for _, f := range tc.fields {
				if got[f] == nil {
					t.Errorf("no message for %s: %v", f, got)
				}
			}
			if len(got) != len(tc.fields) {
				t.Errorf("messages %v, want exactly %v", got, tc.fields)
			}
			if r := ts.api("GET", "/api/v1/notes/"+id, tok, nil); r.obj("note")["state"] != "draft" || r.obj("note")["version"] != float64(v) {
				t.Fatalf("a refused submission changed the note: %s", r.Raw)
			}
		})
	}
	// The same note with a short title is submitted, with a reference.
	id, v := ts.draft(call, tok, withFields("title", "Open budgets"))
	r := ts.api("POST", "/api/v1/notes/"+id+"/submit", tok, map[string]any{"version": v})
	n := r.obj("note")
	if r.Status != 200 || n["state"] != "submitted" || n["ref"] != "BZ2026-0001" || n["submitted_at"] != "2026-06-15T12:00:00Z" {
		t.Fatalf("submit: %d %s", r.Status, r.Raw)
	}
}

func TestSubmitDeadlineEdges(t *testing.T) {
	ts := newTestServer(t)
	call := ts.makeCall("belize-2026", nil)
	pat, tok := ts.user("Pat Participant", "NGO", "civil_society")
	a, va := ts.draft(call, tok, completeNote())
	b, vb := ts.draft(call, tok, completeNote())
	c, vc := ts.draft(call, tok, completeNote())

	ts.clock.Set(testCallCloses.Add(-time.Second))
	tok = ts.freshToken(pat)
	if r := ts.api("POST", "/api/v1/notes/"+a+"/submit", tok, map[string]any{"version": va}); r.Status != 200 {
		t.Fatalf("one second before closing: %d %s", r.Status, r.Raw)
	}
	for id, at := range map[string]time.Time{b: testCallCloses, c: testCallCloses.Add(time.Second)} {
		v := map[string]int{b: vb, c: vc}[id]
		ts.clock.Set(at)
		r := ts.api("POST", "/api/v1/notes/"+id+"/submit", tok, map[string]any{"version": v})
		if r.Status != 409 || r.errCode() != "call_closed" {
			t.Fatalf("at %s: %d %s", at, r.Status, r.Raw)
		}
	}
	ts.clock.Set(testCallOpens.Add(time.Hour))
	tok = ts.freshToken(pat)
	r := ts.api("POST", "/api/v1/notes/"+b+"/submit", tok, map[string]any{"version": vb})
	if r.Status != 200 || r.obj("note")["ref"] != "BZ2026-0002" {
		t.Fatalf("refused submissions burned a reference: %s", r.Raw)
	}
}

func TestConcurrentSubmissionsGetConsecutiveReferences(t *testing.T) {
	ts := newTestServer(t)
	call := ts.makeCall("belize-2026", nil)
	const n = 50
	type draft struct {
		id, tok string
		v       int
	}
	drafts := make([]draft, n)
	for i := range drafts {
		_, tok := ts.user(fmt.Sprintf("Participant %d", i), "NGO", "civil_society")
		id, v := ts.draft(call, tok, completeNote())
		drafts[i] = draft{id, tok, v}
	}
	refs := make([]string, n)
	var wg sync.WaitGroup
	for i, d := range drafts {
		wg.Go(func() {
			r := ts.api("POST", "/api/v1/notes/"+d.id+"/submit", d.tok, map[string]any{"version": d.v})
			if r.Status != 200 {
				t.Errorf("submit %d: %d %s", i, r.Status, r.Raw)
				return
			}
			refs[i], _ = r.obj("note")["ref"].(string)
		})
	}
	wg.Wait()
	slices.Sort(refs)
	for i, ref := range refs {
		if want := fmt.Sprintf("BZ2026-%04d", i+1); ref != want {
			t.Fatalf("references %v: position %d is %q, want %q", refs, i, ref, want)
		}
	}
	// The stored notes carry the same references.
	sums, err := ts.store.Summaries(context.Background(), store.SummaryFilter{CallID: call})
	if err != nil {
		t.Fatal(err)
	}
	stored := []string{}
	for _, s := range sums {
		stored = append(stored, s.Ref)
	}
	slices.Sort(stored)
	if !slices.Equal(stored, refs) {
		t.Fatalf("stored references %v, answered %v", stored, refs)
	}
}

func TestConcurrentSubmissionsOfOneNote(t *testing.T) {
	for _, withKey := range []bool{false, true} {
		t.Run(fmt.Sprintf("idempotency key %v", withKey), func(t *testing.T) {
			ts := newTestServer(t)
			call := ts.makeCall("belize-2026", nil)
			_, tok := ts.user("Pat Participant", "NGO", "civil_society")
			id, v := ts.draft(call, tok, completeNote())
			const n = 10
			answers := make([]apiResp, n)
			var wg sync.WaitGroup
			for i := range n {
				wg.Go(func() {
					hdr := []string{}
					if withKey {
						hdr = []string{"Idempotency-Key", "double-click-1"}
					}
					answers[i] = ts.api("POST", "/api/v1/notes/"+id+"/submit", tok, map[string]any{"version": v}, hdr...)
				})
			}
			wg.Wait()
			ok, refs := 0, map[string]bool{}
			for _, r := range answers {
				switch {
				case r.Status == 200:
					ok++
					refs[r.obj("note")["ref"].(string)] = true
				case r.Status == 409 && !withKey && (r.errCode() == "stale_version" || r.errCode() == "invalid_transition"):
				default:
					t.Fatalf("unexpected answer %d %s", r.Status, r.Raw)
				}
			}
			if withKey && ok != n || !withKey && ok != 1 || len(refs) != 1 || !refs["BZ2026-0001"] {
				t.Fatalf("%d successes with references %v", ok, refs)
			}
			note, err := ts.store.NoteByID(context.Background(), id)
			if err != nil {
				t.Fatal(err)
			}
			if len(note.History) != 1 || note.History[0].Event != "submit" {
				t.Fatalf("history %+v, want one submission", note.History)
			}
			// The next submission in the call takes the next number: on the
			// embedded engine none was burned. On MongoDB each racer draws a
			// number before its one write, so the losers' numbers are gaps
			// (README: references never repeat, but may skip).
			other, _ := ts.submitted(call, tok)
			next, _ := ts.api("GET", "/api/v1/notes/"+other, tok, nil).obj("note")["ref"].(string)
			if ts.store.Embedded() && next != "BZ2026-0002" || next <= "BZ2026-0001" || len(next) != len("BZ2026-0002") {
				t.Fatalf("next reference: %s", next)
			}
		})
	}
}

func TestStaleSaveKeepsTheNewerText(t *testing.T) {
	ts := newTestServer(t)
	call := ts.makeCall("belize-2026", nil)
	_, tok := ts.user("Pat Participant", "NGO", "civil_society")
	id, v := ts.draft(call, tok, completeNote())
	r := ts.api("PUT", "/api/v1/notes/"+id, tok, withVersion(withFields("problem", "Tab one's newer text"), v))
	if r.Status != 200 {
		t.Fatalf("first save: %d %s", r.Status, r.Raw)
	}
	for name, send := range map[string]func() apiResp{
		"save": func() apiResp {
			return ts.api("PUT", "/api/v1/notes/"+id, tok, withVersion(withFields("problem", "Tab two's old text"), v))
		},
		"submit": func() apiResp {
			return ts.api("POST", "/api/v1/notes/"+id+"/submit", tok, map[string]any{"version": v})
		},
		"withdraw": func() apiResp {
			return ts.api("POST", "/api/v1/notes/"+id+"/withdraw", tok, map[string]any{"version": v})
		},
	} {
		if r := send(); r.Status != 409 || r.errCode() != "stale_version" {
			t.Fatalf("%s with an old version: %d %s", name, r.Status, r.Raw)
		}
	}
	r = ts.api("GET", "/api/v1/notes/"+id, tok, nil)
	if n := r.obj("note"); n["problem"] != "Tab one's newer text" || n["version"] != float64(v+1) || n["state"] != "draft" {
		t.Fatalf("stored note after stale requests: %s", r.Raw)
	}
}

func TestOthersCannotTouchANote(t *testing.T) {
	ts := newTestServer(t)
	call := ts.makeCall("belize-2026", nil)
	_, owner := ts.user("Olive Owner", "NGO", "civil_society")
	_, other := ts.user("Oscar Other", "University", "academia")
	_, rev := ts.user("Rita Reviewer", "NGO", "civil_society", "reviewer")
	draft, dv := ts.draft(call, owner, completeNote())
	sub, sv := ts.submitted(call, owner)
	ts.draft(call, other, completeNote())

	for _, tc := range []struct {
		who, token, id string
		v              int
		status         int
	}{
		{"another participant, draft", other, draft, dv, 404},
		{"another participant, submitted", other, sub, sv, 404},
		{"a reviewer, draft", rev, draft, dv, 404},
	} {
		t.Run(tc.who, func(t *testing.T) {
			for _, r := range []apiResp{
				ts.api("GET", "/api/v1/notes/"+tc.id, tc.token, nil),
				ts.api("PUT", "/api/v1/notes/"+tc.id, tc.token, withVersion(withFields("title", "Mine now"), tc.v)),
				ts.api("POST", "/api/v1/notes/"+tc.id+"/submit", tc.token, map[string]any{"version": tc.v}),
				ts.api("POST", "/api/v1/notes/"+tc.id+"/resubmit", tc.token, map[string]any{"version": tc.v}),
				ts.api("POST", "/api/v1/notes/"+tc.id+"/withdraw", tc.token, map[string]any{"version": tc.v}),
			} {
				if r.Status != tc.status || r.errCode() != "not_found" {
					t.Fatalf("status %d %s, want %d", r.Status, r.Raw, tc.status)
				}
			}
		})
	}
	// A reviewer may read a submitted note but not act as its owner.
	if r := ts.api("GET", "/api/v1/notes/"+sub, rev, nil); r.Status != 200 {
		t.Fatalf("reviewer reading a submitted note: %d", r.Status)
	}
	if r := ts.api("POST", "/api/v1/notes/"+sub+"/withdraw", rev, map[string]any{"version": sv}); r.Status != 403 {
		t.Fatalf("reviewer withdrawing: %d %s", r.Status, r.Raw)
	}
	// Lists: the other participant sees only their own note, even when asking for the call's.
	for _, q := range []string{"", "?call_id=" + call, "?call_id=belize-2026&mine=false", "?state=submitted"} {
		r := ts.api("GET", "/api/v1/notes"+q, other, nil)
		items := r.Body["items"].([]any)
		for _, it := range items {
			if id := it.(map[string]any)["id"]; id == draft || id == sub {
				t.Fatalf("list %q shows another's note: %s", q, r.Raw)
			}
		}
		if q == "?state=submitted" && len(items) != 0 || q != "?state=submitted" && len(items) != 1 {
			t.Fatalf("list %q: %s", q, r.Raw)
		}
	}
	if r := ts.api("GET", "/api/v1/notes/"+draft, owner, nil); r.obj("note")["title"] != completeNote()["title"] {
		t.Fatalf("the owner's draft changed: %s", r.Raw)
	}
}

func TestWithdraw(t *testing.T) {
	ts := newTestServer(t)
	call := ts.makeCall("belize-2026", nil)
	_, tok := ts.user("Pat Participant", "NGO", "civil_society")
	returned := bson.D{{Key: "state", Value: "returned"}, {Key: "returned_before", Value: true},
		{Key: "screening", Value: store.Screening{Outcome: "return", Instructions: "Add a baseline", ReviseBy: "2026-06-30", At: ts.clock.Now()}}}
	cases := []struct {
		state  string
		setup  func(id string) int // moves a submitted note to the state, returns the version
		status int
	}{
		{"draft", nil, 200},
		{"submitted", func(string) int { return 0 }, 200},
		{"returned", func(id string) int { return ts.force(id, returned) }, 200},
		{"screened", func(id string) int { return ts.force(id, bson.D{{Key: "state", Value: "screened"}}) }, 200},
		{"ineligible", func(id string) int { return ts.force(id, bson.D{{Key: "state", Value: "ineligible"}}) }, 409},
		{"classified", func(id string) int { return ts.force(id, bson.D{{Key: "state", Value: "classified"}}) }, 409},
		{"withdrawn", func(id string) int { return ts.force(id, bson.D{{Key: "state", Value: "withdrawn"}}) }, 409},
	}
	for _, tc := range cases {
		t.Run(tc.state, func(t *testing.T) {
			var id string
			var v int
			if tc.setup == nil {
				id, v = ts.draft(call, tok, completeNote())
			} else {
				id, v = ts.submitted(call, tok)
				if nv := tc.setup(id); nv != 0 {
					v = nv
				}
			}
			r := ts.api("POST", "/api/v1/notes/"+id+"/withdraw", tok, map[string]any{"version": v, "reason": "Merged with a colleague's note"})
			if r.Status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.Status, tc.status, r.Raw)
			}
			if tc.status == 409 {
				e := r.Body["error"].(map[string]any)
				if e["code"] != "invalid_transition" || e["state"] != tc.state || !strings.Contains(e["message"].(string), tc.state) {
					t.Fatalf("refusal does not name the state: %s", r.Raw)
				}
				if _, ok := e["allowed"]; !ok && tc.state != "withdrawn" {
					t.Fatalf("refusal does not list what is allowed: %s", r.Raw)
				}
				return
			}
			n, err := ts.store.NoteByID(context.Background(), id)
			if err != nil {
				t.Fatal(err)
			}
			last := n.History[len(n.History)-1]
			if n.State != "withdrawn" || last.Event != "withdraw" || last.Reason != "Merged with a colleague's note" || last.From != tc.state {
				t.Fatalf("after withdrawing: %s %+v", n.State, last)
			}
		})
	}
	id, v := ts.draft(call, tok, completeNote())
	if r := ts.api("POST", "/api/v1/notes/"+id+"/withdraw", tok, map[string]any{"version": v}); r.Status != 200 {
		t.Fatalf("withdraw without a reason: %d %s", r.Status, r.Raw)
	}
}

func TestResubmitUntilTheEndOfTheReviseByDay(t *testing.T) {
	ts := newTestServer(t)
	call := ts.makeCall("belize-2026", nil)
	pat, tok := ts.user("Pat Participant", "NGO", "civil_society")
	// Revise by 10 July 2026 in Belize (UTC-6): the day ends at 06:00 UTC on 11 July,
	// well after the call closed on 1 July.
	returned := bson.D{{Key: "state", Value: "returned"}, {Key: "returned_before", Value: true},
		{Key: "screening", Value: store.Screening{Outcome: "return", Instructions: "Add a baseline", ReviseBy: "2026-07-10", At: ts.clock.Now()}}}
	lastSecond := time.Date(2026, 7, 11, 5, 59, 59, 0, time.UTC)

	a, _ := ts.submitted(call, tok)
	va := ts.force(a, returned)
	b, _ := ts.submitted(call, tok)
	vb := ts.force(b, returned)

	ts.clock.Set(lastSecond)
	tok = ts.freshToken(pat)
	r := ts.api("PUT", "/api/v1/notes/"+a, tok, withVersion(withFields("problem", "Now with a baseline: 40% of residents."), va))
	if r.Status != 200 {
		t.Fatalf("save a returned note on its revise-by day: %d %s", r.Status, r.Raw)
	}
	va = int(r.obj("note")["version"].(float64))
	r = ts.api("POST", "/api/v1/notes/"+a+"/resubmit", tok, map[string]any{"version": va})
	if r.Status != 200 || r.obj("note")["state"] != "submitted" || r.obj("note")["ref"] != "BZ2026-0001" {
		t.Fatalf("resubmit in the last second: %d %s", r.Status, r.Raw)
	}
	if r := ts.api("POST", "/api/v1/notes/"+a+"/resubmit", tok, map[string]any{"version": va + 1}); r.Status != 409 || r.errCode() != "invalid_transition" {
		t.Fatalf("a second resubmission: %d %s", r.Status, r.Raw)
	}

	ts.clock.Set(lastSecond.Add(time.Second))
	if r := ts.api("PUT", "/api/v1/notes/"+b, tok, withVersion(completeNote(), vb)); r.Status != 409 || r.errCode() != "call_closed" {
		t.Fatalf("save after the revise-by day: %d %s", r.Status, r.Raw)
	}
	if r := ts.api("POST", "/api/v1/notes/"+b+"/resubmit", tok, map[string]any{"version": vb}); r.Status != 409 || r.errCode() != "call_closed" {
		t.Fatalf("resubmit after the revise-by day: %d %s", r.Status, r.Raw)
	}
	// A resubmission must pass the submission rules again.
	ts.clock.Set(lastSecond.Add(-time.Hour))
	r = ts.api("PUT", "/api/v1/notes/"+b, tok, withVersion(withFields("milestones", []map[string]string{}), vb))
	if r.Status != 200 {
		t.Fatalf("save: %d %s", r.Status, r.Raw)
	}
	r = ts.api("POST", "/api/v1/notes/"+b+"/resubmit", tok, map[string]any{"version": vb + 1})
	if r.Status != 422 || r.errFields()["milestones"] == nil {
		t.Fatalf("resubmit an incomplete note: %d %s", r.Status, r.Raw)
	}
}

func TestNoteVisibility(t *testing.T) {
	ts := newTestServer(t)
	call := ts.makeCall("belize-2026", map[string]any{"blind_review": true})
	owner, tok := ts.user("Olive Owner", "Toledo Alliance", "civil_society")
	rev, revTok := ts.user("Rita Reviewer", "University", "academia", "reviewer")
	_, chairTok := ts.user("Chao Chair", "Ministry", "government", "chair")
	_, coordTok := ts.user("Cora Coordinator", "Ministry", "government", "coordinator")

	body := withFields("conflict_declaration", "My cousin sits on the committee.")
	id, v := ts.draft(call, tok, body)
	if r := ts.api("POST", "/api/v1/notes/"+id+"/submit", tok, map[string]any{"version": v}); r.Status != 200 {
		t.Fatalf("submit: %s", r.Raw)
	}
	draftID, _ := ts.draft(call, tok, completeNote())
	score := bson.D{{Key: "reviews", Value: 3}, {Key: "mean", Value: 72.5}, {Key: "median", Value: 70.0},
		{Key: "per_criterion", Value: bson.D{{Key: "problem", Value: 3.0}}}, {Key: "flags", Value: bson.A{}}}
	decision := store.Decision{Class: "A", ReasonCode: "included", Rationale: "Strong and verifiable.", By: "chair-id", At: ts.clock.Now()}
	ts.force(id, bson.D{{Key: "state", Value: "classified"}, {Key: "score", Value: score}, {Key: "decision", Value: decision},
		{Key: "assignments", Value: []store.Assignment{{ReviewerID: rev.ID, Sector: "academia", ReviewState: "assigned"}}}})

	get := func(token string) map[string]any {
		t.Helper()
		r := ts.api("GET", "/api/v1/notes/"+id, token, nil)
		if r.Status != 200 {
			t.Fatalf("get: %d %s", r.Status, r.Raw)
		}
		return r.obj("note")
	}
	// The owner before publication: under review, no decision, score or assignments.
	n := get(tok)
	if n["state"] != "screened" || n["decision"] != nil || n["score"] != nil || n["assignments"] != nil {
		t.Fatalf("owner before publication: %v", n)
	}
	if o := n["owner"].(map[string]any); o["name"] != "Olive Owner" || n["conflict_declaration"] == "" {
		t.Fatalf("owner does not see their own details: %v", n)
	}
	// The chair and the coordinator see everything, with the submitter's identity.
	for _, token := range []string{chairTok, coordTok} {
		n := get(token)
		o := n["owner"].(map[string]any)
		if n["state"] != "classified" || n["decision"] == nil || n["score"] == nil || n["assignments"] == nil ||
			o["name"] != "Olive Owner" || o["organization"] != "Toledo Alliance" || o["email"] != owner.Email || o["id"] != owner.ID {
			t.Fatalf("chair or coordinator view: %v", n)
		}
	}
	// A plain reviewer under blind review: no identity, no conflict declaration; no score before their own review.
	n = get(revTok)
	o := n["owner"].(map[string]any)
	if _, has := o["name"]; has || o["organization"] != nil || o["email"] != nil || o["id"] != nil || o["sector"] != "civil_society" || o["district"] != "belize" {
		t.Fatalf("blind review leaks the submitter: %v", o)
	}
	if n["conflict_declaration"] != "" || n["score"] != nil || n["decision"] == nil {
		t.Fatalf("reviewer view: %v", n)
	}
	ts.force(id, bson.D{{Key: "assignments", Value: []store.Assignment{{ReviewerID: rev.ID, Sector: "academia", ReviewState: "submitted"}}},
		{Key: "published", Value: decision}})
	if n := get(revTok); n["score"] == nil {
		t.Fatalf("reviewer does not see the score after their review: %v", n)
	}
	// After publication the owner sees the class, the reason and the means only.
	n = get(tok)
	d, _ := n["decision"].(map[string]any)
	s, _ := n["score"].(map[string]any)
	if n["state"] != "classified" || d["class"] != "A" || d["rationale"] != "Strong and verifiable." || d["by"] != nil {
		t.Fatalf("owner after publication: %v", n)
	}
	if s["mean"] != 72.5 || s["per_criterion"] == nil || s["median"] != nil || s["reviews"] != nil || n["assignments"] != nil {
		t.Fatalf("owner score after publication: %v", s)
	}
	// Drafts are the owner's alone, in reads and lists.
	for _, token := range []string{revTok, chairTok, coordTok} {
		if r := ts.api("GET", "/api/v1/notes/"+draftID, token, nil); r.Status != 404 {
			t.Fatalf("committee reads a draft: %d", r.Status)
		}
		r := ts.api("GET", "/api/v1/notes?call_id="+call, token, nil)
		if r.Body["total"] != 1.0 || r.Body["items"].([]any)[0].(map[string]any)["id"] != id {
			t.Fatalf("committee list: %s", r.Raw)
		}
	}
	r := ts.api("GET", "/api/v1/notes?assigned=true", revTok, nil)
	if r.Body["total"] != 1.0 {
		t.Fatalf("assigned list: %s", r.Raw)
	}
	if r := ts.api("GET", "/api/v1/notes?assigned=true", chairTok, nil); r.Body["total"] != 0.0 {
		t.Fatalf("chair's assigned list: %s", r.Raw)
	}
}

func TestListNotesPagingAndOwnerStates(t *testing.T) {
	ts := newTestServer(t)
	call := ts.makeCall("belize-2026", nil)
	_, tok := ts.user("Pat Participant", "NGO", "civil_society")
	ids := []string{}
	for range 5 {
		id, _ := ts.draft(call, tok, completeNote())
		ids = append(ids, id)
		ts.clock.Add(time.Minute)
	}
	sub, _ := ts.submitted(call, tok)
	ts.force(sub, bson.D{{Key: "state", Value: "classified"}, {Key: "decision", Value: store.Decision{Class: "D"}}})

	r := ts.api("GET", "/api/v1/notes?per_page=2&page=1", tok, nil)
	if r.Status != 200 || r.Body["total"] != 6.0 || r.Body["page"] != 1.0 || r.Body["per_page"] != 2.0 || len(r.Body["items"].([]any)) != 2 {
		t.Fatalf("page 1: %s", r.Raw)
	}
	first := r.Body["items"].([]any)[0].(map[string]any)
	if first["id"] != sub || first["state"] != "screened" || first["ref"] != "BZ2026-0001" {
		t.Fatalf("newest first, with the owner's state: %v", first)
	}
	for _, k := range []string{"id", "call_id", "title", "state", "version", "policy_area", "updated_at", "submitted_at"} {
		if _, ok := first[k]; !ok {
			t.Fatalf("list item lacks %s: %v", k, first)
		}
	}
	if r := ts.api("GET", "/api/v1/notes?per_page=2&page=4", tok, nil); len(r.Body["items"].([]any)) != 0 || r.Body["total"] != 6.0 {
		t.Fatalf("past the end: %s", r.Raw)
	}
	if r := ts.api("GET", "/api/v1/notes?state=screened", tok, nil); r.Body["total"] != 1.0 {
		t.Fatalf("filter by the owner's state: %s", r.Raw)
	}
	if r := ts.api("GET", "/api/v1/notes?state=classified", tok, nil); r.Body["total"] != 0.0 {
		t.Fatalf("an unpublished class shows through the filter: %s", r.Raw)
	}
	for _, q := range []string{"per_page=0", "per_page=201", "page=0", "state=lost", "mine=maybe"} {
		if r := ts.api("GET", "/api/v1/notes?"+q, tok, nil); r.Status != http.StatusBadRequest {
			t.Fatalf("%s: %d", q, r.Status)
		}
	}
	if r := ts.api("GET", "/api/v1/notes?call_id=nope", tok, nil); r.Status != 404 {
		t.Fatalf("unknown call: %d", r.Status)
	}
	if r := ts.api("GET", "/api/v1/notes", "", nil); r.Status != 401 {
		t.Fatalf("anonymous list: %d", r.Status)
	}
}
