package web

import (
	"maps"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"cocreate/internal/notes"
	"cocreate/internal/store"
)

// Test calls open on 1 June 2026 and close on 1 July 2026 at 17:00 Belize
// time (23:00 UTC); the test clock starts on 15 June 2026 at 12:00 UTC.
var (
	testCallOpens  = time.Date(2026, 6, 1, 6, 0, 0, 0, time.UTC)
	testCallCloses = time.Date(2026, 7, 1, 23, 0, 0, 0, time.UTC)
)

// callBody is a valid POST /api/v1/calls body; extra entries override or add fields.
func callBody(slug string, extra map[string]any) map[string]any {
	b := map[string]any{
		"slug": slug, "title": "Belize's first action plan", "description": "Send us your ideas.",
		"ref_prefix": "BZ2026", "opens_at": "2026-06-01T00:00:00-06:00", "closes_at": "2026-07-01T17:00:00-06:00",
		"plan_start": "2026-09", "plan_end": "2028-08",
	}
	maps.Copy(b, extra)
	return b
}

// makeCall creates a call through the API as a new coordinator and returns its id.
func (ts *testServer) makeCall(slug string, extra map[string]any) string {
	ts.t.Helper()
	_, tok := ts.user("Call Coordinator", "Ministry", "government", "coordinator")
	r := ts.api("POST", "/api/v1/calls", tok, callBody(slug, extra))
	if r.Status != 201 {
		ts.t.Fatalf("create call %s: %d %s", slug, r.Status, r.Raw)
	}
	return r.obj("call")["id"].(string)
}

func TestCreateCallValidation(t *testing.T) {
	ts := newTestServer(t)
	_, coord := ts.user("Carla Coordinator", "Ministry", "government", "coordinator")
	weights := func(w ...any) []map[string]any {
		keys := []string{"problem", "relevance", "ambition", "verifiability", "feasibility"}
		out := []map[string]any{}
		for i, k := range keys {
			out = append(out, map[string]any{"key": k, "weight": w[i]})
		}
		return out
	}
	cases := []struct {
		name  string
		extra map[string]any
		field string
	}{
		{"closes before opens", map[string]any{"closes_at": "2026-05-01T00:00:00Z"}, "closes_at"},
		{"closes when it opens", map[string]any{"closes_at": "2026-06-01T06:00:00Z"}, "closes_at"},
		{"malformed opening", map[string]any{"opens_at": "1 June"}, "opens_at"},
		{"missing closing", map[string]any{"closes_at": ""}, "closes_at"},
		{"plan ends before it starts", map[string]any{"plan_end": "2026-08"}, "plan_end"},
		{"plan ends when it starts", map[string]any{"plan_end": "2026-09"}, "plan_end"},
		{"malformed plan month", map[string]any{"plan_start": "2026-13"}, "plan_start"},
		{"weights not 100", map[string]any{"criteria": weights(10, 20, 25, 20, 20)}, "criteria"},
		{"fractional weight", map[string]any{"criteria": weights(15, 20, 24.5, 20.5, 20)}, "criteria.ambition"},
		{"negative weight", map[string]any{"criteria": weights(-5, 40, 25, 20, 20)}, "criteria.problem"},
		{"missing criterion", map[string]any{"criteria": weights(15, 20, 25, 20, 20)[:4]}, "criteria.feasibility"},
		{"zero word limit", map[string]any{"word_limits": map[string]any{"problem": 0}}, "word_limits.problem"},
		{"negative word limit", map[string]any{"word_limits": map[string]any{"title": -3}}, "word_limits.title"},
		{"fractional word limit", map[string]any{"word_limits": map[string]any{"title": 2.5}}, "word_limits.title"},
		{"unknown word limit", map[string]any{"word_limits": map[string]any{"colour": 3}}, "word_limits.colour"},
		{"unknown time zone", map[string]any{"time_zone": "Mars/Olympus"}, "time_zone"},
		{"slug with capitals", map[string]any{"slug": "Belize-2026"}, "slug"},
		{"slug with a space", map[string]any{"slug": "belize 2026"}, "slug"},
		{"slug with double hyphen", map[string]any{"slug": "belize--2026"}, "slug"},
		{"reference prefix lower case", map[string]any{"ref_prefix": "bz2026"}, "ref_prefix"},
		{"reference prefix too long", map[string]any{"ref_prefix": "ABCDEFGHIJKLM"}, "ref_prefix"},
		{"no title", map[string]any{"title": "  "}, "title"},
		{"min reviews above reviewers", map[string]any{"reviewers_per_note": 2, "min_reviews": 3}, "min_reviews"},
		{"no reviewers", map[string]any{"reviewers_per_note": 0}, "reviewers_per_note"},
		{"malformed review due", map[string]any{"review_due": "soon"}, "review_due"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := ts.api("POST", "/api/v1/calls", coord, callBody("c-"+strings.ReplaceAll(strings.ToLower(tc.name), " ", "-"), tc.extra))
			if r.Status != 422 || r.errCode() != "validation_failed" {
				t.Fatalf("status %d code %q, want 422 validation_failed: %s", r.Status, r.errCode(), r.Raw)
			}
			if msg, _ := r.errFields()[tc.field].(string); msg == "" {
				t.Fatalf("no message for %s: %s", tc.field, r.Raw)
			}
		})
	}
	r := ts.api("GET", "/api/v1/calls", "", nil)
	if n := len(r.Body["items"].([]any)); n != 0 {
		t.Fatalf("%d calls stored after invalid requests", n)
	}
}

