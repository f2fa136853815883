package web

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"go.mongodb.org/mongo-driver/v2/bson"

	"cocreate/internal/app"
	"cocreate/internal/store"
	"cocreate/internal/testdb"
)

// serverOn is the real router on st, as a process started on st's data
// would serve it (its own boot id, nothing of another process's memory).
func serverOn(t *testing.T, st *store.Store, clock *testClock) *testServer {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	a := app.New(st, fastHasher, clock.Now, log)
	h, err := New(Deps{App: a, Logger: log, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &testServer{t: t, srv: srv, store: st, app: a, clock: clock}
}

// digestOf is the digest the idempotency middleware gives a JSON POST of
// body to path by caller with key.
func digestOf(t *testing.T, caller, path, key, body string) (id, digest string) {
	t.Helper()
	c, _ := gin.CreateTestContext(httptest.NewRecorder())
	c.Request = httptest.NewRequest("POST", path, strings.NewReader(body))
	c.Request.Header.Set("Content-Type", "application/json")
	fp, err := fingerprint(c)
	if err != nil {
		t.Fatal(err)
	}
	id = caller + "|" + path + "|" + key
	return id, requestDigest(id, fp)
}

// leaveClaim stores a pending claim on the key as a process that stopped
// while answering it would have left it.
func leaveClaim(t *testing.T, ts *testServer, id, digestBody string, claimedAt time.Time) {
	t.Helper()
	c, _ := gin.CreateTestContext(httptest.NewRecorder())
	path := strings.SplitN(id, "|", 3)[1]
	c.Request = httptest.NewRequest("POST", path, strings.NewReader(digestBody))
	c.Request.Header.Set("Content-Type", "application/json")
	fp, _ := fingerprint(c)
	_, err := testdb.Raw(t, ts.store).Collection("idempotency").InsertOne(context.Background(), store.IdemRecord{ID: id, Fingerprint: fp,
		Pending: true, CreatedAt: claimedAt, Boot: "a-process-that-stopped", Token: "its-claim", ClaimedAt: claimedAt})
	if err != nil {
		t.Fatal(err)
	}
}

func TestRetryOfASubmissionCutShort(t *testing.T) {
	const key, body = "submit-once", `{"version":1}`
	for _, tc := range []struct {
		name     string
		effect   bool          // the first attempt's submission happened
		claim    bool          // it left a pending claim
		claimAge time.Duration // how long before the retry the claim was made
		restart  bool          // the retry reaches a restarted process
		onlyEmb  bool          // holds only where one process owns the data
	}{
		{name: "submitted, the process stopped with the claim pending, restarted", effect: true, claim: true, claimAge: time.Second, restart: true, onlyEmb: true},
		{name: "submitted, claim pending older than the request timeout", effect: true, claim: true, claimAge: claimLease + time.Minute},
		{name: "submitted, no claim (the client gave up, the answer was not stored)", effect: true},
		{name: "not submitted, claim pending older than the request timeout", claim: true, claimAge: claimLease + time.Minute},
		{name: "not submitted, the process stopped with the claim pending, restarted", claim: true, claimAge: time.Second, restart: true, onlyEmb: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ts := newTestServer(t)
			if tc.onlyEmb && !ts.store.Embedded() {
				t.Skip("on MongoDB another process may still be answering a fresh claim: it is taken over only after the request timeout (the older-claim cases)")
			}
			call := ts.makeCall("belize-2026", nil)
			u, tok := ts.user("Pat Participant", "NGO", "civil_society")
			id, v := ts.draft(call, tok, completeNote())
			if v != 1 {
				t.Fatalf("draft version %d", v)
			}
			path := "/api/v1/notes/" + id + "/submit"
			rid, digest := digestOf(t, u.ID, path, key, body)
			ctx := context.Background()
			if tc.effect {
				// What the first attempt did before its answer was lost.
				if _, err := ts.app.SubmitNote(store.WithRequest(ctx, digest), u, id, 1); err != nil {
					t.Fatal(err)
				}
			}
			if tc.claim {
				leaveClaim(t, ts, rid, body, ts.clock.Now().Add(-tc.claimAge))
			}
			retry := ts
			if tc.restart {
				retry = serverOn(t, testdb.Reopen(t, ts.store), ts.clock)
				tok = retry.freshToken(u)
			}
			start := time.Now()
			r := retry.api("POST", path, tok, body, "Idempotency-Key", key)
			if r.Status != 200 || r.obj("note")["ref"] != "BZ2026-0001" || r.obj("note")["state"] != "submitted" {
				t.Fatalf("retry: %d %s", r.Status, r.Raw)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("the retry took %v: it waited for a request that was no longer running", d)
			}
			n, err := retry.store.NoteByID(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if len(n.History) != 1 || n.History[0].Event != "submit" || n.Ref != "BZ2026-0001" {
				t.Fatalf("history %+v ref %s: want one submission", n.History, n.Ref)
			}
			// The answer is kept now: the next retry replays it.
			again := retry.api("POST", path, tok, body, "Idempotency-Key", key)
			if again.Status != 200 || again.Header.Get("Idempotent-Replay") != "true" || again.obj("note")["ref"] != "BZ2026-0001" {
				t.Fatalf("second retry: %d %v %s", again.Status, again.Header, again.Raw)
			}
			// A new request with the old version is still refused: only the
			// same request is recognised.
			other := retry.api("POST", path, tok, body, "Idempotency-Key", "another-key")
			if other.Status != 409 || other.errCode() != "stale_version" {
				t.Fatalf("another request with version 1: %d %s", other.Status, other.Raw)
			}
			// No number was burned or repeated.
			next, _ := retry.submitted(call, tok)
			if r := retry.api("GET", "/api/v1/notes/"+next, tok, nil); r.obj("note")["ref"] != "BZ2026-0002" {
				t.Fatalf("next reference: %s", r.Raw)
			}
		})
	}
}

func TestConcurrentRetriesOfAnAbandonedClaim(t *testing.T) {
	const key, body = "submit-abandoned", `{"version":1}`
	ts := newTestServer(t)
	call := ts.makeCall("belize-2026", nil)
	u, tok := ts.user("Pat Participant", "NGO", "civil_society")
	id, _ := ts.draft(call, tok, completeNote())
	path := "/api/v1/notes/" + id + "/submit"
	rid, _ := digestOf(t, u.ID, path, key, body)
	leaveClaim(t, ts, rid, body, ts.clock.Now().Add(-claimLease-time.Minute))
	const n = 10
	answers := make([]apiResp, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { answers[i] = ts.api("POST", path, tok, body, "Idempotency-Key", key) })
	}
	wg.Wait()
	for _, r := range answers {
		if r.Status != 200 || r.obj("note")["ref"] != "BZ2026-0001" {
			t.Fatalf("answer %d %s", r.Status, r.Raw)
		}
	}
	note, err := ts.store.NoteByID(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if len(note.History) != 1 {
		t.Fatalf("history %+v: want one submission", note.History)
	}
	next, _ := ts.submitted(call, tok)
	if r := ts.api("GET", "/api/v1/notes/"+next, tok, nil); r.obj("note")["ref"] != "BZ2026-0002" {
		t.Fatalf("next reference: %s", r.Raw)
	}
}

func TestRetriedCreateMakesOneDraft(t *testing.T) {
	ts := newTestServer(t)
	call := ts.makeCall("belize-2026", nil)
	u, tok := ts.user("Pat Participant", "NGO", "civil_society")
	_, tok2 := ts.user("Sam Participant", "NGO", "civil_society")
	body := withFields("title", "One draft only")
	first := ts.api("POST", "/api/v1/calls/"+call+"/notes", tok, body, "Idempotency-Key", "create-1")
	if first.Status != 201 {
		t.Fatalf("create: %d %s", first.Status, first.Raw)
	}
	id := first.obj("note")["id"].(string)
	// The answer is lost (the process stopped before storing it, or the
	// record is gone): the retry runs again and meets the draft it made.
	if _, err := testdb.Raw(t, ts.store).Collection("idempotency").DeleteMany(context.Background(), bson.D{}); err != nil {
		t.Fatal(err)
	}
	again := ts.api("POST", "/api/v1/calls/"+call+"/notes", tok, body, "Idempotency-Key", "create-1")
	if again.Status != 201 || again.obj("note")["id"] != id || again.Header.Get("Idempotent-Replay") != "" {
		t.Fatalf("retry: %d %s (first id %s)", again.Status, again.Raw, id)
	}
	// Another participant with the same key makes their own draft.
	if r := ts.api("POST", "/api/v1/calls/"+call+"/notes", tok2, body, "Idempotency-Key", "create-1"); r.Status != 201 || r.obj("note")["id"] == id {
		t.Fatalf("another caller's create: %d %s", r.Status, r.Raw)
	}
	sums, err := ts.store.Summaries(context.Background(), store.SummaryFilter{CallID: call, Owner: u.ID})
	if err != nil {
		t.Fatal(err)
	}
	if len(sums) != 1 {
		t.Fatalf("%d drafts, want 1", len(sums))
	}
}

// TestRetryWaitsForARequestWhoseClientLeft: the client gives up while its
// request is answered; the retry waits for that answer and replays it, and
// the first request is logged as cancelled, not as a failure.
func TestRetryWaitsForARequestWhoseClientLeft(t *testing.T) {
	logs := &syncBuffer{}
	h, err := newHandler(Deps{App: app.New(testdb.Open(t), fastHasher, nil, slog.New(slog.NewTextHandler(logs, nil))), Logger: slog.New(slog.NewTextHandler(logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	started, finish := make(chan struct{}), make(chan struct{})
	var finishOnce sync.Once
	release := func() { finishOnce.Do(func() { close(finish) }) }
	t.Cleanup(release) // never leave the first request blocked when the test fails
	var runs atomic.Int32
	r := gin.New()
	r.Use(h.withRequestID, h.logRequests, h.recoverPanics)
	r.POST("/api/v1/slow", h.idempotent, func(c *gin.Context) {
		if runs.Add(1) == 1 {
			close(started)
			<-finish
		}
		c.JSON(201, gin.H{"run": runs.Load()})
	})
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	send := func(ctx context.Context) (*http.Response, error) {
		req, _ := http.NewRequestWithContext(ctx, "POST", srv.URL+"/api/v1/slow", strings.NewReader(`{}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Idempotency-Key", "k")
		return http.DefaultClient.Do(req)
	}
	ctx, giveUp := context.WithCancel(context.Background())
	firstDone := make(chan error, 1)
	go func() {
		_, err := send(ctx)
		firstDone <- err
	}()
	<-started
	giveUp()
	if err := <-firstDone; err == nil {
		t.Fatal("the first request was not cut")
	}
	retried := make(chan *http.Response, 1)
	go func() {
		res, err := send(context.Background())
		if err != nil {
			t.Error(err)
		}
		retried <- res
	}()
	select {
	case res := <-retried:
		release()
		t.Fatalf("the retry was answered (%d) while the first request still ran", res.StatusCode)
	case <-time.After(100 * time.Millisecond):
	}
	release()
	res := <-retried
	raw, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 201 || res.Header.Get("Idempotent-Replay") != "true" || runs.Load() != 1 || !strings.Contains(string(raw), `"run":1`) {
		t.Fatalf("retry: %d %s %q (runs %d)", res.StatusCode, res.Header.Get("Idempotent-Replay"), raw, runs.Load())
	}
	waitFor(t, func() bool { return strings.Contains(logs.String(), "request cancelled") })
	out := logs.String()
	if !strings.Contains(out, "msg=\"request cancelled\"") || !strings.Contains(out, "status=499") || strings.Contains(out, "level=ERROR") {
		t.Fatalf("the cancelled request is not logged as cancelled:\n%s", out)
	}
}

// waitFor polls cond for up to 5 s.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatal("timed out")
}

func TestAbandonedClaims(t *testing.T) {
	now := time.Date(2026, 6, 15, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		boot string
		age  time.Duration
		want bool
	}{
		{"me", time.Second, true},        // this process made it and no longer runs it
		{"other", time.Second, false},    // another process may still be answering it
		{"other", claimLease - 1, false}, // within the request timeout
		{"other", claimLease + 1, true},  // past the request timeout
		{"me", claimLease + time.Hour, true},
	} {
		r := &store.IdemRecord{Pending: true, Boot: tc.boot, ClaimedAt: now.Add(-tc.age)}
		if got := store.Abandoned(r, "me", now, claimLease); got != tc.want {
			t.Errorf("claim by %s %v old: abandoned %v, want %v", tc.boot, tc.age, got, tc.want)
		}
	}
}

// TestCancelledRequestsAreNotFaults: a request whose client leaves is
// logged as cancelled with status 499 and counted so, not as a 500 or 503.
func TestCancelledRequestsAreNotFaults(t *testing.T) {
	logs := &syncBuffer{}
	h, err := newHandler(Deps{App: app.New(testdb.Open(t), fastHasher, nil, slog.New(slog.NewTextHandler(logs, nil))), Logger: slog.New(slog.NewTextHandler(logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	started := make(chan struct{})
	r := gin.New()
	r.Use(h.withRequestID, h.logRequests, h.recoverPanics)
	r.GET("/api/v1/wait", func(c *gin.Context) {
		close(started)
		<-c.Request.Context().Done()
		// What a store call cut by the cancellation returns.
		h.fail(c, fmt.Errorf("load note: %w", c.Request.Context().Err()))
	})
	r.GET("/metrics", h.metricsPage)
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	ctx, giveUp := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/api/v1/wait", nil)
	go func() { <-started; giveUp() }()
	if res, err := http.DefaultClient.Do(req); err == nil {
		res.Body.Close()
		t.Fatal("the request was not cut")
	}
	waitFor(t, func() bool { return strings.Contains(logs.String(), "request cancelled") })
	out := logs.String()
	if !strings.Contains(out, "status=499") || strings.Contains(out, "level=ERROR") || strings.Contains(out, "request failed") {
		t.Fatalf("log of a cancelled request:\n%s", out)
	}
	res, err := http.Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	m, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if !strings.Contains(string(m), `cocreate_http_requests_total{method="GET",route="/api/v1/wait",status="499"} 1`) {
		t.Fatalf("metrics do not count the request as cancelled:\n%s", m)
	}
}

// TestAbandonedSubmitsRetriedWithTheirKey: clients give up on their submit
// after a few hundred microseconds to a few milliseconds and retry with the
// same key; every retry gets 200 with the note's one reference.
func TestAbandonedSubmitsRetriedWithTheirKey(t *testing.T) {
	ts := newTestServer(t)
	call := ts.makeCall("belize-2026", nil)
	_, tok := ts.user("Pat Participant", "NGO", "civil_society")
	client := &http.Client{}
	refs := map[string]string{}
	for i := range 24 {
		id, v := ts.draft(call, tok, completeNote())
		path := "/api/v1/notes/" + id + "/submit"
		body := fmt.Sprintf(`{"version":%d}`, v)
		key := fmt.Sprint("abandoned-", i)
		ctx, cancel := context.WithTimeout(context.Background(), time.Duration(i%8)*400*time.Microsecond)
		req, _ := http.NewRequestWithContext(ctx, "POST", ts.srv.URL+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Idempotency-Key", key)
		if res, err := client.Do(req); err == nil {
			res.Body.Close()
		}
		cancel()
		r := ts.api("POST", path, tok, body, "Idempotency-Key", key)
		ref, _ := r.obj("note")["ref"].(string)
		if r.Status != 200 || ref == "" {
			t.Fatalf("retry %d: %d %s", i, r.Status, r.Raw)
		}
		if other, dup := refs[ref]; dup {
			t.Fatalf("reference %s given to %s and %s", ref, other, id)
		}
		refs[ref] = id
		n, err := ts.store.NoteByID(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if n.Ref != ref || len(n.History) != 1 {
			t.Fatalf("note %s: ref %s (answered %s), history %+v", id, n.Ref, ref, n.History)
		}
	}
}
