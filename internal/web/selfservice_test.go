package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"cocreate/internal/app"
	"cocreate/internal/apperr"
	"cocreate/internal/auth"
	"cocreate/internal/export"
	"cocreate/internal/store"
	"cocreate/internal/testdb"
)

var linkTokenRe = regexp.MustCompile(`token=([A-Za-z0-9_-]+)`)

// mailsTo returns the outbox's messages to address whose event is event, oldest first.
func mailsTo(t *testing.T, ts *testServer, address, event string) []*store.Message {
	t.Helper()
	all, _, err := ts.store.Messages(context.Background(), "", 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []*store.Message
	for i := len(all) - 1; i >= 0; i-- {
		if all[i].To == address && all[i].Event == event {
			out = append(out, all[i])
		}
	}
	return out
}

// linkSent runs do and returns the token of the one message of event to
// address it queued (messages queued in one clock instant have no order,
// so the new one is told by its id).
func linkSent(t *testing.T, ts *testServer, address, event string, do func()) string {
	t.Helper()
	seen := map[string]bool{}
	for _, m := range mailsTo(t, ts, address, event) {
		seen[m.ID] = true
	}
	do()
	var fresh []*store.Message
	for _, m := range mailsTo(t, ts, address, event) {
		if !seen[m.ID] {
			fresh = append(fresh, m)
		}
	}
	if len(fresh) != 1 {
		t.Fatalf("%d new %s messages to %s, want 1", len(fresh), event, address)
	}
	m := linkTokenRe.FindStringSubmatch(fresh[0].Body)
	if m == nil {
		t.Fatalf("no link in %q", fresh[0].Body)
	}
	return m[1]
}

// onlyLink is the token of the one message of event to address.
func onlyLink(t *testing.T, ts *testServer, address, event string) string {
	t.Helper()
	ms := mailsTo(t, ts, address, event)
	if len(ms) != 1 {
		t.Fatalf("%d %s messages to %s, want 1", len(ms), event, address)
	}
	m := linkTokenRe.FindStringSubmatch(ms[0].Body)
	if m == nil {
		t.Fatalf("no link in %q", ms[0].Body)
	}
	return m[1]
}

func countDocs(t *testing.T, ts *testServer, coll string) int64 {
	t.Helper()
	n, err := testdb.Raw(t, ts.store).Collection(coll).CountDocuments(context.Background(), bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func auditOf(t *testing.T, ts *testServer, event, userID string) []store.AuditEntry {
	t.Helper()
	got, err := ts.store.AuditEntries(context.Background(), event, userID, 0)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// TestPasswordResetLinkIsSingleUseAndExpires follows a reset: the link is
// stored hashed, works once, signs out every session, and a link older
// than an hour does not work.
func TestPasswordResetLinkIsSingleUseAndExpires(t *testing.T) {
	ts := newTestServer(t)
	u, tok := ts.user("Rosa Reset", "Org", "media")
	forgot := func() {
		t.Helper()
		if r := ts.api("POST", "/api/v1/password/forgot", "", map[string]any{"email": strings.ToUpper(u.Email)}); r.Status != 202 {
			t.Fatalf("forgot: %d %s", r.Status, r.Raw)
		}
	}
	secret := linkSent(t, ts, u.Email, app.MsgPasswordReset, forgot)
	older := linkSent(t, ts, u.Email, app.MsgPasswordReset, forgot)
	if _, err := ts.store.AccountTokenByID(context.Background(), secret); !store.IsNotFound(err) {
		t.Fatal("the link's secret is stored as it is")
	}
	if _, err := ts.store.AccountTokenByID(context.Background(), auth.HashSecret(secret)); err != nil {
		t.Fatalf("the link's hash is not stored: %v", err)
	}
	r := ts.api("POST", "/api/v1/password/reset", "", map[string]any{"token": secret, "password": "a brand new password"})
	if r.Status != 204 {
		t.Fatalf("reset: %d %s", r.Status, r.Raw)
	}
	if r := ts.api("GET", "/api/v1/me", tok, nil); r.Status != 401 {
		t.Fatalf("the old session survives the reset: %d", r.Status)
	}
	if r := ts.api("POST", "/api/v1/password/reset", "", map[string]any{"token": secret, "password": "a third new password"}); r.Status != 422 || r.errFields()["token"] == nil {
		t.Fatalf("the link works twice: %d %s", r.Status, r.Raw)
	}
	if r := ts.api("POST", "/api/v1/password/reset", "", map[string]any{"token": older, "password": "a third new password"}); r.Status != 422 {
		t.Fatalf("another link of the account works after a reset: %d %s", r.Status, r.Raw)
	}
	if r := ts.login(u.Email, "a brand new password"); r.Status != 200 {
		t.Fatalf("sign in with the new password: %d", r.Status)
	}
	if r := ts.login(u.Email, "a long enough password"); r.Status != 401 {
		t.Fatalf("the old password still works: %d", r.Status)
	}
	if len(auditOf(t, ts, app.EventPasswordReset, u.ID)) != 1 {
		t.Fatal("the reset is not in the audit log")
	}

	// Expiry: a link opened after an hour is refused and changes nothing.
	late := linkSent(t, ts, u.Email, app.MsgPasswordReset, forgot)
	ts.clock.Add(app.ResetLinkLife - time.Second)
	if _, err := ts.store.AccountTokenByID(context.Background(), auth.HashSecret(late)); err != nil {
		t.Fatalf("the link is gone before its hour: %v", err)
	}
	ts.clock.Add(2 * time.Second)
	if r := ts.api("POST", "/api/v1/password/reset", "", map[string]any{"token": late, "password": "too late a password"}); r.Status != 422 {
		t.Fatalf("an expired link: %d %s", r.Status, r.Raw)
	}
	if r := ts.login(u.Email, "a brand new password"); r.Status != 200 {
		t.Fatalf("the expired link changed the password: %d", r.Status)
	}

	// The page: the link from the message opens a form; its answer sends to sign in.
	pageLink := linkSent(t, ts, u.Email, app.MsgPasswordReset, forgot)
	b := ts.browser()
	if p := b.get("/password/reset?token=" + pageLink); p.Status != 200 || !strings.Contains(p.Body, pageLink) {
		t.Fatalf("reset page: %d", p.Status)
	}
	if p := b.post("/password/reset", url.Values{"token": {pageLink}, "password": {"short"}}); p.Status != 422 || !strings.Contains(p.Body, "at least 10") {
		t.Fatalf("a short password on the page: %d", p.Status)
	}
	if p := b.post("/password/reset", url.Values{"token": {pageLink}, "password": {"the page's new password"}}); p.Status != 303 || p.Location != "/login" {
		t.Fatalf("reset through the page: %d %s", p.Status, p.Location)
	}
}

// TestForgotPasswordRevealsNoAccount asks for a reset for an address with
// an account and one without: the answer is byte for byte the same, and
// so is the work done (one link stored and one message queued each, the
// same throttle counted), which is what makes the timing alike.
func TestForgotPasswordRevealsNoAccount(t *testing.T) {
	ts := newTestServer(t)
	u, _ := ts.user("Known Person", "Org", "media")
	ask := func(email string) (apiResp, int64, int64) {
		tokens, out := countDocs(t, ts, "account_tokens"), countDocs(t, ts, "outbox")
		r := ts.api("POST", "/api/v1/password/forgot", "", map[string]any{"email": email})
		return r, countDocs(t, ts, "account_tokens") - tokens, countDocs(t, ts, "outbox") - out
	}
	known, kt, ko := ask(u.Email)
	unknown, ut, uo := ask("nobody.here@example.org")
	if known.Status != 202 || known.Status != unknown.Status || string(known.Raw) != string(unknown.Raw) {
		t.Fatalf("answers differ: %d %s / %d %s", known.Status, known.Raw, unknown.Status, unknown.Raw)
	}
	if kt != 1 || ut != 1 || ko != 1 || uo != 1 {
		t.Fatalf("work differs: links %d/%d, messages %d/%d", kt, ut, ko, uo)
	}
	// The page answers alike too.
	b := ts.browser()
	pk := b.post("/password/forgot", url.Values{"email": {u.Email}})
	pu := b.post("/password/forgot", url.Values{"email": {"nobody.else@example.org"}})
	strip := func(s string) string {
		return strings.NewReplacer(u.Email, "", "nobody.else@example.org", "").Replace(csrfRe.ReplaceAllString(s, ""))
	}
	if pk.Status != 200 || pk.Status != pu.Status || strip(pk.Body) != strip(pu.Body) {
		t.Fatalf("pages differ: %d / %d", pk.Status, pu.Status)
	}
	// The link for an address without an account belongs to nobody.
	secret := linkTokenRe.FindStringSubmatch(mailsTo(t, ts, "nobody.here@example.org", app.MsgPasswordReset)[0].Body)
	if secret != nil {
		t.Fatal("a message to an address without an account carries a reset link")
	}
	// Throttled like sign-in: the sixth request for one address in 15 minutes.
	for i := 0; i < 2; i++ { // two asked above
		ts.api("POST", "/api/v1/password/forgot", "", map[string]any{"email": u.Email})
	}
	if r := ts.api("POST", "/api/v1/password/forgot", "", map[string]any{"email": u.Email}); r.Status != 202 {
		t.Fatalf("fifth request: %d", r.Status)
	}
	if r := ts.api("POST", "/api/v1/password/forgot", "", map[string]any{"email": u.Email}); r.Status != 429 || r.errCode() != "rate_limited" {
		t.Fatalf("sixth request: %d %s", r.Status, r.Raw)
	}
}

// TestVerificationGatesSubmissionOnlyWhenTheCallSaysSo registers through
// the API (unverified) and submits a complete draft to a call that requires
// a verified address (refused, draft kept, with a resend button on the
// page) and one that does not (accepted); after the link is opened the
// first accepts it too.
func TestVerificationGatesSubmissionOnlyWhenTheCallSaysSo(t *testing.T) {
	w := &committeeWorld{ts: newTestServer(t)}
	ts := w.ts
	strict := w.newCall(t, "strict-2026", "ST2026") // no setting stored: required, the default
	lax := w.newCall(t, "lax-2026", "LX2026")
	if _, err := ts.store.UpdateCall(context.Background(), lax.ID, lax.Version, func() *store.Call {
		c := *lax
		c.RequiresVerifiedEmail = new(bool)
		return &c
	}()); err != nil {
		t.Fatal(err)
	}
	reg := map[string]any{"email": "new.person@example.org", "password": "a long enough password", "name": "New Person",
		"organization": "Youth Forum", "sector": "civil_society", "district": "cayo"}
	if r := ts.api("POST", "/api/v1/register", "", reg); r.Status != 201 || r.obj("user")["email_verified"] != false {
		t.Fatalf("register: %d %s", r.Status, r.Raw)
	}
	tok := ts.login("new.person@example.org", "a long enough password").Body["token"].(string)
	draft := func(c *store.Call) map[string]any {
		r := ts.api("POST", "/api/v1/calls/"+c.ID+"/notes", tok, validFields("Open budgets "+c.Slug, "fiscal_openness"))
		if r.Status != 201 {
			t.Fatalf("draft: %d %s", r.Status, r.Raw)
		}
		return r.obj("note")
	}
	ns, nl := draft(strict), draft(lax)
	submit := func(n map[string]any) apiResp {
		return ts.api("POST", "/api/v1/notes/"+n["id"].(string)+"/submit", tok, map[string]any{"version": n["version"]})
	}
	if r := submit(ns); r.Status != 409 || r.errCode() != "email_unverified" {
		t.Fatalf("unverified submission to a strict call: %d %s", r.Status, r.Raw)
	}
	if r := submit(nl); r.Status != 200 {
		t.Fatalf("unverified submission to a lax call: %d %s", r.Status, r.Raw)
	}
	b := ts.browser()
	b.signIn("new.person@example.org", "a long enough password")
	if p := b.get("/notes/" + ns["id"].(string) + "/check"); !strings.Contains(p.Body, `action="/me/email/resend"`) {
		t.Fatalf("the check page has no resend button:\n%s", p.Body)
	}
	link := linkSent(t, ts, "new.person@example.org", app.MsgVerifyEmail, func() {
		if r := ts.api("POST", "/api/v1/me/email/resend", tok, nil); r.Status != 202 {
			t.Fatalf("resend: %d %s", r.Status, r.Raw)
		}
	})
	if r := ts.api("POST", "/api/v1/me/email/verify", "", map[string]any{"token": link}); r.Status != 204 {
		t.Fatalf("verify: %d %s", r.Status, r.Raw)
	}
	if n := len(mailsTo(t, ts, "new.person@example.org", app.MsgVerifyEmail)); n != 2 {
		t.Fatalf("%d verification messages, want 2 (registration and resend)", n)
	}
	if r := submit(ns); r.Status != 200 {
		t.Fatalf("verified submission to a strict call: %d %s", r.Status, r.Raw)
	}
	if r := ts.api("POST", "/api/v1/me/email/resend", tok, nil); r.Status != 409 {
		t.Fatalf("resend when verified: %d", r.Status)
	}
	// New calls made through the API require it unless told otherwise.
	_, coordTok := ts.user("Cora Coord", "Programme", "government", "coordinator")
	if r := ts.api("POST", "/api/v1/calls", coordTok, callBody("fresh-call", nil)); r.Status != 201 || r.obj("call")["requires_verified_email"] != true {
		t.Fatalf("new call: %d %s", r.Status, r.Raw)
	}
}

// TestEmailChangeTakesEffectOnceVerified asks to move an account to a new
// address: nothing changes until the link sent there is opened.
func TestEmailChangeTakesEffectOnceVerified(t *testing.T) {
	ts := newTestServer(t)
	u, tok := ts.user("Mover Person", "Org", "media")
	if r := ts.api("POST", "/api/v1/me/email", tok, map[string]any{"email": "moved@example.org", "password": "wrong"}); r.Status != 422 {
		t.Fatalf("without the password: %d", r.Status)
	}
	if r := ts.api("POST", "/api/v1/me/email", tok, map[string]any{"email": "ＭＯＶＥＤ@example.org", "password": "a long enough password"}); r.Status != 202 {
		t.Fatalf("change: %d %s", r.Status, r.Raw)
	}
	if r := ts.api("GET", "/api/v1/me", tok, nil); r.obj("user")["email"] != u.Email || r.obj("user")["pending_email"] != "moved@example.org" {
		t.Fatalf("the address changed before verification: %s", r.Raw)
	}
	if len(mailsTo(t, ts, u.Email, app.MsgEmailChanging)) != 1 {
		t.Fatal("the old address is not told")
	}
	link := onlyLink(t, ts, "moved@example.org", app.MsgVerifyEmail)
	if r := ts.api("POST", "/api/v1/me/email/verify", "", map[string]any{"token": link}); r.Status != 204 {
		t.Fatalf("verify: %d %s", r.Status, r.Raw)
	}
	if r := ts.login("moved@example.org", "a long enough password"); r.Status != 200 {
		t.Fatalf("sign in with the new address: %d", r.Status)
	}
	if r := ts.login(u.Email, "a long enough password"); r.Status != 401 {
		t.Fatalf("the old address still signs in: %d", r.Status)
	}
	if len(auditOf(t, ts, app.EventEmailChanged, u.ID)) != 1 {
		t.Fatal("the change is not in the audit log")
	}
}

// TestConsentWithdrawalLeavesTheRepositoryAtOnce withdraws consent from a
// published note: it leaves the repository page and its CSV at the next
// read; moderation hides another, with the owner told.
func TestConsentWithdrawalLeavesTheRepositoryAtOnce(t *testing.T) {
	w := newRepoWorld(t)
	w.publish(t)
	mine := w.note(t, w.call, "screened", "Owner's own open data note", "justice", time.Hour)
	base := "/calls/" + w.call.Slug + "/repository"
	csv := func() string {
		return string(w.ts.api("GET", "/api/v1/calls/"+w.call.ID+"/repository.csv", "", nil).Raw)
	}
	b := w.ts.browser()
	if !strings.Contains(b.get(base).Body, mine.Ref) || !strings.Contains(csv(), mine.Ref) {
		t.Fatal("the consenting note is not in the repository")
	}
	if r := w.ts.api("POST", "/api/v1/notes/"+mine.ID+"/consent", w.rev1Tok, map[string]any{"consent_publish": false}); r.Status != 403 {
		t.Fatalf("someone else withdraws consent: %d", r.Status)
	}
	if r := w.ts.api("POST", "/api/v1/notes/"+mine.ID+"/consent", w.ownerTok, map[string]any{"consent_publish": false}); r.Status != 200 {
		t.Fatalf("withdraw consent: %d %s", r.Status, r.Raw)
	}
	if strings.Contains(b.get(base).Body, mine.Ref) || strings.Contains(csv(), mine.Ref) {
		t.Fatal("the note stays in the repository after consent was withdrawn")
	}
	if p := b.get(base + "/" + mine.Ref); p.Status != 404 {
		t.Fatalf("its public page: %d", p.Status)
	}
	if n, _ := w.ts.store.NoteByID(context.Background(), mine.ID); n.State != "screened" || n.Version != mine.Version {
		t.Fatalf("consent moved the committee's note: %s v%d", n.State, n.Version)
	}
	if len(auditOf(t, w.ts, app.EventConsentWithdrawn, w.owner.ID)) != 1 {
		t.Fatal("the withdrawal is not in the audit log")
	}

	// Moderation: the coordinator hides the decided note with a reason.
	// (Its title is a formula, which the CSV escapes: look for a piece of it.)
	titlePiece := "evil.example"
	if !strings.Contains(w.decided.Title, titlePiece) || !strings.Contains(csv(), titlePiece) {
		t.Fatalf("the decided note's title %q is not in the CSV before it is withheld:\n%s", w.decided.Title, csv())
	}
	if r := w.ts.api("POST", "/api/v1/notes/"+w.decided.ID+"/moderation", w.chairTok, map[string]any{"hidden": true, "reason": "x"}); r.Status != 403 {
		t.Fatalf("the chair moderates: %d", r.Status)
	}
	r := w.ts.api("POST", "/api/v1/notes/"+w.decided.ID+"/moderation", w.coordTok, map[string]any{"hidden": true, "reason": "It names a private person."})
	if r.Status != 200 {
		t.Fatalf("moderate: %d %s", r.Status, r.Raw)
	}
	// Its text leaves the repository, its page and the CSV; its row and decision stay.
	if page, c := b.get(base).Body, csv(); strings.Contains(page, titlePiece) || strings.Contains(c, titlePiece) ||
		strings.Contains(c, w.decided.Summary) || !strings.Contains(page, w.decided.Ref) || !strings.Contains(c, w.decided.Ref) ||
		!strings.Contains(c, export.WithheldTitle) {
		t.Fatal("the withheld note's text stays in the repository, or its row left it")
	}
	if p := b.get(base + "/" + w.decided.Ref); p.Status != 200 || !strings.Contains(p.Body, `id="withheld"`) ||
		strings.Contains(p.Body, titlePiece) || strings.Contains(p.Body, w.decided.Summary) ||
		strings.Contains(p.Body, "It names a private person.") {
		t.Fatalf("the withheld note's public page: %d\n%s", p.Status, p.Body)
	}
	n, _ := w.ts.store.NoteByID(context.Background(), w.decided.ID)
	if n.State != "classified" || n.Decision == nil || n.Version != w.decided.Version {
		t.Fatalf("moderation changed the committee status: %s v%d", n.State, n.Version)
	}
	ms := mailsTo(t, w.ts, secretEmail, app.MsgModerated)
	if len(ms) != 1 || !strings.Contains(ms[0].Body, "It names a private person.") {
		t.Fatalf("the owner is not told: %v", ms)
	}
	if len(auditOf(t, w.ts, app.EventNoteModerated, w.author.ID)) != 1 {
		t.Fatal("the moderation is not in the audit log")
	}
	// The owner sees it on the note's page; the coordinator's form hides and shows.
	cb := w.ts.browser()
	cb.signIn(w.coord.Email, "a long enough password")
	tok := cb.csrf("/notes/" + mine.ID + "/moderate")
	if p := cb.post("/notes/"+mine.ID+"/moderate", url.Values{"csrf_token": {tok}, "hidden": {"yes"}, "reason": {""}}); p.Status != 422 || !strings.Contains(p.Body, `id="reason-error"`) {
		t.Fatalf("hiding without a reason on the page: %d", p.Status)
	}
	if p := cb.post("/notes/"+mine.ID+"/moderate", url.Values{"csrf_token": {tok}, "hidden": {"yes"}, "reason": {"It quotes a <b>private</b> letter."}}); p.Status != 303 {
		t.Fatalf("hiding on the page: %d %s", p.Status, p.Body)
	}
	ob := w.ts.browser()
	ob.signIn(w.owner.Email, "a long enough password")
	if p := ob.get("/notes/" + mine.ID); !strings.Contains(p.Body, `id="moderation"`) || !strings.Contains(p.Body, "It quotes a &lt;b&gt;private&lt;/b&gt; letter.") {
		t.Fatalf("the owner's note page does not say it is hidden:\n%s", p.Body)
	}
	// The owner gives consent again through the page; it stays hidden.
	otok := ob.csrf("/notes/" + mine.ID)
	if p := ob.post("/notes/"+mine.ID+"/consent", url.Values{"csrf_token": {otok}, "consent": {"yes"}}); p.Status != 303 {
		t.Fatalf("consent through the page: %d", p.Status)
	}
	if c := csv(); strings.Contains(c, mine.Title) || !strings.Contains(c, mine.Ref) {
		t.Fatal("a withheld note's text is in the CSV once consent is given again, or its row is not")
	}
	// Shown again.
	if r := w.ts.api("POST", "/api/v1/notes/"+w.decided.ID+"/moderation", w.coordTok, map[string]any{"hidden": false}); r.Status != 200 {
		t.Fatalf("unhide: %d", r.Status)
	}
	if !strings.Contains(csv(), titlePiece) {
		t.Fatal("the text of the note shown again is not in the CSV")
	}
}

// TestMyDataHoldsMineAndNobodyElses exports one person's data next to
// another's notes.
func TestMyDataHoldsMineAndNobodyElses(t *testing.T) {
	w := &committeeWorld{ts: newTestServer(t)}
	w.owner, w.ownerTok = w.ts.user("Paula Participant", "Citizens for Budgets", "civil_society", "participant")
	other, otherTok := w.ts.user("Otto Other", "Other Org", "media", "participant")
	c := w.newCall(t, "mine-2026", "MI2026")
	w.note(t, c, "submitted", "Paula's transparent budgets", "fiscal_openness", time.Hour)
	w.note(t, c, "submitted", "Otto's secret plan", "justice", time.Hour, func(n *store.Note) { n.Owner = other.ID })
	w.ts.api("GET", "/api/v1/me", otherTok, nil)
	r := w.ts.api("GET", "/api/v1/me/export", w.ownerTok, nil)
	if r.Status != 200 {
		t.Fatalf("export: %d %s", r.Status, r.Raw)
	}
	var d app.MyData
	if err := json.Unmarshal(r.Raw, &d); err != nil {
		t.Fatal(err)
	}
	if d.Profile.ID != w.owner.ID || d.Profile.Email != w.owner.Email || len(d.Notes) != 1 || d.Notes[0].Fields.Title != "Paula's transparent budgets" {
		t.Fatalf("export: %s", r.Raw)
	}
	for _, leak := range []string{other.ID, other.Email, "Otto", "secret plan"} {
		if strings.Contains(string(r.Raw), leak) {
			t.Fatalf("the export holds %q of someone else", leak)
		}
	}
	if len(auditOf(t, w.ts, app.EventMyDataExported, w.owner.ID)) != 1 {
		t.Fatal("the export is not in the audit log")
	}
	b := w.ts.browser()
	b.signIn(w.owner.Email, "a long enough password")
	res := b.send("GET", "/account/export", nil)
	if res.Status != 200 || !strings.Contains(res.Header.Get("Content-Disposition"), "attachment") || !strings.Contains(string(res.Raw), "Paula's transparent budgets") {
		t.Fatalf("the page download: %d %s", res.Status, res.Header)
	}
}

// TestDeletionErasesThePersonAndKeepsTheRecord deletes an account with a
// draft and a submitted note, first interrupted half-way (the erasure
// fails once: the database went away), then finished by the periodic job.
func TestDeletionErasesThePersonAndKeepsTheRecord(t *testing.T) {
	var mu sync.Mutex
	failUserWrite := 0 // fail the n-th findAndModify of users from now (0: none)
	ts := newTestServerWith(t, serverOptions{faults: store.Faults{Before: func(wr store.Write) error {
		mu.Lock()
		defer mu.Unlock()
		if failUserWrite > 0 && wr.Collection == "users" && wr.Op == "findAndModify" {
			if failUserWrite--; failUserWrite == 0 {
				return fmt.Errorf("the disk went away: %w", apperr.ErrUnavailable)
			}
		}
		return nil
	}}})
	w := &committeeWorld{ts: ts}
	w.owner, w.ownerTok = ts.user("Dana Delete", "Reef Guardians", "civil_society", "participant")
	ctx := context.Background()
	phone := "+501 600 1234"
	if _, err := ts.store.UpdateUser(ctx, w.owner.ID, store.UserPatch{Phone: &phone}); err != nil {
		t.Fatal(err)
	}
	c := w.newCall(t, "del-2026", "DL2026")
	draft := w.note(t, c, "draft", "Dana's draft", "justice", 0, func(n *store.Note) { n.Ref = "" })
	sub := w.note(t, c, "submitted", "Dana's submitted note", "justice", time.Hour)
	if r := ts.api("DELETE", "/api/v1/me", w.ownerTok, map[string]any{"password": "wrong password"}); r.Status != 422 {
		t.Fatalf("delete without the password: %d", r.Status)
	}
	// The mark is the first write of users, the erasure the second.
	mu.Lock()
	failUserWrite = 2
	mu.Unlock()
	if r := ts.api("DELETE", "/api/v1/me", w.ownerTok, map[string]any{"password": "a long enough password"}); r.Status != 503 {
		t.Fatalf("the interrupted deletion: %d %s", r.Status, r.Raw)
	}
	if u, _ := ts.store.UserByID(ctx, w.owner.ID); !u.Deleting || u.DeletedAt != nil {
		t.Fatalf("after the interruption: deleting %v, deleted %v", u.Deleting, u.DeletedAt)
	}
	if err := ts.app.ResumeAccountDeletions(ctx); err != nil {
		t.Fatalf("resume: %v", err)
	}
	u, _ := ts.store.UserByID(ctx, w.owner.ID)
	if u.Name != "" || u.Email != store.DeletedEmail(u.ID) || u.Phone != "" || u.Organization != "Reef Guardians" || u.DeletedAt == nil || u.Deleting || !u.Disabled {
		t.Fatalf("after deletion: %+v", u)
	}
	if _, err := ts.store.NoteByID(ctx, draft.ID); !store.IsNotFound(err) {
		t.Fatalf("the draft survives: %v", err)
	}
	if n, err := ts.store.NoteByID(ctx, sub.ID); err != nil || n.State != "submitted" || n.Title != "Dana's submitted note" || n.Owner != w.owner.ID {
		t.Fatalf("the submitted note: %v %+v", err, n)
	}
	if r := ts.login(w.owner.Email, "a long enough password"); r.Status != 401 {
		t.Fatalf("the deleted account signs in: %d", r.Status)
	}
	if r := ts.api("GET", "/api/v1/me", w.ownerTok, nil); r.Status != 401 {
		t.Fatalf("the deleted account's token works: %d", r.Status)
	}
	if got := auditOf(t, ts, app.EventAccountDeleted, w.owner.ID); len(got) != 1 {
		t.Fatalf("%d deletion entries, want 1", len(got))
	}
	if err := ts.app.ResumeAccountDeletions(ctx); err != nil || len(auditOf(t, ts, app.EventAccountDeleted, w.owner.ID)) != 1 {
		t.Fatalf("a second resume: %v", err)
	}
	// The address may be used again.
	reg := map[string]any{"email": w.owner.Email, "password": "a long enough password", "name": "Dana Again",
		"organization": "Org", "sector": "media", "district": "cayo"}
	if r := ts.api("POST", "/api/v1/register", "", reg); r.Status != 201 {
		t.Fatalf("register the released address: %d %s", r.Status, r.Raw)
	}

	// Interrupted at its last step (the mark's removal, the third write of
	// users), after the deletion was recorded: finishing it records it once.
	other, otherTok := ts.user("Eve Erase", "Org", "media")
	mu.Lock()
	failUserWrite = 3
	mu.Unlock()
	if r := ts.api("DELETE", "/api/v1/me", otherTok, map[string]any{"password": "a long enough password"}); r.Status != 503 {
		t.Fatalf("delete: %d %s", r.Status, r.Raw)
	}
	if err := ts.app.ResumeAccountDeletions(ctx); err != nil {
		t.Fatalf("resume: %v", err)
	}
	if u, _ := ts.store.UserByID(ctx, other.ID); u.DeletedAt == nil || u.Deleting || u.Email != store.DeletedEmail(other.ID) {
		t.Fatalf("after the API deletion: %+v", u)
	}
	if got := auditOf(t, ts, app.EventAccountDeleted, other.ID); len(got) != 1 {
		t.Fatalf("%d deletion entries after a resumed deletion, want 1", len(got))
	}
}

// TestAuditRecordsEachEvent does each event the issue lists and finds its
// entry, with who and from where; the coordinators' page and API filter it.
func TestAuditRecordsEachEvent(t *testing.T) {
	w := newRepoWorld(t)
	ts := w.ts
	ts.login(w.owner.Email, "wrong password")
	w.publish(t)
	ts.api("PATCH", "/api/v1/users/"+w.owner.ID, w.coordTok, map[string]any{"roles": []string{"participant", "reviewer"}})
	ts.api("PATCH", "/api/v1/users/"+w.owner.ID, w.coordTok, map[string]any{"disabled": true})
	ts.api("PATCH", "/api/v1/users/"+w.owner.ID, w.coordTok, map[string]any{"disabled": false})
	_, tok := ts.user("Audrey Audit", "First Org", "media")
	me := ts.api("GET", "/api/v1/me", tok, nil).obj("user")
	id := me["id"].(string)
	ts.api("PATCH", "/api/v1/me", tok, map[string]any{"organization": "Second Org"})
	ts.api("POST", "/api/v1/me/password", tok, map[string]any{"current": "a long enough password", "password": "another long password"})
	for _, c := range []struct{ event, user string }{
		{app.EventSignIn, w.owner.ID}, {app.EventSignInFailed, w.owner.ID}, {app.EventResultsPublished, ""},
		{app.EventRolesChanged, w.owner.ID}, {app.EventAccountDisabled, w.owner.ID}, {app.EventAccountEnabled, w.owner.ID},
		{app.EventOrganizationChanged, id}, {app.EventPasswordChanged, id},
	} {
		got := auditOf(t, ts, c.event, c.user)
		if len(got) == 0 {
			t.Errorf("no %s entry for %q", c.event, c.user)
			continue
		}
		if got[0].IP == "" || (c.event != app.EventSignInFailed && got[0].By == "") {
			t.Errorf("%s without who or where: %+v", c.event, got[0])
		}
	}
	if got := auditOf(t, ts, app.EventOrganizationChanged, id); len(got) == 1 && (got[0].Detail["from"] != "First Org" || got[0].Detail["to"] != "Second Org") {
		t.Errorf("organisation change detail: %v", got[0].Detail)
	}
	r := ts.api("GET", "/api/v1/audit?event="+app.EventAccountDisabled+"&user_id="+w.owner.ID, w.coordTok, nil)
	items, _ := r.Body["items"].([]any)
	if r.Status != 200 || len(items) != 1 || items[0].(map[string]any)["by"] != w.coord.ID {
		t.Fatalf("audit API: %d %s", r.Status, r.Raw)
	}
	if r := ts.api("GET", "/api/v1/audit?page=2", w.coordTok, nil); r.Status != 200 || r.Body["page"] != float64(2) {
		t.Fatalf("audit page 2: %d %s", r.Status, r.Raw)
	}
	b := ts.browser()
	b.signIn(w.coord.Email, "a long enough password")
	if p := b.get("/admin/audit?event=" + app.EventAccountDisabled); p.Status != 200 || !strings.Contains(p.Body, app.EventAccountDisabled) || strings.Contains(p.Body, "<td>"+app.EventSignIn+"</td>") {
		t.Fatalf("audit page: %d", p.Status)
	}
}

// TestAccountPagesSaveBesideTheField changes the profile and the password
// through the account page, with errors beside the field.
func TestAccountPagesSaveBesideTheField(t *testing.T) {
	ts := newTestServer(t)
	u, _ := ts.user("Page Person", "Page Org", "media")
	b := ts.browser()
	b.signIn(u.Email, "a long enough password")
	tok := b.csrf("/account")
	p := b.post("/account", url.Values{"csrf_token": {tok}, "name": {""}, "organization": {"New Org"}, "sector": {"media"}, "district": {"cayo"}, "phone": {""}})
	if p.Status != 422 || !strings.Contains(p.Body, `id="name-error"`) {
		t.Fatalf("empty name: %d", p.Status)
	}
	p = b.post("/account", url.Values{"csrf_token": {tok}, "name": {"Page Person"}, "organization": {"New Org"}, "sector": {"media"}, "district": {"cayo"}, "phone": {"+501 1"}})
	if p.Status != 303 {
		t.Fatalf("save profile: %d %s", p.Status, p.Body)
	}
	if got, _ := ts.store.UserByID(context.Background(), u.ID); got.Organization != "New Org" || got.Phone != "+501 1" {
		t.Fatalf("profile: %+v", got)
	}
	p = b.post("/account/password", url.Values{"csrf_token": {tok}, "current": {"not it"}, "password": {"a fresh long password"}})
	if p.Status != 422 || !strings.Contains(p.Body, `id="current-error"`) {
		t.Fatalf("wrong current password: %d", p.Status)
	}
	p = b.post("/account/password", url.Values{"csrf_token": {tok}, "current": {"a long enough password"}, "password": {"a fresh long password"}})
	if p.Status != 303 {
		t.Fatalf("change password: %d", p.Status)
	}
	if p := b.get("/account"); p.Status != 200 {
		t.Fatalf("this session ends with the change: %d", p.Status)
	}
	p = b.post("/account/delete", url.Values{"csrf_token": {tok}, "password": {"a fresh long password"}})
	if p.Status != 303 {
		t.Fatalf("delete through the page: %d %s", p.Status, p.Body)
	}
	if r := ts.login(u.Email, "a fresh long password"); r.Status != 401 {
		t.Fatalf("signs in after deletion: %d", r.Status)
	}
}

// verifyEmail opens the newest verification link sent to address.
func (ts *testServer) verifyEmail(address string) {
	ts.t.Helper()
	if r := ts.api("POST", "/api/v1/me/email/verify", "", map[string]any{"token": onlyLink(ts.t.(*testing.T), ts, address, app.MsgVerifyEmail)}); r.Status != 204 {
		ts.t.Fatalf("verify %s: %d %s", address, r.Status, r.Raw)
	}
}
