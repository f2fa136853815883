package web

import (
	"context"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"cocreate/internal/notes"
	"cocreate/internal/review"
	"cocreate/internal/store"
)

// The kinds of caller of the authorization matrix, in the order of a row's letters.
var matrixCallers = []string{
	"anonymous", "owner", "other participant", "assigned reviewer", "unassigned reviewer",
	"conflicted reviewer", "owner who reviews", "chair", "coordinator", "disabled account", "revoked token",
}

// matrixWorld is one blind-review call with a caller of every kind: note N
// of the owner is screened, assigned to the assigned reviewer and to a
// fourth reviewer who has scored and commented on it; the conflicted
// reviewer belongs to the owner's organisation; NC (the owner's) and NR
// (the owner who reviews) are classified but not published.
type matrixWorld struct {
	ts             *testServer
	call           *store.Call
	users          map[string]*store.User
	tok            map[string]string // caller → bearer token ("" for anonymous)
	n, nc, nr      *store.Note
	secretComment  string
	r4Comment      string
	classification string
}

func newMatrixWorld(t *testing.T) *matrixWorld {
	t.Helper()
	ts := newTestServer(t)
	ctx := context.Background()
	w := &matrixWorld{ts: ts, users: map[string]*store.User{}, tok: map[string]string{"anonymous": ""},
		secretComment: "Committee only: the agency runs a pilot already", r4Comment: "Reviewer four thinks the milestones are thin",
		classification: "Rationale nobody outside the committee reads yet"}
	now := ts.clock.Now()
	w.call = &store.Call{Slug: "matrix-2026", Title: "Matrix call", RefPrefix: "MX2026", OpensAt: now.AddDate(0, 0, -10),
		ClosesAt: now.AddDate(0, 0, 20), PlanStart: "2026-09", PlanEnd: "2028-08", TimeZone: "America/Belize", BlindReview: true,
		ReviewersPerNote: 3, MinReviews: 1, Criteria: review.DefaultCriteria(), WordLimits: notes.DefaultWordLimits()}
	if err := ts.store.CreateCall(ctx, w.call); err != nil {
		t.Fatal(err)
	}
	add := func(kind, name, org string, roles ...string) {
		w.users[kind], w.tok[kind] = ts.user(name, org, "civil_society", roles...)
	}
	add("owner", "Quentin Ownerby", "Zephyr Budget Watch", "participant")
	add("other participant", "Olga Other", "Other Org", "participant")
	add("assigned reviewer", "Ada Assigned", "Ministry A", "reviewer")
	add("unassigned reviewer", "Uma Unassigned", "Ministry U", "reviewer")
	add("conflicted reviewer", "Carl Conflicted", " zephyr  budget watch ", "reviewer")
	add("owner who reviews", "Orla Ownreview", "Civic Lab", "participant", "reviewer")
	add("chair", "Chad Chair", "Office", "reviewer", "chair")
	add("coordinator", "Cora Coord", "Programme", "coordinator")
	add("disabled account", "Dora Disabled", "Gone Org", "participant", "reviewer")
	add("revoked token", "Rex Revoked", "Left Org", "participant", "reviewer", "chair", "coordinator")
	r4, r4Tok := ts.user("Rhea Four", "Ministry Four", "government", "reviewer")

	mk := func(owner *store.User, title string) *store.Note {
		at := now.Add(-time.Hour)
		n := &store.Note{CallID: w.call.ID, State: "screened", Owner: owner.ID, Fields: validFields(title, "justice"),
			Ref: "MX2026-" + title[:4], SubmittedAt: &at, History: []store.HistoryEntry{
				{From: "draft", To: "submitted", Event: "submit", By: owner.ID, ByRole: "owner", At: at},
				{From: "submitted", To: "screened", Event: "screen_pass", By: w.users["chair"].ID, ByRole: "chair", At: at}}}
		if err := ts.store.CreateNote(ctx, n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	w.n, w.nc, w.nr = mk(w.users["owner"], "Note N"), mk(w.users["owner"], "Note NC"), mk(w.users["owner who reviews"], "Note NR")
	coord, chair := w.tok["coordinator"], w.tok["chair"]
	must := func(r apiResp, want int, what string) {
		t.Helper()
		if r.Status != want {
			t.Fatalf("%s: %d %s", what, r.Status, r.Raw)
		}
	}
	must(ts.api("PUT", "/api/v1/notes/"+w.n.ID+"/assignments", coord, map[string]any{"reviewer_ids": []string{w.users["assigned reviewer"].ID, r4.ID}}), 200, "assign N")
	rv := fullReview(3, true)
	rv["comment"] = w.r4Comment
	must(ts.api("PUT", "/api/v1/notes/"+w.n.ID+"/review", r4Tok, rv), 200, "review N")
	must(ts.api("POST", "/api/v1/notes/"+w.n.ID+"/comments", r4Tok, map[string]any{"text": w.secretComment}), 201, "comment on N")
	for _, x := range []*store.Note{w.nc, w.nr} {
		must(ts.api("PUT", "/api/v1/notes/"+x.ID+"/assignments", coord, map[string]any{"reviewer_ids": []string{r4.ID}}), 200, "assign")
		must(ts.api("PUT", "/api/v1/notes/"+x.ID+"/review", r4Tok, fullReview(4, true)), 200, "review")
		fresh, _ := ts.store.NoteByID(ctx, x.ID)
		b := classifyBodyFor(fresh, "A", "included")
		b["rationale"] = w.classification
		must(ts.api("POST", "/api/v1/notes/"+x.ID+"/classify", chair, b), 200, "classify")
	}
	must(ts.api("PATCH", "/api/v1/users/"+w.users["disabled account"].ID, coord, map[string]any{"disabled": true}), 200, "disable")
	must(ts.api("POST", "/api/v1/logout", w.tok["revoked token"], nil), 204, "revoke")
	return w
}

// matrixRow is what each kind of caller gets from one route, one letter a
// caller in matrixCallers order: A allowed (past every access check: a
// success, or a refusal of the request's content), F forbidden (403), N
// not found (404: the caller may not know the note), U unauthenticated
// (401 in the API, a redirect to sign in on pages).
type matrixRow struct{ method, path, want string }

// matrix is every route of the router. A route added without a row fails
// TestAuthorizationMatrix.
//
// A disabled account's or revoked token is refused even on public routes:
// a credential that is no longer good is never taken for anonymous. The
// coordinator's N on a manual assignment and the committee's N on an
// upload are the probe's content (no note, no file), past the role check.
var matrix = []matrixRow{
	//                                                    anonymous, owner, other participant, assigned, unassigned, conflicted,
	//                                                    owner who reviews, chair, coordinator, disabled, revoked
	{"GET", "/healthz", "AAAAAAAAAUU"},
	{"GET", "/readyz", "AAAAAAAAAUU"},
	{"GET", "/metrics", "AAAAAAAAAUU"},
	{"GET", "/", "AAAAAAAAAUU"},
	{"GET", "/login", "AAAAAAAAAUU"},
	{"POST", "/login", "AAAAAAAAAUU"},
	{"GET", "/register", "AAAAAAAAAUU"},
	{"POST", "/register", "AAAAAAAAAUU"},
	{"GET", "/admin/users", "UFFFFFFFAUU"},
	{"GET", "/admin/users/new", "UFFFFFFFAUU"},
	{"POST", "/admin/users", "UFFFFFFFAUU"},
	{"GET", "/admin/users/:id", "UFFFFFFFAUU"},
	{"POST", "/admin/users/:id", "UFFFFFFFAUU"},
	{"POST", "/api/v1/register", "AAAAAAAAAUU"},
	{"POST", "/api/v1/login", "AAAAAAAAAUU"},
	{"GET", "/api/v1/me", "UAAAAAAAAUU"},
	{"POST", "/api/v1/users", "UFFFFFFFAUU"},
	{"PATCH", "/api/v1/users/:id", "UFFFFFFFAUU"},
	{"GET", "/api/v1/users", "UFFFFFFFAUU"},
	{"GET", "/calls", "AAAAAAAAAUU"},
	{"GET", "/calls/:slug", "AAAAAAAAAUU"},
	{"GET", "/admin/calls", "UFFFFFFFAUU"},
	{"GET", "/admin/calls/new", "UFFFFFFFAUU"},
	{"POST", "/admin/calls", "UFFFFFFFAUU"},
	{"GET", "/admin/calls/:id/edit", "UFFFFFFFAUU"},
	{"POST", "/admin/calls/:id/edit", "UFFFFFFFAUU"},
	{"GET", "/api/v1/calls", "AAAAAAAAAUU"},
	{"GET", "/api/v1/calls/:call_id", "AAAAAAAAAUU"},
	{"POST", "/api/v1/calls", "UFFFFFFFAUU"},
	{"PATCH", "/api/v1/calls/:call_id", "UFFFFFFFAUU"},
	{"GET", "/calls/:slug/notes/new", "UAAFFFAFFUU"},
	{"POST", "/calls/:slug/notes", "UAAFFFAFFUU"},
	{"GET", "/notes", "UAAAAAAAAUU"},
	{"GET", "/notes/:id", "UANAAAAAAUU"},
	{"GET", "/notes/:id/edit", "UANFFFAFFUU"},
	{"POST", "/notes/:id/edit", "UANFFFAFFUU"},
	{"GET", "/notes/:id/check", "UANFFFAFFUU"},
	{"POST", "/notes/:id/submit", "UANFFFAFFUU"},
	{"POST", "/notes/:id/resubmit", "UANFFFAFFUU"},
	{"GET", "/notes/:id/submitted", "UANFFFAFFUU"},
	{"GET", "/notes/:id/print", "UANAAAAAAUU"},
	{"GET", "/notes/:id/withdraw", "UANFFFAFFUU"},
	{"POST", "/notes/:id/withdraw", "UANFFFAFFUU"},
	{"POST", "/api/v1/calls/:call_id/notes", "UAAFFFAFFUU"},
	{"GET", "/api/v1/notes", "UAAAAAAAAUU"},
	{"GET", "/api/v1/notes/:id", "UANAAAAAAUU"},
	{"PUT", "/api/v1/notes/:id", "UANFFFAFFUU"},
	{"POST", "/api/v1/notes/:id/submit", "UANFFFAFFUU"},
	{"POST", "/api/v1/notes/:id/resubmit", "UANFFFAFFUU"},
	{"POST", "/api/v1/notes/:id/withdraw", "UANFFFAFFUU"},
	{"GET", "/committee/screening", "UFFAAAAAFUU"},
	{"GET", "/notes/:id/screen", "UFFAAFFAFUU"},
	{"POST", "/notes/:id/screen", "UFFAAFFAFUU"},
	{"GET", "/notes/:id/classify", "UFFFFFFAFUU"},
	{"POST", "/notes/:id/classify", "UFFFFFFAFUU"},
	{"GET", "/notes/:id/reopen", "UFFFFFFAFUU"},
	{"POST", "/notes/:id/reopen", "UFFFFFFAFUU"},
	{"GET", "/notes/:id/reinstate", "UFFFFFFAFUU"},
	{"POST", "/notes/:id/reinstate", "UFFFFFFAFUU"},
	{"GET", "/committee/publish", "UFFFFFFAFUU"},
	{"POST", "/committee/publish", "UFFFFFFAFUU"},
	{"GET", "/committee/notes/:id", "UFFAAAFAAUU"},
	{"POST", "/committee/notes/:id/comments", "UFFAAFFAAUU"},
	{"POST", "/api/v1/notes/:id/screen", "UFFAAFFAFUU"},
	{"POST", "/api/v1/notes/:id/classify", "UFFFFFFAFUU"},
	{"POST", "/api/v1/calls/:call_id/classify", "UFFFFFFAFUU"},
	{"POST", "/api/v1/notes/:id/reopen", "UFFFFFFAFUU"},
	{"POST", "/api/v1/notes/:id/reinstate", "UFFFFFFAFUU"},
	{"POST", "/api/v1/calls/:call_id/publish", "UFFFFFFAFUU"},
	{"GET", "/api/v1/notes/:id/comments", "UFFAAFFAAUU"},
	{"POST", "/api/v1/notes/:id/comments", "UFFAAFFAAUU"},
	{"GET", "/api/v1/notes/:id/history", "UANAAAAAAUU"},
	{"GET", "/committee", "UFFAAAAAAUU"},
	{"GET", "/committee/reviews", "UFFAAAAAFUU"},
	{"GET", "/notes/:id/review", "UFFAFFFFFUU"},
	{"POST", "/notes/:id/review", "UFFAFFFFFUU"},
	{"GET", "/notes/:id/reviews", "UFFFFFFAAUU"},
	{"GET", "/notes/:id/conflict", "UFFAAAAAFUU"},
	{"POST", "/notes/:id/conflict", "UFFAAAFAFUU"},
	{"GET", "/admin/calls/:id/assignments", "UFFFFFFFAUU"},
	{"POST", "/admin/calls/:id/assignments/auto", "UFFFFFFFAUU"},
	{"POST", "/admin/calls/:id/assignments/note", "UFFFFFFFNUU"},
	{"POST", "/api/v1/calls/:call_id/assignments/auto", "UFFFFFFFAUU"},
	{"PUT", "/api/v1/notes/:id/assignments", "UFFFFFFFAUU"},
	{"PUT", "/api/v1/notes/:id/review", "UFFAFFFFFUU"},
	{"GET", "/api/v1/notes/:id/reviews", "UFFFFFFAAUU"},
	{"POST", "/api/v1/notes/:id/conflict", "UFFAAAFAFUU"},
	{"GET", "/committee/shortlist.xlsx", "UFFFFFFAAUU"},
	{"GET", "/committee/shortlist.csv", "UFFFFFFAAUU"},
	{"GET", "/committee/reviews/scoring-sheet.xlsx", "UFFAAAAAFUU"},
	{"GET", "/committee/reviews/upload", "UFFAAAAAFUU"},
	{"POST", "/committee/reviews/upload", "UFFNNNNNFUU"},
	{"GET", "/api/v1/calls/:call_id/exports/shortlist.xlsx", "UFFFFFFAAUU"},
	{"GET", "/api/v1/calls/:call_id/exports/shortlist.csv", "UFFFFFFAAUU"},
	{"GET", "/api/v1/calls/:call_id/exports/scoring-sheet.xlsx", "UFFAAAAAFUU"},
	{"POST", "/api/v1/calls/:call_id/imports/scoring-sheet", "UFFAAAAAFUU"},
	// Issue 10: the matrix's call is not published, so its repository is a
	// 404 for everyone; bulk classification is the chair's; the outbox the
	// coordinators'.
	{"GET", "/calls/:slug/repository", "NNNNNNNNNUU"},
	{"GET", "/calls/:slug/repository/:ref", "NNNNNNNNNUU"},
	{"GET", "/api/v1/calls/:call_id/repository.csv", "NNNNNNNNNUU"},
	{"GET", "/committee/classify", "UFFFFFFAFUU"},
	{"POST", "/committee/classify", "UFFFFFFAFUU"},
	{"GET", "/admin/outbox", "UFFFFFFFAUU"},
	{"GET", "/api/v1/outbox", "UFFFFFFFAUU"},
	{"POST", "/logout", "UAAAAAAAAUU"},
	{"POST", "/api/v1/logout", "UAAAAAAAAUU"},
	// Issue 13, the pages around the forms: the privacy notice is public.
	{"GET", "/privacy", "AAAAAAAAAUU"},
	// Issue 11, account self-service: reset and verification links are
	// anyone's; the account pages every signed-in person's own; consent
	// the note's owner's; moderation and the audit log the coordinators'.
	{"GET", "/password/forgot", "AAAAAAAAAUU"},
	{"POST", "/password/forgot", "AAAAAAAAAUU"},
	{"GET", "/password/reset", "AAAAAAAAAUU"},
	{"POST", "/password/reset", "AAAAAAAAAUU"},
	{"GET", "/me/email/verify", "AAAAAAAAAUU"},
	{"POST", "/me/email/verify", "AAAAAAAAAUU"},
	{"POST", "/me/email/resend", "UAAAAAAAAUU"},
	{"GET", "/account", "UAAAAAAAAUU"},
	{"POST", "/account", "UAAAAAAAAUU"},
	{"POST", "/account/password", "UAAAAAAAAUU"},
	{"POST", "/account/email", "UAAAAAAAAUU"},
	{"GET", "/account/export", "UAAAAAAAAUU"},
	{"GET", "/account/delete", "UAAAAAAAAUU"},
	{"POST", "/account/delete", "UAAAAAAAAUU"},
	{"POST", "/notes/:id/consent", "UANFFFAFFUU"},
	{"GET", "/notes/:id/moderate", "UFFFFFFFAUU"},
	{"POST", "/notes/:id/moderate", "UFFFFFFFAUU"},
	{"GET", "/admin/audit", "UFFFFFFFAUU"},
	{"POST", "/api/v1/password/forgot", "AAAAAAAAAUU"},
	{"POST", "/api/v1/password/reset", "AAAAAAAAAUU"},
	{"POST", "/api/v1/me/email/verify", "AAAAAAAAAUU"},
	{"POST", "/api/v1/me/email/resend", "UAAAAAAAAUU"},
	{"PATCH", "/api/v1/me", "UAAAAAAAAUU"},
	{"POST", "/api/v1/me/password", "UAAAAAAAAUU"},
	{"POST", "/api/v1/me/email", "UAAAAAAAAUU"},
	{"GET", "/api/v1/me/export", "UAAAAAAAAUU"},
	{"DELETE", "/api/v1/me", "UAAAAAAAAUU"},
	{"POST", "/api/v1/notes/:id/consent", "UANFFFAFFUU"},
	{"POST", "/api/v1/notes/:id/moderation", "UFFFFFFFAUU"},
	{"GET", "/api/v1/audit", "UFFFFFFFAUU"},
	// Issue 12, the training programme: the matrix's call has no programme,
	// so what reaches a handler is a 404 (sessions, certificates) or the
	// coordinator's empty form; the blank note template is everyone's.
	{"GET", "/calls/:slug/programme", "NNNNNNNNAUU"},
	{"GET", "/calls/:slug/programme.ics", "NNNNNNNNNUU"},
	{"GET", "/calls/:slug/note-template.pdf", "AAAAAAAAAUU"},
	{"GET", "/sessions/:id/resources/:rid", "NNNNNNNNNUU"},
	{"GET", "/verify/:code", "NNNNNNNNNUU"},
	{"POST", "/calls/:slug/programme/interest", "UNNFFFNFFUU"},
	{"GET", "/calls/:slug/programme/certificate.pdf", "UNNFFFNFFUU"},
	{"GET", "/admin/calls/:id/programme", "UFFFFFFFAUU"},
	{"POST", "/admin/calls/:id/programme", "UFFFFFFFAUU"},
	{"GET", "/admin/calls/:id/certificates.zip", "UFFFFFFFNUU"},
	{"GET", "/admin/sessions/:id", "UFFFFFFFNUU"},
	{"POST", "/admin/sessions/:id/attendance", "UFFFFFFFNUU"},
	{"GET", "/admin/sessions/:id/imports/:job", "UFFFFFFFNUU"},
	{"GET", "/admin/sessions/:id/checkin", "UFFFFFFFNUU"},
	{"POST", "/admin/sessions/:id/checkin", "UFFFFFFFAUU"},
	{"POST", "/admin/sessions/:id/resources", "UFFFFFFFNUU"},
	{"POST", "/admin/sessions/:id/resources/:rid/delete", "UFFFFFFFNUU"},
	{"GET", "/api/v1/calls/:call_id/programme", "NNNNNNNNNUU"},
	{"PUT", "/api/v1/calls/:call_id/programme", "UFFFFFFFAUU"},
	{"POST", "/api/v1/sessions/:id/interest", "UAAFFFAFFUU"},
	{"POST", "/api/v1/sessions/:id/attendance", "UFFFFFFFAUU"},
	{"PUT", "/api/v1/sessions/:id/attendance/:user_id", "UFFFFFFFAUU"},
	{"GET", "/api/v1/me/certificate.pdf", "UAAFFFAFFUU"},
	{"GET", "/api/v1/calls/:call_id/certificates.zip", "UFFFFFFFNUU"},
	{"GET", "/api/v1/certificates/:code", "NNNNNNNNNUU"},
}

// matrixPath fills a route's wildcards for caller: the note is N, or the
// caller's own note for the owner who reviews; calls by id or slug; the
// user is the owner.
func (w *matrixWorld) matrixPath(path, caller string) string {
	note := w.n.ID
	if caller == "owner who reviews" {
		note = w.nr.ID
	}
	r := strings.NewReplacer(":call_id", w.call.ID, ":slug", w.call.Slug)
	path = r.Replace(path)
	switch {
	case strings.HasPrefix(path, "/admin/calls/"):
		path = strings.Replace(path, ":id", w.call.ID, 1)
	case strings.Contains(path, "/users/"):
		path = strings.Replace(path, ":id", w.users["owner"].ID, 1)
	}
	return strings.Replace(path, ":id", note, 1)
}

// matrixBody is a body every route reads without changing anything: a
// version no note has, empty texts, or a field no route knows where the
// route takes neither.
func matrixBody(method, path string) (string, string) {
	if method == "GET" {
		return "", ""
	}
	if strings.HasPrefix(path, "/api/") {
		switch {
		case strings.HasSuffix(path, "/notes"), strings.HasSuffix(path, "/assignments/auto"), strings.HasSuffix(path, "/publish"),
			strings.Contains(path, "/users"), strings.HasSuffix(path, "/calls"), strings.HasSuffix(path, "/classify") && strings.Contains(path, "/calls/"),
			strings.HasSuffix(path, "/register"), strings.HasSuffix(path, "/login"), strings.HasSuffix(path, "/assignments"),
			strings.Contains(path, "/imports/"):
			return `{"matrix_probe": true}`, "application/json"
		case strings.HasSuffix(path, "/comments"):
			return `{"text": ""}`, "application/json"
		case strings.HasSuffix(path, "/conflict"):
			return `{"reason": ""}`, "application/json"
		case strings.HasSuffix(path, "/review"):
			return `{"scores": {"problem": 9}}`, "application/json"
		case strings.HasSuffix(path, "/screen"):
			return `{"version": 999, "outcome": "pass"}`, "application/json"
		case strings.HasSuffix(path, "/classify"):
			return `{"version": 999, "class": "A", "reason_code": "included", "rationale": "x"}`, "application/json"
		case strings.HasSuffix(path, "/reopen"), strings.HasSuffix(path, "/reinstate"):
			return `{"version": 999, "reason": "x"}`, "application/json"
		case method == "PUT":
			return `{"version": 999, "title": "x"}`, "application/json"
		}
		return `{"version": 999}`, "application/json"
	}
	return url.Values{"version": {"999"}, "per_note": {"0"}, "text": {""}, "reason": {""}}.Encode(), "application/x-www-form-urlencoded"
}

// send makes one request as a caller, without following redirects, and names the outcome's letter.
func (w *matrixWorld) send(t *testing.T, method, path, tok, body, ctype string) (byte, int, string) {
	req, err := http.NewRequest(method, w.ts.srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(res.Body, 4<<20))
	switch {
	case res.StatusCode == 401, res.StatusCode == 303 && strings.HasPrefix(res.Header.Get("Location"), "/login"):
		return 'U', res.StatusCode, string(raw)
	case res.StatusCode == 403:
		return 'F', res.StatusCode, string(raw)
	case res.StatusCode == 404:
		return 'N', res.StatusCode, string(raw)
	}
	return 'A', res.StatusCode, string(raw)
}

// TestAuthorizationMatrix sends every route of the router as every kind of
// caller and checks the outcome against the matrix, then that the world
// is as it was (no cell changed what later cells rely on).
func TestAuthorizationMatrix(t *testing.T) {
	w := newMatrixWorld(t)
	h, err := newHandler(Deps{App: w.ts.app})
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]matrixRow{}
	for _, r := range matrix {
		rows[r.method+" "+r.path] = r
	}
	var logouts []route
	seen := map[string]bool{}
	for _, rt := range h.table() {
		key := rt.method + " " + rt.path
		seen[key] = true
		row, ok := rows[key]
		if !ok {
			t.Errorf("%s has no row in the authorization matrix: add one saying what each kind of caller gets", key)
			continue
		}
		if strings.HasSuffix(rt.path, "/logout") {
			logouts = append(logouts, rt) // each caller signs in again for these, last
			continue
		}
		w.checkRow(t, row, nil)
	}
	for _, r := range matrix {
		if !seen[r.method+" "+r.path] {
			t.Errorf("the matrix has a row for %s %s, which the router does not answer", r.method, r.path)
		}
	}
	w.checkWorld(t)
	for _, rt := range logouts {
		fresh := map[string]string{}
		for kind, u := range w.users {
			if kind != "disabled account" && kind != "revoked token" {
				fresh[kind] = w.ts.login(u.Email, "a long enough password").Body["token"].(string)
			}
		}
		w.checkRow(t, rows[rt.method+" "+rt.path], fresh)
	}
}

// checkRow sends one row's route as every caller (tokens override w.tok).
func (w *matrixWorld) checkRow(t *testing.T, row matrixRow, tokens map[string]string) {
	t.Helper()
	got := make([]byte, len(matrixCallers))
	var why []string
	for i, caller := range matrixCallers {
		tok := w.tok[caller]
		if x, ok := tokens[caller]; ok {
			tok = x
		}
		path := w.matrixPath(row.path, caller)
		body, ctype := matrixBody(row.method, path)
		l, status, raw := w.send(t, row.method, path, tok, body, ctype)
		got[i] = l
		if i < len(row.want) && row.want[i] != l {
			why = append(why, caller+": "+string(l)+" ("+http.StatusText(status)+") "+firstLine(raw))
		}
		if status >= 500 {
			t.Errorf("%s %s as %s: %d", row.method, row.path, caller, status)
		}
	}
	if string(got) != row.want {
		t.Errorf("%s %s: got %s, want %s\n  %s", row.method, row.path, got, row.want, strings.Join(why, "\n  "))
	}
}

// firstLine is a short sample of an answer for a failure message.
func firstLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	return s[:min(len(s), 160)]
}