func TestCreateCallRefusals(t *testing.T) {
	ts := newTestServer(t)
	_, coord := ts.user("Carla Coordinator", "Ministry", "government", "coordinator")
	_, part := ts.user("Pat Participant", "NGO", "civil_society")
	if r := ts.api("POST", "/api/v1/calls", coord, callBody("belize-2026", nil)); r.Status != 201 {
		t.Fatalf("create: %d %s", r.Status, r.Raw)
	}
	cases := []struct {
		name   string
		token  string
		body   any
		status int
		code   string
	}{
		{"duplicate slug", coord, callBody("belize-2026", nil), 409, "duplicate"},
		{"wrong type", coord, callBody("other", map[string]any{"reviewers_per_note": "three"}), 400, "bad_request"},
		{"unknown field", coord, callBody("other", map[string]any{"colour": "red"}), 400, "bad_request"},
		{"participant", part, callBody("other", nil), 403, "forbidden"},
		{"anonymous", "", callBody("other", nil), 401, "unauthenticated"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := ts.api("POST", "/api/v1/calls", tc.token, tc.body)
			if r.Status != tc.status || r.errCode() != tc.code {
				t.Fatalf("status %d code %q, want %d %s: %s", r.Status, r.errCode(), tc.status, tc.code, r.Raw)
			}
		})
	}
	r := ts.api("POST", "/api/v1/calls", coord, callBody("belize-2026", nil))
	if msg, _ := r.errFields()["slug"].(string); msg == "" {
		t.Fatalf("duplicate slug does not name the field: %s", r.Raw)
	}
}

func TestCallDefaultsStatusAndLookup(t *testing.T) {
	ts := newTestServer(t)
	id := ts.makeCall("belize-2026", map[string]any{"word_limits": map[string]any{"problem": 150}})
	for _, key := range []string{id, "belize-2026"} {
		r := ts.api("GET", "/api/v1/calls/"+key, "", nil)
		call := r.obj("call")
		if r.Status != 200 || call["id"] != id {
			t.Fatalf("GET %s: %d %s", key, r.Status, r.Raw)
		}
		if call["time_zone"] != "America/Belize" || call["reviewers_per_note"] != 3.0 || call["min_reviews"] != 3.0 || call["blind_review"] != false {
			t.Fatalf("defaults: %s", r.Raw)
		}
		if call["opens_at"] != "2026-06-01T06:00:00Z" || call["closes_at"] != "2026-07-01T23:00:00Z" {
			t.Fatalf("times not RFC 3339 UTC: %s", r.Raw)
		}
		limits := call["word_limits"].(map[string]any)
		if limits["problem"] != 150.0 || limits["title"] != 15.0 || limits["milestone"] != 20.0 {
			t.Fatalf("word limits not merged over the defaults: %v", limits)
		}
		sum := 0.0
		for _, c := range call["criteria"].([]any) {
			sum += c.(map[string]any)["weight"].(float64)
		}
		if len(call["criteria"].([]any)) != 5 || sum != 100 {
			t.Fatalf("criteria: %v", call["criteria"])
		}
	}
	if r := ts.api("GET", "/api/v1/calls/no-such-call", "", nil); r.Status != 404 {
		t.Fatalf("unknown call: %d", r.Status)
	}
	for _, tc := range []struct {
		at     time.Time
		status string
	}{
		{testCallOpens.Add(-time.Second), "upcoming"},
		{testCallOpens, "open"},
		{testCallCloses.Add(-time.Second), "open"},
		{testCallCloses, "closed"},
	} {
		ts.clock.Set(tc.at)
		r := ts.api("GET", "/api/v1/calls", "", nil)
		items := r.Body["items"].([]any)
		if len(items) != 1 || items[0].(map[string]any)["status"] != tc.status {
			t.Fatalf("at %s: %s, want %s", tc.at, r.Raw, tc.status)
		}
	}
}

