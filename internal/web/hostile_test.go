package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"cocreate/internal/store"
	"cocreate/internal/testdb"
)

// hostileWorld is a committee world with a note in every state a hostile
// request may aim at, and a note of another call whose id is forged.
type hostileWorld struct {
	*committeeWorld
	draft, sub, returned, scr, cls, inel, foreign *store.Note
}

func newHostileWorld(t *testing.T) *hostileWorld {
	t.Helper()
	w := &hostileWorld{committeeWorld: newCommitteeWorld(t)}
	other := w.newCall(t, "other-call", "OT2026")
	w.foreign = w.note(t, other, "screened", "Another call's note", "justice", time.Hour)
	w.draft = w.note(t, w.call, "draft", "A draft", "justice", 0)
	w.sub = w.note(t, w.call, "submitted", "Submitted", "justice", time.Hour)
	w.returned = w.note(t, w.call, "returned", "Returned", "justice", time.Hour)
	w.inel = w.note(t, w.call, "ineligible", "Failed", "justice", time.Hour)
	w.scr = w.scored(t, "Screened", 3, 75)
	w.cls = w.scored(t, "To classify", 3, 75)
	if r := w.ts.api("PUT", "/api/v1/notes/"+w.scr.ID+"/assignments", w.coordTok, map[string]any{"reviewer_ids": []string{w.rev1.ID}}); r.Status != 200 {
		t.Fatalf("assign: %d %s", r.Status, r.Raw)
	}
	if r := w.ts.api("POST", "/api/v1/notes/"+w.cls.ID+"/classify", w.chairTok, classifyBodyFor(w.cls, "A", "included")); r.Status != 200 {
		t.Fatalf("classify: %d %s", r.Status, r.Raw)
	}
	return w
}

