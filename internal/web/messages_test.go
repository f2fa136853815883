package web

import (
	"context"
	"strings"
	"testing"
	"time"

	"cocreate/internal/app"
	"cocreate/internal/config"
	"cocreate/internal/mail"
	"cocreate/internal/mail/mailtest"
	"cocreate/internal/store"
)

const testBase = "https://cocreate.example.org"

// outbox reads the outbox through the API as the coordinator, by key.
func (w *committeeWorld) outbox(t *testing.T) map[string]map[string]any {
	t.Helper()
	r := w.ts.api("GET", "/api/v1/outbox", w.coordTok, nil)
	if r.Status != 200 {
		t.Fatalf("outbox: %d %s", r.Status, r.Raw)
	}
	out := map[string]map[string]any{}
	for _, it := range r.Body["items"].([]any) {
		m := it.(map[string]any)
		out[m["id"].(string)] = m
	}
	return out
}

func (w *committeeWorld) message(t *testing.T, key string) *store.Message {
	t.Helper()
	m, err := w.ts.store.MessageByID(context.Background(), key)
	if err != nil {
		t.Fatalf("message %s: %v", key, err)
	}
	return m
}

func mustContain(t *testing.T, what, s string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(s, p) {
			t.Fatalf("%s lacks %q:\n%s", what, p, s)
		}
	}
}

// The operations queue their messages before they answer, each once, and a
// real SMTP server then receives each of them once, with its links.
func TestOperationsQueueTheirMessagesAndEachArrivesOnce(t *testing.T) {
	w := newCommitteeWorld(t)
	w.ts.app.Messages = app.Messages{BaseURL: testBase}
	ctx := context.Background()

	// Submission: a receipt with the reference, in the call's zone.
	id, v := w.ts.submitted(w.call.ID, w.ownerTok)
	sub := w.fresh(t, id)
	receipt := w.message(t, app.MessageKey(app.MsgReceipt, w.owner.ID, id))
	if receipt.To != w.owner.Email || receipt.Subject != "Concept note received: "+sub.Ref || receipt.State != store.MessageQueued {
		t.Fatalf("receipt: %+v", receipt)
	}
	mustContain(t, "the receipt", receipt.Body, "Dear Paula Participant", sub.Ref, testBase+"/notes/"+id,
		"Monday 15 June 2026, 06:00 (America/Belize)")

	// Return for revision: the instructions and the revise-by date.
	r := w.ts.api("POST", "/api/v1/notes/"+id+"/screen", w.rev1Tok, map[string]any{"version": v, "outcome": "return",
		"checklist": checklist("verifiable"), "instructions": "Give each milestone a month.", "revise_by": "2026-06-25"})
	if r.Status != 200 {
		t.Fatalf("return: %d %s", r.Status, r.Raw)
	}
	ret := w.message(t, app.MessageKey(app.MsgReturned, w.owner.ID, id))
	mustContain(t, "the return", ret.Subject, sub.Ref, "2026-06-25")
	mustContain(t, "the return", ret.Body, "Give each milestone a month.", "Thursday 25 June 2026 (America/Belize)", testBase+"/notes/"+id)

	// Screening failure: the failed items and the comments.
	failing := w.note(t, w.call, "submitted", "Private road", "justice", time.Hour)
	r = w.ts.api("POST", "/api/v1/notes/"+failing.ID+"/screen", w.rev1Tok, map[string]any{"version": failing.Version, "outcome": "fail",
		"checklist": checklist("appropriate"), "item_comments": map[string]string{"appropriate": "It funds one company."}, "comment": "Try the next call."})
	if r.Status != 200 {
		t.Fatalf("fail: %d %s", r.Status, r.Raw)
	}
	fail := w.message(t, app.MessageKey(app.MsgIneligible, w.owner.ID, failing.ID))
	mustContain(t, "the failure", fail.Body, "It funds one company.", "Try the next call.", testBase+"/notes/"+failing.ID)

	// Assignment: the reviewer hears of it, once.
	assigned := w.note(t, w.call, "screened", "Open budgets", "fiscal_openness", time.Hour)
	for range 2 {
		r = w.ts.api("PUT", "/api/v1/notes/"+assigned.ID+"/assignments", w.coordTok, map[string]any{"reviewer_ids": []string{w.rev2.ID}})
		if r.Status != 200 {
			t.Fatalf("assign: %d %s", r.Status, r.Raw)
		}
	}
	as := w.message(t, app.MessageKey(app.MsgAssigned, w.rev2.ID, assigned.ID))
	if as.To != w.rev2.Email {
		t.Fatalf("assignment to %s", as.To)
	}
	mustContain(t, "the assignment", as.Body, assigned.Ref, testBase+"/notes/"+assigned.ID+"/review")

	// Publication: one message per participant per call, naming each note.
	a1 := w.scored(t, "Open contracts", 3, 75)
	a2 := w.scored(t, "Open tenders", 3, 70)
	for _, n := range []*store.Note{a1, a2} {
		if r := w.ts.api("POST", "/api/v1/notes/"+n.ID+"/classify", w.chairTok, classifyBodyFor(n, "A", "included")); r.Status != 200 {
			t.Fatalf("classify: %d %s", r.Status, r.Raw)
		}
	}
	for range 2 {
		if r := w.ts.api("POST", "/api/v1/calls/"+w.call.ID+"/publish", w.chairTok, map[string]any{}); r.Status != 200 {
			t.Fatalf("publish: %d %s", r.Status, r.Raw)
		}
	}
	res := w.message(t, app.MessageKey(app.MsgResults, w.owner.ID, w.call.ID))
	mustContain(t, "the results", res.Body, a1.Ref, a2.Ref, testBase+"/notes/"+a1.ID, testBase+"/notes/"+a2.ID)

	box := w.outbox(t)
	perOwner := 0
	for _, m := range box {
		if m["to"] == w.owner.Email && strings.HasPrefix(m["subject"].(string), "Results published") {
			perOwner++
		}
	}
	if len(box) != 5 || perOwner != 1 {
		t.Fatalf("the outbox holds %d messages (%d results for the owner), want 5 and 1: %v", len(box), perOwner, box)
	}
	for k, m := range box {
		if m["state"] != "queued" || m["attempts"] != float64(0) {
			t.Fatalf("without SMTP %s is %v", k, m)
		}
	}

	// A real SMTP server that refuses the first two attempts gets each once.
	srv := mailtest.Start(t, 2)
	s := mail.NewSender(mail.Options{Store: w.ts.store, From: "cocreate@example.org",
		Transport: mail.NewSMTP(config.SMTP{Host: "127.0.0.1", Port: srv.Port}, 5*time.Second),
		Backoff:   []time.Duration{10 * time.Millisecond}, ScanEvery: 20 * time.Millisecond, JobsEvery: time.Hour})
	s.Start(ctx)
	got := srv.Wait(t, 5, 10*time.Second)
	time.Sleep(100 * time.Millisecond)
	s.Stop()
	got = srv.Mails()
	if len(got) != 5 {
		t.Fatalf("the server accepted %d messages, want 5", len(got))
	}
	bySubject := map[string]mailtest.Mail{}
	for _, m := range got {
		if _, dup := bySubject[m.Subject]; dup {
			t.Fatalf("%q arrived twice", m.Subject)
		}
		bySubject[m.Subject] = m
	}
	rm, ok := bySubject["Concept note received: "+sub.Ref]
	if !ok || len(rm.To) != 1 || rm.To[0] != w.owner.Email {
		t.Fatalf("the receipt as delivered: %+v", rm)
	}
	mustContain(t, "the delivered receipt", rm.Body, sub.Ref, testBase+"/notes/"+id)
	for k, m := range w.outbox(t) {
		if m["state"] != "sent" || m["sent_at"] == nil {
			t.Fatalf("after delivery %s is %v", k, m)
		}
	}
}