// checkWorld checks that the matrix's requests left the world as it was.
func (w *matrixWorld) checkWorld(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	n, _ := w.ts.store.NoteByID(ctx, w.n.ID)
	if n.State != "screened" || len(n.Assignments) != 2 {
		t.Errorf("note N changed under the matrix: %s, %d assignments", n.State, len(n.Assignments))
	}
	for _, x := range []*store.Note{w.nc, w.nr} {
		if got, _ := w.ts.store.NoteByID(ctx, x.ID); got.State != "classified" || got.Published != nil {
			t.Errorf("note %s changed under the matrix: %s, published %v", x.Ref, got.State, got.Published)
		}
	}
	if r := w.ts.api("GET", "/api/v1/notes/"+w.n.ID+"/reviews", w.tok["chair"], nil); strings.Contains(string(r.Raw), `"reviewer_id":"`+w.users["assigned reviewer"].ID+`","reviewer_name":"Ada Assigned","scores":{"problem"`) {
		t.Error("the assigned reviewer's review was saved by the matrix")
	}
}

// seen is what caller gets from path: the answer's text, HTML entities
// decoded, so that escaping never hides a leak.
func (w *matrixWorld) seen(t *testing.T, caller, path string) (int, string) {
	t.Helper()
	_, status, raw := w.send(t, "GET", path, w.tok[caller], "", "")
	return status, html.UnescapeString(raw)
}