// snapshot is every document of the database but the ones a request may
// write without changing anything a person sees (sessions, sign-in
// failures, idempotency records, the audit log), as sorted extended JSON.
func (w *hostileWorld) snapshot(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	db := testdb.Raw(t, w.ts.store)
	names, err := db.ListCollectionNames(ctx, bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(names)
	var out []string
	for _, name := range names {
		switch name {
		case "sessions", "signin_failures", "idempotency", "audit":
			continue
		}
		cur, err := db.Collection(name).Find(ctx, bson.D{})
		if err != nil {
			t.Fatal(err)
		}
		var docs []bson.Raw
		if err := cur.All(ctx, &docs); err != nil {
			t.Fatal(err)
		}
		for _, d := range docs {
			out = append(out, name+" "+d.String())
		}
	}
	slices.Sort(out)
	return strings.Join(out, "\n")
}

// hostileReq is one hostile request: who sends it where, with what body
// (a string is sent as it is), and the status wanted (0: any 4xx).
type hostileReq struct {
	name, method, path, tok string
	body                    any
	ctype                   string
	want                    int
}

// jsonRoute is a route that reads a JSON body, with a caller allowed to use it.
type jsonRoute struct{ method, path, tok string }

func (w *hostileWorld) jsonRoutes() []jsonRoute {
	n := func(x *store.Note, rest string) string { return "/api/v1/notes/" + x.ID + rest }
	return []jsonRoute{
		{"POST", "/api/v1/register", ""},
		{"POST", "/api/v1/login", ""},
		{"POST", "/api/v1/users", w.coordTok},
		{"PATCH", "/api/v1/users/" + w.owner.ID, w.coordTok},
		{"POST", "/api/v1/calls", w.coordTok},
		{"PATCH", "/api/v1/calls/" + w.call.ID, w.coordTok},
		{"POST", "/api/v1/calls/" + w.call.ID + "/notes", w.ownerTok},
		{"PUT", n(w.draft, ""), w.ownerTok},
		{"POST", n(w.draft, "/submit"), w.ownerTok},
		{"POST", n(w.returned, "/resubmit"), w.ownerTok},
		{"POST", n(w.sub, "/withdraw"), w.ownerTok},
		{"POST", "/api/v1/calls/" + w.call.ID + "/assignments/auto", w.coordTok},
		{"PUT", n(w.scr, "/assignments"), w.coordTok},
		{"PUT", n(w.scr, "/review"), w.rev1Tok},
		{"POST", n(w.scr, "/conflict"), w.rev1Tok},
		{"POST", n(w.sub, "/screen"), w.chairTok},
		{"POST", n(w.scr, "/classify"), w.chairTok},
		{"POST", "/api/v1/calls/" + w.call.ID + "/classify", w.chairTok},
		{"POST", n(w.cls, "/reopen"), w.chairTok},
		{"POST", n(w.inel, "/reinstate"), w.chairTok},
		{"POST", "/api/v1/calls/" + w.call.ID + "/publish", w.chairTok},
		{"POST", n(w.sub, "/comments"), w.rev1Tok},
		// Issue 11, account self-service.
		{"POST", "/api/v1/password/forgot", ""},
		{"POST", "/api/v1/password/reset", ""},
		{"POST", "/api/v1/me/email/verify", ""},
		{"PATCH", "/api/v1/me", w.ownerTok},
		{"POST", "/api/v1/me/password", w.ownerTok},
		{"POST", "/api/v1/me/email", w.ownerTok},
		{"DELETE", "/api/v1/me", w.ownerTok},
		{"POST", n(w.sub, "/consent"), w.ownerTok},
		{"POST", n(w.sub, "/moderation"), w.coordTok},
	}
}

// badBodies are sent to every JSON route: none is a body any route takes.
var badBodies = []struct{ name, body string }{
	{"malformed", `{"version": 1,`},
	{"truncated", `{"version": 1, "comment": "unfinished`},
	{"not an object", `["$where", "1"]`},
	{"a bare string", `"hello"`},
	{"operator object", `{"$where": "this.state == 'draft'"}`},
	{"dotted key", `{"fields.title": "x", "scores.problem": 4}`},
	{"null bytes", "{\"version\": 1}\x00"},
	{"two objects", `{"version": 1} {"version": 2}`},
	{"invalid UTF-8", "{\"comment\": \"caf\xe9 \xff\xfe\"}"},
	{"overlong UTF-8", "{\"comment\": \"\xc0\xbc script\"}"},
	{"a lone surrogate", `{"comment": "\udc00 tail \ud83d"}`},
	{"10 MiB", `{"comment": "` + strings.Repeat("a", 10<<20) + `"}`},
	{"deep nesting", strings.Repeat(`{"a":`, 10000) + "1" + strings.Repeat("}", 10000)},
}

func (w *hostileWorld) requests() []hostileReq {
	var out []hostileReq
	for _, r := range w.jsonRoutes() {
		for _, b := range badBodies {
			out = append(out, hostileReq{name: b.name, method: r.method, path: r.path, tok: r.tok, body: b.body})
		}
		out = append(out, hostileReq{name: "not JSON", method: r.method, path: r.path, tok: r.tok, body: `version=1`, ctype: "application/x-www-form-urlencoded", want: 415})
	}
	n := func(x *store.Note, rest string) string { return "/api/v1/notes/" + x.ID + rest }
	huge := strings.Repeat("x", 1_000_000)
	add := func(name, method, path, tok string, body any) {
		out = append(out, hostileReq{name: name, method: method, path: path, tok: tok, body: body})
	}
	// Wrong types and operator objects where a value belongs.
	add("version as text", "POST", n(w.draft, "/submit"), w.ownerTok, `{"version": "1"}`)
	add("version as operator", "POST", n(w.draft, "/submit"), w.ownerTok, `{"version": {"$gt": 0}}`)
	add("fractional version", "POST", n(w.draft, "/submit"), w.ownerTok, `{"version": 1.5}`)
	add("title as operator", "PUT", n(w.draft, ""), w.ownerTok, `{"version": 1, "title": {"$ne": ""}}`)
	add("values as operator", "PUT", n(w.draft, ""), w.ownerTok, `{"version": 1, "values": {"$in": ["transparency"]}}`)
	add("milestones as text", "PUT", n(w.draft, ""), w.ownerTok, `{"version": 1, "milestones": "many"}`)
	add("roles as operator", "PATCH", "/api/v1/users/"+w.owner.ID, w.coordTok, `{"roles": {"$push": "coordinator"}}`)
	add("disabled as text", "PATCH", "/api/v1/users/"+w.owner.ID, w.coordTok, `{"disabled": "yes"}`)
	add("reviewer ids as operator", "PUT", n(w.scr, "/assignments"), w.coordTok, `{"reviewer_ids": {"$exists": true}}`)
	add("checklist as list", "POST", n(w.sub, "/screen"), w.chairTok, `{"version": 1, "outcome": "pass", "checklist": ["all"]}`)
	add("per_note as text", "POST", "/api/v1/calls/"+w.call.ID+"/assignments/auto", w.coordTok, `{"per_note": "3"}`)
	// Text that is not Unicode where the route reads it.
	add("invalid UTF-8 in a title", "PUT", n(w.draft, ""), w.ownerTok, fmt.Sprintf("{\"version\": %d, \"title\": \"caf\xe9\"}", w.draft.Version))
	add("half a surrogate pair in a title", "PUT", n(w.draft, ""), w.ownerTok, fmt.Sprintf(`{"version": %d, "title": "x\ud83d"}`, w.draft.Version))
	add("invalid UTF-8 in a name", "POST", "/api/v1/register", "", "{\"email\": \"u8@example.org\", \"password\": \"a long enough password\", \"name\": \"\xff\", \"organization\": \"Org\", \"sector\": \"media\", \"district\": \"cayo\"}")
	// Huge strings.
	add("a title of a million characters", "PUT", n(w.draft, ""), w.ownerTok, map[string]any{"version": w.draft.Version, "title": huge})
	add("a one-word title of 50,000 characters", "PUT", n(w.draft, ""), w.ownerTok, map[string]any{"version": w.draft.Version, "title": huge[:50_000]})
	add("a huge comment", "POST", n(w.sub, "/comments"), w.rev1Tok, map[string]any{"text": huge[:100_000]})
	add("a huge reason", "POST", n(w.cls, "/reopen"), w.chairTok, map[string]any{"version": 1, "reason": huge[:100_000]})
	add("a huge name", "POST", "/api/v1/register", "", map[string]any{"email": "huge@example.org", "password": "a long enough password",
		"name": huge[:100_000], "organization": "Org", "sector": "media", "district": "cayo"})
	// Scores.
	for _, s := range []string{"-1", "5", "2.5", "1e9", `"3"`, "null", "true", `{"$gt": 0}`, "-0.5"} {
		add("score "+s, "PUT", n(w.scr, "/review"), w.rev1Tok, `{"scores": {"problem": `+s+`}, "comment": "x"}`)
	}
	add("unknown criterion", "PUT", n(w.scr, "/review"), w.rev1Tok, `{"scores": {"$where": 3}}`)
	// Dates out of range.
	for _, d := range []string{"0000-01-01", "10000-01-01", "2026-02-30", "yesterday", "1970-01-01T00:00:00Z"} {
		add("revise_by "+d, "POST", n(w.sub, "/screen"), w.chairTok, map[string]any{"version": w.sub.Version, "outcome": "return",
			"checklist": checklist("specific"), "instructions": "Make it specific.", "revise_by": d})
	}
	for _, d := range []string{"0000-01-01T00:00:00Z", "99999-01-01T00:00:00Z", "2026-13-01T00:00:00Z", "not a date"} {
		add("call opens_at "+d, "POST", "/api/v1/calls", w.coordTok, callBody("hostile-dates", map[string]any{"opens_at": d}))
		add("call closes_at "+d, "PATCH", "/api/v1/calls/"+w.call.ID, w.coordTok, map[string]any{"version": w.call.Version, "closes_at": d})
	}
	add("due month out of range", "PUT", n(w.draft, ""), w.ownerTok, map[string]any{"version": w.draft.Version,
		"milestones": []map[string]string{{"deliverable": "x", "responsible": "y", "due": "2026-00"}}})
	// Paging out of range.
	for _, q := range []string{"page=9223372036854775807", "page=-1", "page=0", "per_page=0", "per_page=201", "page=1e3", "page=99999999999999999999999"} {
		for _, p := range []string{"/api/v1/notes", "/api/v1/users", n(w.sub, "/comments")} {
			out = append(out, hostileReq{name: "paging " + q, method: "GET", path: p + "?" + q, tok: w.coordTok, want: 400})
		}
	}
	// Forged ids: another call's objects, users in the wrong role, ids that are operators.
	add("duplicate of another call's note", "POST", n(w.sub, "/screen"), w.chairTok, map[string]any{"version": w.sub.Version, "outcome": "fail",
		"checklist": checklist("not_duplicate"), "comment": "Duplicate.", "duplicate_of": w.foreign.ID})
	add("merged into another call's note", "POST", n(w.scr, "/classify"), w.chairTok, map[string]any{"version": w.scr.Version, "class": "D",
		"reason_code": "merged", "rationale": "Merged.", "merged_into": w.foreign.ID})
	add("a participant as reviewer", "PUT", n(w.scr, "/assignments"), w.coordTok, map[string]any{"reviewer_ids": []string{w.owner.ID}})
	add("an unknown reviewer", "PUT", n(w.scr, "/assignments"), w.coordTok, map[string]any{"reviewer_ids": []string{"000000000000000000000000"}})
	add("another call's note through this call", "POST", "/api/v1/calls/"+w.call.ID+"/classify", w.chairTok, `{"items": "all"}`)
	add("an operator as an id", "PUT", "/api/v1/notes/%7B%22%24ne%22%3Anull%7D", w.ownerTok, map[string]any{"version": 1, "title": "x"})
	add("another owner's draft", "PUT", n(w.draft, ""), w.rev1Tok, map[string]any{"version": w.draft.Version, "title": "Taken over"})
	add("another owner's withdrawal", "POST", n(w.sub, "/withdraw"), w.rev2Tok, map[string]any{"version": w.sub.Version})
	add("a review of a note not assigned", "PUT", n(w.sub, "/review"), w.rev2Tok, fullReview(3, true))
	add("a stale version", "POST", n(w.draft, "/submit"), w.ownerTok, map[string]any{"version": w.draft.Version + 7})
	// Issue 13, the pages around the forms: the call's contact address and the People search.
	for name, v := range map[string]string{"an attribute break": `x"><script>alert(1)</script>@example.org`,
		"a mailto with a header": "a@example.org?bcc=all@example.org", "two addresses": "a@example.org, b@example.org",
		"a huge address": huge[:100_000] + "@example.org", "a replacement character": "caf\ufffd@example.org"} {
		add("contact_email "+name, "PATCH", "/api/v1/calls/"+w.call.ID, w.coordTok, map[string]any{"version": w.call.Version, "contact_email": v})
		add("new call contact_email "+name, "POST", "/api/v1/calls", w.coordTok, callBody("hostile-contact", map[string]any{"contact_email": v}))
	}
	add("invalid UTF-8 in contact_email", "PATCH", "/api/v1/calls/"+w.call.ID, w.coordTok, "{\"contact_email\": \"caf\xe9@example.org\"}")
	add("contact_email as operator", "PATCH", "/api/v1/calls/"+w.call.ID, w.coordTok, `{"contact_email": {"$ne": ""}}`)
	add("contact_email as number", "PATCH", "/api/v1/calls/"+w.call.ID, w.coordTok, `{"contact_email": 7}`)
	add("contact_email as list", "POST", "/api/v1/calls", w.coordTok, `{"slug": "hostile-list", "contact_email": ["a@example.org"]}`)
	for name, q := range map[string]string{"a search of 201 characters": strings.Repeat("q", 201), "a huge search": huge[:100_000],
		"invalid UTF-8 in the search": "%ff%fe", "an overlong encoding in the search": "%c0%bc"} {
		out = append(out, hostileReq{name: name, method: "GET", path: "/api/v1/users?q=" + url.QueryEscape(q), tok: w.coordTok, want: 422})
		if strings.HasPrefix(q, "%") {
			out[len(out)-1].path = "/api/v1/users?q=" + q
		}
	}
	// Issue 11, account self-service: operators and wrong types where a
	// value belongs, huge and broken text, forged links and ids, paging.
	add("e-mail as operator", "POST", "/api/v1/password/forgot", "", `{"email": {"$ne": ""}}`)
	add("a look-alike e-mail", "POST", "/api/v1/password/forgot", "", map[string]any{"email": "сoordinator@example.org"})
	add("a huge e-mail", "POST", "/api/v1/password/forgot", "", map[string]any{"email": huge[:100_000] + "@example.org"})
	add("token as operator", "POST", "/api/v1/password/reset", "", `{"token": {"$gt": ""}, "password": "a long enough password"}`)
	add("a forged reset token", "POST", "/api/v1/password/reset", "", map[string]any{"token": "forged", "password": "a long enough password"})
	add("a huge reset token", "POST", "/api/v1/password/reset", "", map[string]any{"token": huge, "password": "a long enough password"})
	add("a forged verification token", "POST", "/api/v1/me/email/verify", "", map[string]any{"token": w.owner.ID})
	add("phone as operator", "PATCH", "/api/v1/me", w.ownerTok, `{"phone": {"$set": "1"}}`)
	add("roles through the profile", "PATCH", "/api/v1/me", w.ownerTok, `{"roles": ["coordinator"]}`)
	add("a huge organisation", "PATCH", "/api/v1/me", w.ownerTok, map[string]any{"organization": huge[:100_000]})
	add("invalid UTF-8 in the profile", "PATCH", "/api/v1/me", w.ownerTok, "{\"name\": \"caf\xe9\"}")
	add("script in a sector", "PATCH", "/api/v1/me", w.ownerTok, map[string]any{"sector": `"><script>alert(1)</script>`})
	add("a wrong current password", "POST", "/api/v1/me/password", w.ownerTok, map[string]any{"current": "not it at all", "password": "another long password"})
	add("an e-mail change without the password", "POST", "/api/v1/me/email", w.ownerTok, map[string]any{"email": "new@example.org", "password": "wrong password"})
	add("a deletion without the password", "DELETE", "/api/v1/me", w.ownerTok, map[string]any{"password": "wrong password"})
	add("consent as text", "POST", n(w.sub, "/consent"), w.ownerTok, `{"consent_publish": "no"}`)
	add("another owner's consent", "POST", n(w.sub, "/consent"), w.rev2Tok, map[string]any{"consent_publish": false})
	add("hiding a draft", "POST", n(w.draft, "/moderation"), w.coordTok, map[string]any{"hidden": true, "reason": "x"})
	add("hiding without a reason", "POST", n(w.sub, "/moderation"), w.coordTok, map[string]any{"hidden": true, "reason": " "})
	add("a huge moderation reason", "POST", n(w.sub, "/moderation"), w.coordTok, map[string]any{"hidden": true, "reason": huge[:100_000]})
	add("hidden as text", "POST", n(w.sub, "/moderation"), w.coordTok, `{"hidden": "yes", "reason": "x"}`)
	for _, q := range []string{"page=-1", "page=0", "page=1e3", "page=99999999999999999999999", "event=%24ne", "user_id=%7B%22%24ne%22%3A1%7D"} {
		out = append(out, hostileReq{name: "audit " + q, method: "GET", path: "/api/v1/audit?" + q, tok: w.coordTok, want: 400})
	}
	out = append(out, w.trainingRequests()...)
	return out
}

// trainingRequests are the hostile requests of the training programme
// (issue 12): its JSON routes get every bad body, and each field a wrong
// type, an operator, text that is not Unicode, a huge string, an id
// forged from another call's programme.
func (w *hostileWorld) trainingRequests() []hostileReq {
	t := w.ts.t
	prog := func(callID string) string {
		r := w.ts.api("PUT", "/api/v1/calls/"+callID+"/programme", w.coordTok, map[string]any{"title": "Webinars",
			"sessions": []map[string]any{{"title": "One", "starts_at": "2026-05-05T10:30", "minutes": 90}}})
		if r.Status != 200 {
			t.Fatalf("programme: %d %s", r.Status, r.Raw)
		}
		return r.obj("programme")["sessions"].([]any)[0].(map[string]any)["id"].(string)
	}
	sid := prog(w.call.ID)
	foreign := prog(w.foreign.CallID)
	progPath := "/api/v1/calls/" + w.call.ID + "/programme"
	checkIn := "/api/v1/sessions/" + sid + "/attendance/" + w.owner.ID
	interest := "/api/v1/sessions/" + sid + "/interest"
	var out []hostileReq
	add := func(name, method, path, tok string, body any, want int) {
		out = append(out, hostileReq{name: name, method: method, path: path, tok: tok, body: body, want: want})
	}
	for _, r := range []jsonRoute{{"PUT", progPath, w.coordTok}, {"POST", interest, w.ownerTok}, {"PUT", checkIn, w.coordTok}} {
		for _, b := range badBodies {
			add(b.name, r.method, r.path, r.tok, b.body, 0)
		}
		add("not JSON", r.method, r.path, r.tok, "present=true", 0)
	}
	session := func(extra map[string]any) map[string]any {
		s := map[string]any{"id": sid, "title": "One", "starts_at": "2026-05-05T10:30", "minutes": 90}
		for k, v := range extra {
			s[k] = v
		}
		return map[string]any{"title": "Webinars", "version": 1, "sessions": []any{s}}
	}
	huge := strings.Repeat("x", 1_000_000)
	add("title as operator", "PUT", progPath, w.coordTok, `{"title": {"$ne": ""}, "sessions": []}`, 400)
	add("sessions as text", "PUT", progPath, w.coordTok, `{"title": "x", "sessions": "all"}`, 400)
	add("minutes as text", "PUT", progPath, w.coordTok, session(map[string]any{"minutes": "90"}), 400)
	add("minutes out of range", "PUT", progPath, w.coordTok, session(map[string]any{"minutes": 100000}), 422)
	add("minimum above the duration", "PUT", progPath, w.coordTok, session(map[string]any{"min_minutes": 91}), 422)
	add("a start that is no date", "PUT", progPath, w.coordTok, session(map[string]any{"starts_at": "next Tuesday"}), 422)
	add("a start in year 0", "PUT", progPath, w.coordTok, session(map[string]any{"starts_at": "0000-01-01T00:00:00Z"}), 422)
	add("a script link", "PUT", progPath, w.coordTok, session(map[string]any{"online_url": "javascript:alert(1)"}), 422)
	add("a huge title", "PUT", progPath, w.coordTok, session(map[string]any{"title": huge}), 0)
	add("invalid UTF-8 in a venue", "PUT", progPath, w.coordTok, "{\"title\": \"x\", \"sessions\": [{\"title\": \"t\", \"venue\": \"caf\xe9\"}]}", 400)
	add("another call's session", "PUT", progPath, w.coordTok, session(map[string]any{"id": foreign}), 422)
	add("an operator as a session id", "PUT", progPath, w.coordTok, session(map[string]any{"id": map[string]any{"$ne": nil}}), 400)
	add("mode as operator", "POST", interest, w.ownerTok, `{"mode": {"$in": ["online"]}}`, 400)
	add("an unknown mode", "POST", interest, w.ownerTok, `{"mode": "teleport"}`, 422)
	add("interest in a forged session", "POST", "/api/v1/sessions/"+w.call.ID+"-deadbeef/interest", w.ownerTok, `{"mode": "online"}`, 404)
	add("interest in an operator", "POST", "/api/v1/sessions/%7B%22%24ne%22%3Anull%7D/interest", w.ownerTok, `{"mode": "online"}`, 404)
	add("present as text", "PUT", checkIn, w.coordTok, `{"present": "yes"}`, 400)
	add("present missing", "PUT", checkIn, w.coordTok, `{"minutes": 5}`, 422)
	add("negative minutes", "PUT", checkIn, w.coordTok, `{"present": true, "minutes": -5}`, 422)
	add("minutes of a week", "PUT", checkIn, w.coordTok, `{"present": true, "minutes": 10080}`, 422)
	add("check-in of an operator", "PUT", "/api/v1/sessions/"+sid+"/attendance/%7B%22%24gt%22%3A%22%22%7D", w.coordTok, `{"present": true}`, 404)
	add("attendance as JSON", "POST", "/api/v1/sessions/"+sid+"/attendance", w.coordTok, `{"file": "x"}`, 400)
	add("a mapping that is an operator", "POST", "/api/v1/sessions/"+sid+"/attendance", w.coordTok, `{"mapping": {"$where": "1"}}`, 400)
	for _, code := range []string{"%00", "%7B%22%24ne%22%3Anull%7D", "..%2F..%2Fetc", strings.Repeat("A", 5000), "ABCDE-ABCD%C3%A9"} {
		add("certificate code "+code[:min(len(code), 20)], "GET", "/api/v1/certificates/"+code, "", nil, 404)
	}
	add("a certificate of an operator call", "GET", "/api/v1/me/certificate.pdf?call_id=%7B%22%24ne%22%3Anull%7D", w.ownerTok, nil, 404)
	return out
}

// checkAPIError asserts a 4xx in the api.md error shape (status 0: any 4xx).
func checkAPIError(t *testing.T, r apiResp, want int) {
	t.Helper()
	if r.Status < 400 || r.Status > 499 || (want != 0 && r.Status != want) {
		t.Fatalf("status %d, want %v: %.300s", r.Status, max(want, 400), r.Raw)
	}
	e, _ := r.Body["error"].(map[string]any)
	if e == nil || len(r.Body) != 1 {
		t.Fatalf("not the api.md error shape: %.300s", r.Raw)
	}
	code, _ := e["code"].(string)
	msg, _ := e["message"].(string)
	if code == "" || msg == "" || e["request_id"] != r.Header.Get("X-Request-Id") {
		t.Fatalf("error without a code, a message or the request id: %.300s", r.Raw)
	}
	for _, leak := range []string{"json:", "mongo", "runtime", "goroutine", "http:", ".go:", "invalid character"} {
		if strings.Contains(msg, leak) {
			t.Fatalf("message %q leaks internals", msg)
		}
	}
}

// TestHostileRequests sends every hostile request of the table and checks
// each gets a 4xx in the api.md error shape, the server stays up, and no
// document changed.
func TestHostileRequests(t *testing.T) {
	w := newHostileWorld(t)
	reqs := w.requests()
	for _, hr := range reqs {
		t.Run(hr.method+" "+hr.path+" "+hr.name, func(t *testing.T) {
			var hdr []string
			if hr.ctype != "" {
				hdr = []string{"Content-Type", hr.ctype}
			}
			w.ts.t = t
			before := w.snapshot(t)
			r := w.ts.api(hr.method, hr.path, hr.tok, hr.body, hdr...)
			checkAPIError(t, r, hr.want)
			if r := w.ts.api("GET", "/healthz", "", nil); r.Status != 200 {
				t.Fatalf("the server is down after the request: %d", r.Status)
			}
			if after := w.snapshot(t); after != before {
				t.Fatalf("the data changed:\n%s", firstDiff(before, after))
			}
		})
	}
	w.ts.t = t
	if len(reqs) < 300 {
		t.Fatalf("only %d hostile requests", len(reqs))
	}
}

// firstDiff names the first line that differs between two snapshots.
func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < max(len(al), len(bl)); i++ {
		x, y := "", ""
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x != y {
			return fmt.Sprintf("before: %.400s\nafter:  %.400s", x, y)
		}
	}
	return ""
}