// The periodic job sends the reminder two days before a revise-by date and
// the reminder to reviewers before the review due date, once each, and
// queues a message an operation failed to queue.
func TestRemindersAndTheSweep(t *testing.T) {
	w := newCommitteeWorld(t)
	w.ts.app.Messages = app.Messages{BaseURL: testBase}
	ctx := context.Background()
	now := w.ts.clock.Now()

	returned := w.note(t, w.call, "returned", "Late milestones", "justice", time.Hour, func(n *store.Note) {
		n.Screening = &store.Screening{Outcome: "return", Instructions: "Date the milestones.", ReviseBy: "2026-06-25", At: now.Add(-time.Hour)}
	})
	due := time.Date(2026, 6, 30, 23, 0, 0, 0, time.UTC)
	rc := w.newCall(t, "reviewed-call", "RV2026")
	rc.ReviewDue, rc.ReminderDays = &due, 3
	if _, err := w.ts.store.UpdateCall(ctx, rc.ID, rc.Version, rc); err != nil {
		t.Fatal(err)
	}
	pending := w.note(t, rc, "screened", "Unreviewed", "justice", 72*time.Hour, func(n *store.Note) {
		n.Assignments = []store.Assignment{{ReviewerID: w.rev1.ID, ReviewState: store.ReviewAssigned, At: now.Add(-72 * time.Hour)},
			{ReviewerID: w.rev2.ID, ReviewState: store.ReviewSubmitted, At: now.Add(-72 * time.Hour)}}
	})
	// A submission whose receipt was never queued (the process died in between).
	lost := w.note(t, w.call, "submitted", "Lost receipt", "justice", time.Hour)

	reviseKey := app.MessageKey(app.MsgReviseReminder, w.owner.ID, returned.ID, "2026-06-25")
	reviewKey := app.MessageKey(app.MsgReviewReminder, w.rev1.ID, rc.ID, "2026-06-30")
	has := func(key string) bool {
		ok, err := w.ts.store.HasMessage(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	jobs := func(at time.Time) {
		t.Helper()
		if err := w.ts.app.MessageJobs(ctx, at); err != nil {
			t.Fatal(err)
		}
	}
	jobs(now)
	if has(reviseKey) || has(reviewKey) {
		t.Fatal("a reminder was queued before its day")
	}
	if !has(app.MessageKey(app.MsgReceipt, w.owner.ID, lost.ID)) {
		t.Fatal("the sweep did not queue the missing receipt")
	}
	if !has(app.MessageKey(app.MsgReturned, w.owner.ID, returned.ID)) {
		t.Fatal("the sweep did not queue the missing return message")
	}

	// Two days before the revise-by day, in Belize time.
	jobs(time.Date(2026, 6, 23, 6, 30, 0, 0, time.UTC)) // 00:30 in Belize
	if !has(reviseKey) {
		t.Fatal("no revise-by reminder two days before the date")
	}
	m := w.message(t, reviseKey)
	mustContain(t, "the revise-by reminder", m.Body, returned.Ref, "Date the milestones.", "Thursday 25 June 2026", testBase+"/notes/"+returned.ID)
	if has(reviewKey) {
		t.Fatal("the review reminder came more than reminder_days before the due date")
	}

	// reminder_days (3) before review_due: rev1 has not submitted, rev2 has.
	jobs(due.Add(-72 * time.Hour).Add(-time.Minute))
	if has(reviewKey) {
		t.Fatal("the review reminder came before reminder_days before review_due")
	}
	jobs(due.Add(-72 * time.Hour).Add(time.Minute))
	jobs(due.Add(-time.Hour))
	if !has(reviewKey) {
		t.Fatal("no review reminder within reminder_days of review_due")
	}
	mustContain(t, "the review reminder", w.message(t, reviewKey).Body, pending.Ref, testBase+"/notes/"+pending.ID+"/review")
	if has(app.MessageKey(app.MsgReviewReminder, w.rev2.ID, rc.ID, "2026-06-30")) {
		t.Fatal("a reviewer who submitted was reminded")
	}
	list, _, err := w.ts.store.Messages(ctx, "", 100)
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	for _, m := range list {
		count[m.Event]++
	}
	if count[app.MsgReviseReminder] != 1 || count[app.MsgReviewReminder] != 1 {
		t.Fatalf("reminders queued: %v", count)
	}
}

func TestTheOutboxIsForCoordinators(t *testing.T) {
	w := newCommitteeWorld(t)
	if r := w.ts.api("GET", "/api/v1/outbox", w.ownerTok, nil); r.Status != 403 {
		t.Fatalf("a participant reading the outbox: %d", r.Status)
	}
	if r := w.ts.api("GET", "/api/v1/outbox", w.chairTok, nil); r.Status != 403 {
		t.Fatalf("a chair reading the outbox: %d", r.Status)
	}
	if _, _, err := w.ts.app.Outbox(context.Background(), w.chair, ""); err == nil {
		t.Fatal("the app let a chair read the outbox")
	}
	if r := w.ts.api("GET", "/api/v1/outbox?state=lost", w.coordTok, nil); r.Status != 400 || r.errCode() == "" {
		t.Fatalf("an unknown state: %d %s", r.Status, r.Raw)
	}
	if _, err := w.ts.store.EnqueueMessage(context.Background(), &store.Message{ID: "receipt:x:y", To: "x@example.org", Subject: "Concept note received: BZ-0001"}); err != nil {
		t.Fatal(err)
	}
	r := w.ts.api("GET", "/api/v1/outbox?state=queued", w.coordTok, nil)
	if r.Status != 200 || r.Body["total"] != float64(1) {
		t.Fatalf("queued: %d %s", r.Status, r.Raw)
	}
	if r := w.ts.api("GET", "/api/v1/outbox?state=sent", w.coordTok, nil); r.Body["total"] != float64(0) {
		t.Fatalf("sent: %s", r.Raw)
	}
	b := w.ts.browser()
	coordUser, _ := w.ts.store.UserByID(context.Background(), w.coord.ID)
	b.signIn(coordUser.Email, "a long enough password")
	p := b.get("/admin/outbox?state=queued")
	if p.Status != 200 {
		t.Fatalf("outbox page: %d", p.Status)
	}
	mustContain(t, "the outbox page", p.Body, "x@example.org", "Concept note received: BZ-0001", "queued")
}
