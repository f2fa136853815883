package mail_test

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"cocreate/internal/config"
	"cocreate/internal/mail"
	"cocreate/internal/mail/mailtest"
	"cocreate/internal/store"
	"cocreate/internal/testdb"
)

func TestMain(m *testing.M) { testdb.Main(m) }

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// fast are sender options for tests: short backoff, scans and leases.
func fast(st *store.Store, srv *mailtest.Server) mail.Options {
	o := mail.Options{Store: st, From: "cocreate@example.org", Backoff: []time.Duration{10 * time.Millisecond, 20 * time.Millisecond},
		MaxAttempts: 5, Lease: time.Minute, ScanEvery: 50 * time.Millisecond, JobsEvery: time.Hour, SendTimeout: 5 * time.Second, Log: quiet}
	if srv != nil {
		o.Transport = mail.NewSMTP(config.SMTP{Host: "127.0.0.1", Port: srv.Port}, 5*time.Second)
	}
	return o
}

func enqueue(t *testing.T, st *store.Store, key, to, subject, body string) {
	t.Helper()
	ok, err := st.EnqueueMessage(context.Background(), &store.Message{ID: key, Event: "test", UserID: "u-" + to, To: to, Subject: subject, Body: body})
	if err != nil || !ok {
		t.Fatalf("enqueue %s: %v %v", key, ok, err)
	}
}