// TestInvalidUnicodeIsRefused checks the decoder itself: invalid UTF-8
// and half surrogate pairs are refused, while a real pair and escaped
// backslashes before a u pass.
func TestInvalidUnicodeIsRefused(t *testing.T) {
	for body, ok := range map[string]bool{
		`{"a": "caf` + "\xe9" + `"}`:   false,
		`{"a": "\ud800"}`:              false,
		`{"a": "\ud800\u0041"}`:        false,
		`{"a": "\udfff"}`:              false,
		`{"a": "x\ud83d"}`:             false,
		`{"a": "\ud83d\ude00"}`:        true,
		`{"a": "\\ud800"}`:             true,
		`{"a": "\\\ud83d\ude00\\"}`:    true,
		`{"a": "caf\u00e9 \u2028 ok"}`: true,
		`{"a": "\u"}`:                  true, // not a surrogate: the JSON decoder refuses it
	} {
		if err := checkUnicode([]byte(body)); (err == nil) != ok {
			t.Errorf("%s: %v, want ok=%v", body, err, ok)
		}
	}
}

// payload breaks out of a text node, an attribute and a script, so a page
// that is not escaped shows it raw.
const payload = `"'><script>alert(1)</script><img src=x onerror=alert(2)>`

// TestScriptInEveryTextFieldIsInert puts the payload in every text field a
// person can fill (the note's fields, names and organisations, comments,
// the call's title, screening and classification texts) and checks every
// page that shows them carries only the escaped form.
func TestScriptInEveryTextFieldIsInert(t *testing.T) {
	w := newCommitteeWorld(t)
	ctx := context.Background()
	if r := w.ts.api("PATCH", "/api/v1/users/"+w.owner.ID, w.coordTok, map[string]any{"name": "Pat " + payload, "organization": "Org " + payload}); r.Status != 200 {
		t.Fatalf("rename: %d %s", r.Status, r.Raw)
	}
	if r := w.ts.api("PATCH", "/api/v1/calls/"+w.call.ID, w.coordTok, map[string]any{"version": w.call.Version, "title": "Call " + payload, "description": "About " + payload}); r.Status != 200 {
		t.Fatalf("call: %d %s", r.Status, r.Raw)
	}
	f := validFields("Title "+payload, "justice")
	for _, p := range []*string{&f.Summary, &f.Problem, &f.Commitment, &f.Change, &f.ValuesExplanation, &f.LeadAgency, &f.Partners, &f.Resources, &f.ConflictDeclaration} {
		*p = "Text " + payload
	}
	f.Milestones[0].Deliverable, f.Milestones[0].Responsible = "Deliver "+payload, "Who "+payload
	n := w.note(t, w.call, "submitted", "", "justice", time.Hour, func(n *store.Note) { n.Fields = f })
	if r := w.ts.api("POST", "/api/v1/notes/"+n.ID+"/comments", w.rev1Tok, map[string]any{"text": "Comment " + payload}); r.Status != 201 {
		t.Fatalf("comment: %d %s", r.Status, r.Raw)
	}
	if r := w.ts.api("POST", "/api/v1/notes/"+n.ID+"/screen", w.chairTok, map[string]any{"version": n.Version, "outcome": "pass",
		"checklist": checklist(), "comment": "Screen " + payload}); r.Status != 200 {
		t.Fatalf("screen: %d %s", r.Status, r.Raw)
	}
	n, _ = w.ts.store.NoteByID(ctx, n.ID)
	if r := w.ts.api("POST", "/api/v1/notes/"+n.ID+"/classify", w.chairTok, map[string]any{"version": n.Version, "class": "A", "reason_code": "included",
		"rationale": "Because " + payload, "override_reason": "Meeting " + payload}); r.Status != 200 {
		t.Fatalf("classify: %d %s", r.Status, r.Raw)
	}
	pages := map[*store.User][]string{
		w.owner: {"/notes", "/notes/" + n.ID, "/notes/" + n.ID + "/print", "/notes/" + n.ID + "/submitted", "/calls", "/calls/" + w.call.Slug},
		w.chair: {"/committee", "/committee/notes/" + n.ID, "/notes/" + n.ID + "/reviews", "/committee/publish?call=" + w.call.Slug,
			"/notes/" + n.ID + "/reopen", "/committee/screening?call=" + w.call.ID},
		w.coord: {"/admin/users", "/admin/users/" + w.owner.ID, "/admin/calls", "/admin/calls/" + w.call.ID + "/edit", "/admin/calls/" + w.call.ID + "/assignments"},
	}
	seen := 0
	for u, paths := range pages {
		b := w.ts.browser()
		b.signIn(u.Email, "a long enough password")
		for _, p := range paths {
			pg := b.get(p)
			if pg.Status != 200 {
				t.Errorf("%s %s: %d", u.Name, p, pg.Status)
				continue
			}
			if strings.Contains(pg.Body, "<script>alert") || strings.Contains(pg.Body, "<img src=x") || strings.Contains(pg.Body, `"'>`) {
				i := strings.Index(pg.Body, "alert(")
				t.Errorf("%s %s: the payload is raw: …%s…", u.Name, p, pg.Body[max(0, i-120):min(len(pg.Body), i+40)])
			}
			if c := strings.Count(pg.Body, "&lt;script&gt;alert(1)&lt;/script&gt;"); c > 0 {
				seen++
			}
		}
	}
	if seen < 12 {
		t.Errorf("the escaped payload shows on only %d pages: the check sees too little", seen)
	}
	// JSON answers escape markup too, so a page that inserts them as HTML stays inert.
	for _, p := range []string{"/api/v1/notes/" + n.ID, "/api/v1/notes/" + n.ID + "/comments", "/api/v1/users"} {
		r := w.ts.api("GET", p, w.coordTok, nil)
		if r.Status != 200 || strings.Contains(string(r.Raw), "<script>") {
			t.Errorf("%s: %d raw markup in JSON", p, r.Status)
		}
	}
}