func TestPatchCall(t *testing.T) {
	ts := newTestServer(t)
	id := ts.makeCall("belize-2026", nil)
	ts.makeCall("belize-2028", map[string]any{"ref_prefix": "BZ2028"})
	_, coord := ts.user("Carla Coordinator", "Ministry", "government", "coordinator")
	_, reviewer := ts.user("Rita Reviewer", "NGO", "civil_society", "reviewer")

	r := ts.api("PATCH", "/api/v1/calls/"+id, coord, map[string]any{"title": "A new title", "word_limits": map[string]any{"title": 10}, "blind_review": true})
	call := r.obj("call")
	if r.Status != 200 || call["title"] != "A new title" || call["blind_review"] != true || call["version"] != 2.0 {
		t.Fatalf("patch: %d %s", r.Status, r.Raw)
	}
	if l := call["word_limits"].(map[string]any); l["title"] != 10.0 || l["problem"] != 120.0 {
		t.Fatalf("limits after patch: %v", l)
	}
	cases := []struct {
		name   string
		token  string
		body   map[string]any
		status int
		field  string
	}{
		{"closes before opens", coord, map[string]any{"closes_at": "2026-05-01T00:00:00Z"}, 422, "closes_at"},
		{"plan end before start", coord, map[string]any{"plan_end": "2025-01"}, 422, "plan_end"},
		{"weights", coord, map[string]any{"criteria": []map[string]any{{"key": "problem", "weight": 100}}}, 422, "criteria.relevance"},
		{"limit", coord, map[string]any{"word_limits": map[string]any{"summary": 0}}, 422, "word_limits.summary"},
		{"zone", coord, map[string]any{"time_zone": "Nowhere"}, 422, "time_zone"},
		{"slug taken", coord, map[string]any{"slug": "belize-2028"}, 409, "slug"},
		{"stale version", coord, map[string]any{"title": "x", "version": 1}, 409, ""},
		{"reviewer", reviewer, map[string]any{"title": "x"}, 403, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := ts.api("PATCH", "/api/v1/calls/"+id, tc.token, tc.body)
			if r.Status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.Status, tc.status, r.Raw)
			}
			if tc.field != "" && r.errFields()[tc.field] == nil {
				t.Fatalf("no message for %s: %s", tc.field, r.Raw)
			}
		})
	}
	r = ts.api("GET", "/api/v1/calls/belize-2026", "", nil)
	if call := r.obj("call"); call["title"] != "A new title" || call["version"] != 2.0 || call["closes_at"] != "2026-07-01T23:00:00Z" {
		t.Fatalf("a refused patch changed the call: %s", r.Raw)
	}
}

func TestCallCountdown(t *testing.T) {
	c := &store.Call{OpensAt: testCallOpens, ClosesAt: testCallCloses}
	cases := []struct {
		now  time.Time
		want string
	}{
		{testCallOpens.Add(-49 * time.Hour), "opens in 2 days"},
		{testCallOpens.Add(-time.Minute), "opens in 1 minute"},
		{testCallOpens, "closes in 30 days"},
		{testCallCloses.Add(-3*24*time.Hour - 5*time.Hour), "closes in 3 days"},
		{testCallCloses.Add(-47 * time.Hour), "closes in 1 day"},
		{testCallCloses.Add(-5*time.Hour - 59*time.Minute), "closes in 5 hours"},
		{testCallCloses.Add(-61 * time.Minute), "closes in 1 hour"},
		{testCallCloses.Add(-12 * time.Minute), "closes in 12 minutes"},
		{testCallCloses.Add(-time.Second), "closes in less than a minute"},
		{testCallCloses, "closed less than a minute ago"},
		{testCallCloses.Add(4*24*time.Hour + time.Hour), "closed 4 days ago"},
	}
	for _, tc := range cases {
		if got := callCountdown(tc.now, c); got != tc.want {
			t.Errorf("at %s: %q, want %q", tc.now, got, tc.want)
		}
	}
}