func waitState(t *testing.T, st *store.Store, id, state string) *store.Message {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		m, err := st.MessageByID(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if m.State == state {
			return m
		}
		if time.Now().After(deadline) {
			t.Fatalf("message %s is %s after 10 s (attempts %d, %s), want %s", id, m.State, m.Attempts, m.LastError, state)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestAKeyIsQueuedOnce(t *testing.T) {
	st := testdb.Open(t)
	enqueue(t, st, "receipt:u1:n1", "a@example.org", "Received", "Body")
	ok, err := st.EnqueueMessage(context.Background(), &store.Message{ID: "receipt:u1:n1", To: "a@example.org", Subject: "Again"})
	if err != nil || ok {
		t.Fatalf("a second message with the same key: queued=%v err=%v", ok, err)
	}
	m, _ := st.MessageByID(context.Background(), "receipt:u1:n1")
	if m.Subject != "Received" || m.State != store.MessageQueued {
		t.Fatalf("the first message was changed: %+v", m)
	}
}

// A server that refuses the first attempts, then accepts, gets each message
// exactly once, and the outbox records the attempts.
func TestRetriedUntilAcceptedAndSentOnce(t *testing.T) {
	st := testdb.Open(t)
	srv := mailtest.Start(t, 4)
	for _, k := range []string{"a", "b", "c"} {
		enqueue(t, st, "test:"+k, k+"@example.org", "Subject "+k, "Hello "+k+",\nsee https://example.org/notes/"+k)
	}
	s := mail.NewSender(fast(st, srv))
	s.Start(context.Background())
	defer s.Stop()
	for _, k := range []string{"a", "b", "c"} {
		waitState(t, st, "test:"+k, store.MessageSent)
	}
	got := srv.Mails()
	if len(got) != 3 {
		t.Fatalf("the server accepted %d messages, want 3: %+v", len(got), got)
	}
	seen := map[string]int{}
	attempts := 0
	for _, m := range got {
		seen[m.To[0]]++
		k := strings.TrimSuffix(m.To[0], "@example.org")
		if m.Subject != "Subject "+k || !strings.Contains(m.Body, "see https://example.org/notes/"+k) || m.From != "cocreate@example.org" {
			t.Fatalf("message to %s: %+v", m.To[0], m)
		}
		if m.ID != "<"+mail.MessageID("test:"+k, "example.org")+">" {
			t.Fatalf("Message-ID %q is not derived from the key", m.ID)
		}
	}
	for _, k := range []string{"a", "b", "c"} {
		m, _ := st.MessageByID(context.Background(), "test:"+k)
		attempts += m.Attempts
		if m.SentAt == nil || m.LastError != "" {
			t.Fatalf("sent message %s: %+v", k, m)
		}
		if seen[k+"@example.org"] != 1 {
			t.Fatalf("%s got %d copies", k, seen[k+"@example.org"])
		}
	}
	if attempts != 7 || srv.Attempts() != 7 {
		t.Fatalf("attempts recorded %d, offered to the server %d; want 3 accepted + 4 refused = 7", attempts, srv.Attempts())
	}
	// Nothing more goes out afterwards.
	time.Sleep(150 * time.Millisecond)
	if n := len(srv.Mails()); n != 3 {
		t.Fatalf("after delivery the server got %d messages", n)
	}
}

// A message queued by one process and sent by the next (restart, or kill -9
// before the sender ran) goes once; a third process sends nothing.
func TestARestartBetweenQueueingAndSendingSendsOnce(t *testing.T) {
	first := testdb.Open(t)
	enqueue(t, first, "test:restart", "r@example.org", "Queued before the restart", "Body")
	srv := mailtest.Start(t, 0)

	second := testdb.Reopen(t, first)
	s := mail.NewSender(fast(second, srv))
	s.Start(context.Background())
	waitState(t, second, "test:restart", store.MessageSent)
	s.Stop()

	third := testdb.Reopen(t, first)
	s3 := mail.NewSender(fast(third, srv))
	s3.Start(context.Background())
	time.Sleep(200 * time.Millisecond)
	s3.Stop()
	if got := srv.Mails(); len(got) != 1 || got[0].Subject != "Queued before the restart" {
		t.Fatalf("the server got %+v, want the one message once", got)
	}
}

// A claim whose sender stopped mid-attempt (state sending) is taken again
// once its lease has passed, and only then.
func TestAnAbandonedClaimIsTakenAfterItsLease(t *testing.T) {
	st := testdb.Open(t)
	enqueue(t, st, "test:claimed", "c@example.org", "Claimed", "Body")
	now := time.Now()
	m, err := st.ClaimMessage(context.Background(), "test:claimed", now, 300*time.Millisecond)
	if err != nil || m == nil || m.State != store.MessageSending {
		t.Fatalf("claim: %+v %v", m, err)
	}
	if again, err := st.ClaimMessage(context.Background(), "test:claimed", now, time.Minute); again != nil || err != nil {
		t.Fatalf("a second claim within the lease: %+v %v", again, err)
	}
	srv := mailtest.Start(t, 0)
	s := mail.NewSender(fast(testdb.Reopen(t, st), srv))
	s.Start(context.Background())
	defer s.Stop()
	sent := waitState(t, st, "test:claimed", store.MessageSent)
	if time.Since(now) < 300*time.Millisecond {
		t.Fatal("the claim was taken before its lease ended")
	}
	if sent.Attempts != 1 || len(srv.Mails()) != 1 {
		t.Fatalf("attempts %d, mails %d", sent.Attempts, len(srv.Mails()))
	}
	// The stopped sender's late record of its attempt is refused.
	if ok, err := st.FinishMessage(context.Background(), m, store.MessageOutcome{Sent: true, At: time.Now()}); ok || err != nil {
		t.Fatalf("a stale claim recorded its outcome: %v %v", ok, err)
	}
}

func TestFailedAfterTheLastAttempt(t *testing.T) {
	st := testdb.Open(t)
	srv := mailtest.Start(t, 1000)
	enqueue(t, st, "test:fail", "f@example.org", "Never accepted", "Body")
	o := fast(st, srv)
	o.MaxAttempts = 3
	s := mail.NewSender(o)
	s.Start(context.Background())
	defer s.Stop()
	m := waitState(t, st, "test:fail", store.MessageFailed)
	if m.Attempts != 3 || !strings.Contains(m.LastError, "try again later") || m.SentAt != nil {
		t.Fatalf("failed message: %+v", m)
	}
	time.Sleep(100 * time.Millisecond)
	if srv.Attempts() != 3 {
		t.Fatalf("the server was offered the message %d times, want 3", srv.Attempts())
	}
}

// Without SMTP, messages are kept queued and never attempted; the jobs run.
func TestWithoutSMTPMessagesStayQueued(t *testing.T) {
	st := testdb.Open(t)
	o := fast(st, nil)
	jobs := make(chan time.Time, 10)
	o.Jobs = func(ctx context.Context, now time.Time) error {
		jobs <- now
		return nil
	}
	o.JobsEvery = 20 * time.Millisecond
	s := mail.NewSender(o)
	s.Start(context.Background())
	enqueue(t, st, "test:kept", "k@example.org", "Kept", "Body")
	s.Wake("test:kept")
	for range 3 {
		select {
		case <-jobs:
		case <-time.After(5 * time.Second):
			t.Fatal("the jobs did not run")
		}
	}
	s.Stop()
	m, _ := st.MessageByID(context.Background(), "test:kept")
	if m.State != store.MessageQueued || m.Attempts != 0 {
		t.Fatalf("without SMTP: %+v", m)
	}
	list, total, err := st.Messages(context.Background(), store.MessageQueued, 10)
	if err != nil || total != 1 || len(list) != 1 || list[0].ID != "test:kept" {
		t.Fatalf("queued list: %v %d %v", list, total, err)
	}
}

// Senders that claim one message at once: one of them gets it.
func TestOneClaimWins(t *testing.T) {
	st := testdb.Open(t)
	for round := range 5 {
		key := "test:race:" + string(rune('a'+round))
		enqueue(t, st, key, "race@example.org", "Race", "Body")
		now := time.Now()
		wins := make(chan bool, 8)
		for range 8 {
			go func() {
				m, err := st.ClaimMessage(context.Background(), key, now, time.Minute)
				if err != nil {
					t.Error(err)
				}
				wins <- m != nil
			}()
		}
		n := 0
		for range 8 {
			if <-wins {
				n++
			}
		}
		if n != 1 {
			t.Fatalf("round %d: %d claims won, want 1", round, n)
		}
	}
}

// Messages queued at once are inserted together; each learns its own
// outcome, and a key queued twice at once is queued once.
func TestQueuedTogetherEachOnce(t *testing.T) {
	st := testdb.Open(t)
	type res struct {
		key string
		ok  bool
	}
	out := make(chan res, 32)
	for i := range 32 {
		key := "test:together:" + string(rune('a'+i%8))
		go func() {
			ok, err := st.EnqueueMessage(context.Background(), &store.Message{ID: key, To: "t@example.org", Subject: key})
			if err != nil {
				t.Error(err)
			}
			out <- res{key, ok}
		}()
	}
	queued := map[string]int{}
	for range 32 {
		r := <-out
		if r.ok {
			queued[r.key]++
		}
	}
	if len(queued) != 8 {
		t.Fatalf("keys queued: %v, want 8 keys once each", queued)
	}
	for k, n := range queued {
		if n != 1 {
			t.Fatalf("%s reported queued %d times", k, n)
		}
	}
	_, total, err := st.Messages(context.Background(), "", 100)
	if err != nil || total != 8 {
		t.Fatalf("the outbox holds %d messages (%v), want 8", total, err)
	}
}

// A message announced by Wake goes without waiting for the next scan.
func TestWakeSendsWithoutAScan(t *testing.T) {
	st := testdb.Open(t)
	srv := mailtest.Start(t, 0)
	o := fast(st, srv)
	o.ScanEvery = time.Hour
	s := mail.NewSender(o)
	s.Start(context.Background())
	defer s.Stop()
	time.Sleep(50 * time.Millisecond) // the first scan has run and found nothing
	enqueue(t, st, "test:woken", "w@example.org", "Woken", "Body")
	s.Wake("test:woken")
	srv.Wait(t, 1, 5*time.Second)
}