// TestWhatEachCallerSees checks the matrix's note routes for what they
// show, in HTML and JSON: under blind review a plain reviewer never sees
// the submitter's name, organisation, e-mail or id; a reviewer sees no
// scores before their own review; committee comments reach neither
// participants nor a conflicted reviewer; and an unpublished decision
// reaches no owner, whatever other roles they hold. Each check has a
// counterpart (the chair, or a reviewer allowed to) that does see the
// thing, so a check that sees nothing fails.
func TestWhatEachCallerSees(t *testing.T) {
	w := newMatrixWorld(t)
	owner := w.users["owner"]
	n, nc, nr := w.n.ID, w.nc.ID, w.nr.ID
	noteJSON := []string{"/api/v1/notes/" + n, "/api/v1/notes?call_id=" + w.call.ID, "/api/v1/notes/" + n + "/history",
		"/api/v1/notes/" + n + "/reviews", "/api/v1/notes/" + n + "/comments"}
	notePages := []string{"/notes/" + n, "/notes/" + n + "/print", "/committee/notes/" + n, "/committee", "/committee?sort=mean&dir=desc",
		"/committee/screening?call=" + w.call.ID, "/committee/reviews", "/notes/" + n + "/review", "/notes/" + n + "/conflict"}
	leak := func(caller, what, text string, paths []string) {
		t.Helper()
		for _, p := range paths {
			if status, body := w.seen(t, caller, p); status < 300 && strings.Contains(strings.ToLower(body), strings.ToLower(text)) {
				i := strings.Index(strings.ToLower(body), strings.ToLower(text))
				t.Errorf("%s sees %s on %s: …%s…", caller, what, p, body[max(0, i-120):min(len(body), i+60)])
			}
		}
	}
	shows := func(caller, what, text, path string) {
		t.Helper()
		if status, body := w.seen(t, caller, path); status != 200 || !strings.Contains(body, text) {
			t.Errorf("%s does not see %s on %s (%d): the check next to it could not see a leak", caller, what, path, status)
		}
	}

	t.Run("blind review", func(t *testing.T) {
		for _, caller := range []string{"assigned reviewer", "unassigned reviewer", "owner who reviews"} {
			for what, s := range map[string]string{"the submitter's name": owner.Name, "the submitter's organisation": owner.Organization,
				"the submitter's e-mail": owner.Email, "the submitter's id": owner.ID} {
				leak(caller, what, s, append(noteJSON, notePages...))
			}
		}
		shows("chair", "the submitter's name", owner.Name, "/api/v1/notes/"+n)
		shows("chair", "the submitter's organisation", owner.Organization, "/committee/notes/"+n)
	})
	t.Run("scores before one's own review", func(t *testing.T) {
		leak("assigned reviewer", "another reviewer's comment", w.r4Comment, append(noteJSON, notePages...))
		if status, body := w.seen(t, "assigned reviewer", "/api/v1/notes/"+n); status != 200 || strings.Contains(body, `"score"`) {
			t.Errorf("the assigned reviewer sees the note's score before reviewing: %d %s", status, firstLine(body))
		}
		shows("chair", "the reviews", w.r4Comment, "/api/v1/notes/"+n+"/reviews")
		if _, body := w.seen(t, "chair", "/api/v1/notes/"+n); !strings.Contains(body, `"score"`) {
			t.Error("the chair does not see the note's score: the check next to it could not see a leak")
		}
	})
	t.Run("committee comments", func(t *testing.T) {
		for _, caller := range []string{"owner", "other participant", "conflicted reviewer", "anonymous", "disabled account"} {
			leak(caller, "a committee comment", w.secretComment, append(noteJSON, notePages...))
		}
		shows("assigned reviewer", "the committee's comments", w.secretComment, "/api/v1/notes/"+n+"/comments")
		shows("coordinator", "the committee's comments", w.secretComment, "/committee/notes/"+n)
	})
	t.Run("unpublished decisions", func(t *testing.T) {
		for caller, id := range map[string]string{"owner": nc, "owner who reviews": nr} {
			paths := []string{"/api/v1/notes/" + id, "/api/v1/notes/" + id + "/history", "/notes", "/notes/" + id, "/notes/" + id + "/print"}
			leak(caller, "the unpublished rationale", w.classification, paths)
			leak(caller, "the unpublished class", `"classified"`, paths)
			leak(caller, "the unpublished decision", `"decision"`, paths)
			if status, body := w.seen(t, caller, "/api/v1/notes/"+id); status != 200 || !strings.Contains(body, `"state":"screened"`) {
				t.Errorf("%s: their own classified note is not shown as screened: %d %s", caller, status, firstLine(body))
			}
			// In the list (which the owner who reviews reads as the committee), their own item says screened.
			var list struct {
				Items []map[string]any `json:"items"`
			}
			_, body := w.seen(t, caller, "/api/v1/notes?call_id="+w.call.ID+"&per_page=200")
			if err := json.Unmarshal([]byte(body), &list); err != nil {
				t.Fatal(err)
			}
			found := false
			for _, it := range list.Items {
				if it["id"] == id {
					found = true
					if it["state"] != "screened" || it["class"] != nil || it["decision"] != nil {
						t.Errorf("%s's own note in the list: %v", caller, it)
					}
				}
			}
			if !found {
				t.Errorf("%s's own note is not in their list", caller)
			}
		}
		leak("other participant", "the unpublished rationale", w.classification, []string{"/api/v1/notes/" + nc, "/notes/" + nc, "/api/v1/notes"})
		shows("chair", "the rationale", w.classification, "/api/v1/notes/"+nc)
		shows("chair", "the rationale", w.classification, "/committee/notes/"+nr)
	})
}