func TestCallPages(t *testing.T) {
	ts := newTestServer(t)
	ts.makeCall("belize-2026", map[string]any{"description": "First paragraph.\n\nSecond paragraph.",
		"word_limits": map[string]any{"problem": 140}})
	ts.makeCall("belize-2028", map[string]any{"title": "The second plan", "ref_prefix": "BZ2028",
		"opens_at": "2027-06-01T00:00:00-06:00", "closes_at": "2027-07-01T17:00:00-06:00"})
	anon := ts.browser()

	p := anon.get("/calls")
	for _, want := range []string{"Open now", "Belize&#39;s first action plan", "closes in 16 days", "Opening soon", "The second plan",
		"Wednesday 1 July 2026, 17:00 Belize time"} {
		if p.Status != 200 || !strings.Contains(p.Body, want) {
			t.Fatalf("calls page lacks %q: %d\n%s", want, p.Status, p.Body)
		}
	}
	p = anon.get("/calls/belize-2026")
	for _, want := range []string{"<h1>Belize&#39;s first action plan</h1>", "This call closes in 16 days.",
		"Wednesday 1 July 2026, 17:00 Belize time", "Monday 1 June 2026, 00:00 Belize time", "<p>First paragraph.</p>",
		"<p>Second paragraph.</p>", "Ambition: potential for results</td><td class=\"num\">25</td>", "Timeline", "Screening",
		"September 2026 to August 2028", "<td>Problem</td><td class=\"num\">140 words</td>", "Sign in to write a concept note"} {
		if p.Status != 200 || !strings.Contains(p.Body, want) {
			t.Fatalf("call page lacks %q: %d\n%s", want, p.Status, p.Body)
		}
	}
	if strings.Count(p.Body, "<h1") != 1 {
		t.Fatalf("call page has %d h1", strings.Count(p.Body, "<h1"))
	}
	if p := anon.get("/calls/no-such-call"); p.Status != 404 {
		t.Fatalf("unknown call page: %d", p.Status)
	}
	part, _ := ts.user("Pat Participant", "NGO", "civil_society")
	b := ts.browser()
	b.signIn(part.Email, "a long enough password")
	if p := b.get("/calls/belize-2026"); !strings.Contains(p.Body, `href="/calls/belize-2026/notes/new"`) {
		t.Fatalf("a participant is not offered to start a note:\n%s", p.Body)
	}
	if p := b.get("/admin/calls"); p.Status != 403 {
		t.Fatalf("participant on /admin/calls: %d", p.Status)
	}
}

// callFormValues is a valid create form: dates in Belize time.
func callFormValues(csrf string, kv ...string) url.Values {
	v := url.Values{"csrf_token": {csrf}, "title": {"Belize 2026"}, "slug": {"belize-2026"}, "description": {"Ideas wanted."},
		"ref_prefix": {"BZ2026"}, "time_zone": {"America/Belize"}, "opens_at_date": {"2026-06-01"}, "opens_at_time": {"08:00"},
		"closes_at_date": {"2026-07-01"}, "closes_at_time": {"17:00"}, "plan_start": {"2026-09"}, "plan_end": {"2028-08"},
		"reviewers_per_note": {"3"}, "min_reviews": {"3"}, "reminder_days": {"2"}, "review_due": {"2026-08-15"},
		"criteria.problem": {"15"}, "criteria.relevance": {"20"}, "criteria.ambition": {"25"}, "criteria.verifiability": {"20"},
		"criteria.feasibility": {"20"}}
	for k, n := range notes.DefaultWordLimits() {
		v.Set("word_limits."+k, strconv.Itoa(n))
	}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return v
}