// TestFormsRefuseHostileInput posts to the cookie-signed page routes with
// no CSRF token, a wrong one and one of another session; and, with the
// right token, text that is not UTF-8 and huge: each is a 4xx and nothing
// changes.
func TestFormsRefuseHostileInput(t *testing.T) {
	w := newHostileWorld(t)
	all, _ := w.ts.user("Alex All", "Programme", "government", "participant", "reviewer", "chair", "coordinator")
	b := w.ts.browser()
	b.signIn(all.Email, "a long enough password")
	other := w.ts.browser()
	other.signIn(w.owner.Email, "a long enough password")
	otherTok := other.csrf("/notes")
	good := b.csrf("/notes")
	h, err := newHandler(Deps{App: w.ts.app})
	if err != nil {
		t.Fatal(err)
	}
	before := w.snapshot(t)
	checked := 0
	for _, rt := range h.table() {
		if rt.method == "GET" || strings.HasPrefix(rt.path, "/api/") || rt.path == "/login" || rt.path == "/register" {
			continue
		}
		path := strings.NewReplacer(":id", w.scr.ID, ":slug", w.call.Slug).Replace(rt.path)
		for name, tok := range map[string]string{"no token": "", "a wrong token": good[:len(good)-2] + "xx", "another session's token": otherTok} {
			t.Run(rt.path+" "+name, func(t *testing.T) {
				form := url.Values{"version": {"1"}, "title": {"x"}, "text": {"x"}, "call": {w.call.Slug}}
				if tok != "" {
					form.Set("csrf_token", tok)
				}
				w.ts.t = t
				p := b.post(path, form)
				if p.Status != http.StatusForbidden {
					t.Fatalf("%d, want 403", p.Status)
				}
				if r := b.send("POST", path, map[string]any{"version": 1}); r.Status != http.StatusForbidden {
					t.Fatalf("JSON with a cookie and no token: %d", r.Status)
				}
			})
		}
		checked++
	}
	if checked < 20 {
		t.Fatalf("only %d form routes", checked)
	}
	w.ts.t = t
	// With the right token: text that is not UTF-8, and far too long.
	ob := w.ts.browser()
	ob.signIn(w.owner.Email, "a long enough password")
	edit := ob.get("/notes/" + w.draft.ID + "/edit")
	form := hidden(t, edit.Body, "/notes/"+w.draft.ID+"/edit")
	for name, v := range map[string]string{"invalid UTF-8": "caf\xe9 \xff", "a million characters": strings.Repeat("w", 1_000_000)} {
		f := url.Values{}
		for k, vs := range form {
			f[k] = vs
		}
		f.Set("title", v)
		p := ob.post("/notes/"+w.draft.ID+"/edit", f)
		if p.Status < 400 || p.Status > 499 {
			t.Errorf("%s in a form: %d, want a 4xx", name, p.Status)
		}
		if strings.Contains(p.Body, "\xff") {
			t.Errorf("%s: the page echoes invalid UTF-8", name)
		}
	}
	if after := w.snapshot(t); after != before {
		t.Fatalf("the data changed:\n%s", firstDiff(before, after))
	}
}