func TestCallFormPages(t *testing.T) {
	ts := newTestServer(t)
	coord, _ := ts.user("Carla Coordinator", "Ministry", "government", "coordinator")
	b := ts.browser()
	b.signIn(coord.Email, "a long enough password")
	csrf := b.csrf("/admin/calls/new")

	cases := []struct {
		name   string
		kv     []string
		fields []string
		kept   string // typed text shown back
	}{
		{"closes before opens", []string{"closes_at_date", "2026-05-01"}, []string{"closes_at"}, `value="2026-05-01"`},
		{"malformed date", []string{"opens_at_date", "1 June"}, []string{"opens_at"}, `value="1 June"`},
		{"plan ends before it starts", []string{"plan_end", "2026-01"}, []string{"plan_end"}, `value="2026-01"`},
		{"weights not 100", []string{"criteria.ambition", "30"}, []string{"criteria"}, `value="30"`},
		{"fractional weight", []string{"criteria.ambition", "24.5"}, []string{"criteria.ambition"}, `value="24.5"`},
		{"word limit zero", []string{"word_limits.problem", "0"}, []string{"word_limits.problem"}, `value="0"`},
		{"word limit not a number", []string{"word_limits.title", "many"}, []string{"word_limits.title"}, `value="many"`},
		{"unknown time zone", []string{"time_zone", "Belize/Nowhere"}, []string{"time_zone"}, `value="Belize/Nowhere"`},
		{"bad slug", []string{"slug", "Belize 2026"}, []string{"slug"}, `value="Belize 2026"`},
		{"several at once", []string{"title", "", "ref_prefix", "x"}, []string{"title", "ref_prefix"}, `Ideas wanted.`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := b.post("/admin/calls", callFormValues(csrf, tc.kv...))
			if p.Status != 422 || !strings.Contains(p.Body, "<title>Error: Create a call") || !strings.Contains(p.Body, "There is a problem") {
				t.Fatalf("status %d\n%s", p.Status, p.Body)
			}
			for _, f := range tc.fields {
				if !strings.Contains(p.Body, `href="#`+f+`"`) || !strings.Contains(p.Body, `id="`+f+`-error"`) {
					t.Fatalf("no message for %s in the summary and beside the field:\n%s", f, p.Body)
				}
			}
			if !strings.Contains(p.Body, tc.kept) {
				t.Fatalf("typed value %s not kept", tc.kept)
			}
		})
	}
	if r := ts.api("GET", "/api/v1/calls", "", nil); len(r.Body["items"].([]any)) != 0 {
		t.Fatalf("an invalid form created a call: %s", r.Raw)
	}

	p := b.post("/admin/calls", callFormValues(csrf, "form_token", "create-1"))
	if p.Status != 303 || p.Location != "/admin/calls" {
		t.Fatalf("create: %d %s\n%s", p.Status, p.Location, p.Body)
	}
	r := ts.api("GET", "/api/v1/calls/belize-2026", "", nil)
	call := r.obj("call")
	if call["opens_at"] != "2026-06-01T14:00:00Z" || call["closes_at"] != "2026-07-01T23:00:00Z" || call["review_due"] != "2026-08-16T05:59:59Z" {
		t.Fatalf("times not read in the call's zone: %s", r.Raw)
	}
	if p := b.post("/admin/calls", callFormValues(csrf, "form_token", "create-2")); p.Status != 422 || !strings.Contains(p.Body, "Another call already uses this short name") {
		t.Fatalf("duplicate slug: %d", p.Status)
	}
	if p := b.get("/admin/calls"); !strings.Contains(p.Body, "Belize 2026") || !strings.Contains(p.Body, "Monday 1 June 2026, 08:00 Belize time") {
		t.Fatalf("admin list:\n%s", p.Body)
	}

	id := call["id"].(string)
	edit := "/admin/calls/" + id + "/edit"
	p = b.get(edit)
	for _, want := range []string{`name="opens_at_date" value="2026-06-01"`, `name="opens_at_time" value="08:00"`, `name="closes_at_time" value="17:00"`,
		`name="criteria.ambition" type="number" value="25"`, `name="word_limits.problem" type="number" value="120"`, `name="version" value="1"`} {
		if !strings.Contains(p.Body, want) {
			t.Fatalf("edit form lacks %s:\n%s", want, p.Body)
		}
	}
	p = b.post(edit, callFormValues(csrf, "version", "1", "title", "Belize 2026, revised", "closes_at_time", "18:30", "word_limits.problem", "150"))
	if p.Status != 303 {
		t.Fatalf("edit: %d\n%s", p.Status, p.Body)
	}
	r = ts.api("GET", "/api/v1/calls/"+id, "", nil)
	call = r.obj("call")
	if call["title"] != "Belize 2026, revised" || call["closes_at"] != "2026-07-02T00:30:00Z" || call["word_limits"].(map[string]any)["problem"] != 150.0 {
		t.Fatalf("after edit: %s", r.Raw)
	}
	p = b.post(edit, callFormValues(csrf, "version", "1", "title", "An old tab's title"))
	if p.Status != 409 || !strings.Contains(p.Body, "Someone else changed this call") || !strings.Contains(p.Body, "An old tab&#39;s title") {
		t.Fatalf("stale edit: %d\n%s", p.Status, p.Body)
	}
	p = b.post(edit, callFormValues(csrf, "version", "2", "criteria.problem", "5"))
	if p.Status != 422 || !strings.Contains(p.Body, "Weights must add up to 100: they add up to 90") {
		t.Fatalf("invalid edit: %d\n%s", p.Status, p.Body)
	}
}