// Issue 13 (the committee's throughput): the dashboard view carried in
// ?from=, the page size, and the screening form's checklist control and
// opening time. Hostile values are ignored or answered beside the field,
// never a 500, never a record.
func TestCommitteeThroughputInputsAreHarmless(t *testing.T) {
	w := newHostileWorld(t)
	b := w.ts.browser()
	b.signIn(w.chair.Email, "a long enough password")
	csrf := b.csrf("/committee?call=" + w.call.Slug)
	huge := strings.Repeat("x", 1_000_000)
	for name, from := range map[string]string{
		"script":                   `call=open-gov-2026&q="><script>alert(1)</script>`,
		"another call":             "call=other-call",
		"an operator key":          "call=open-gov-2026&$where=1&state[$ne]=x",
		"not a query":              "%zz%%",
		"invalid UTF-8":            "call=open-gov-2026&q=\xff\xfe",
		"huge":                     "call=open-gov-2026&q=" + huge,
		"a sort that is not known": "call=open-gov-2026&sort=$natural&per_page=-1",
	} {
		for _, path := range []string{"/committee/notes/" + w.scr.ID, "/notes/" + w.scr.ID + "/classify", "/notes/" + w.sub.ID + "/screen"} {
			p := b.get(path + "?from=" + url.QueryEscape(from))
			if p.Status != 200 || strings.Contains(p.Body, "<script>alert") {
				t.Errorf("%s with from %s: %d", path, name, p.Status)
			}
		}
	}
	for _, q := range []string{"per_page=all&page=999999", "per_page=%24gt", "per_page=" + huge[:5000], "per_page=200&page=abc"} {
		if p := b.get("/committee?call=" + w.call.Slug + "&" + q); p.Status >= 500 {
			t.Errorf("dashboard ?%.40s: %d", q, p.Status)
		}
	}
	before := w.snapshot(t)
	post := func(name string, form url.Values, want int, beside string) {
		t.Helper()
		form.Set("csrf_token", csrf)
		form.Set("version", fmt.Sprint(w.sub.Version))
		p := b.post("/notes/"+w.sub.ID+"/screen", form)
		if p.Status != want || (beside != "" && !strings.Contains(p.Body, `id="`+beside+`-error"`)) || strings.Contains(p.Body, "<script>alert") {
			t.Errorf("%s: %d, want %d with an error beside %q", name, p.Status, want, beside)
		}
	}
	post("items as an operator", url.Values{"items[$ne]": {"x"}}, 422, "items")
	post("items unknown", url.Values{"items": {`"><script>alert(1)</script>`}}, 422, "items")
	post("items huge", url.Values{"items": {huge}}, 422, "items")
	post("some with a forged item", url.Values{"items": {"some"}, "checklist.$where": {"fail"}}, 422, "items")
	post("opened_at garbage", url.Values{"items": {"some"}, "checklist.verifiable": {"fail"}, "opened_at": {"2026-99-99T&lt;" + huge[:1000]}}, 422, "outcome")
	post("a comment on a forged item", url.Values{"items": {"all"}, "item_comments.$set": {"x"}, "duplicate_of": {w.foreign.ID}}, 422, "duplicate_of")
	post("invalid UTF-8 in a comment", url.Values{"items": {"some"}, "checklist.plan_period": {"fail"}, "outcome": {"fail"},
		"item_comments.plan_period": {"caf\xe9 \xff"}}, 400, "")
	if after := w.snapshot(t); after != before {
		t.Fatalf("the data changed:\n%s", firstDiff(before, after))
	}
}
