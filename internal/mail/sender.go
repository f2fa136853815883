package mail

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"cocreate/internal/store"
)

// DefaultBackoff is how long a message waits after its first, second, …
// failed attempt; the last wait repeats.
var DefaultBackoff = []time.Duration{time.Minute, 5 * time.Minute, 30 * time.Minute, time.Hour}

// Defaults of the sender's other settings.
const (
	DefaultMaxAttempts = 8
	DefaultLease       = 5 * time.Minute
	DefaultScanEvery   = 5 * time.Minute
	DefaultJobsEvery   = 15 * time.Minute
	DefaultSendTimeout = time.Minute
)

// Options configure a Sender.
type Options struct {
	Store *store.Store
	// Transport sends the messages; nil keeps them queued, unattempted,
	// for the outbox page (no SMTP server is configured). Jobs still run.
	Transport Transport
	From      string
	// Backoff is the wait after each failed attempt (DefaultBackoff when
	// empty); after MaxAttempts failures a message is failed.
	Backoff     []time.Duration
	MaxAttempts int
	// Lease is how long a claimed message is its sender's; a claim older
	// than that (its sender stopped mid-attempt) may be taken again.
	Lease time.Duration
	// ScanEvery is how often the outbox is read for due messages, beyond
	// the ones Wake announces (queued by another process, or left by a
	// previous one); JobsEvery how often Jobs runs.
	ScanEvery, JobsEvery time.Duration
	// SendTimeout bounds one attempt.
	SendTimeout time.Duration
	// Jobs queues what is due at now without a request to cause it:
	// reminders, and messages an operation may have failed to queue.
	Jobs func(ctx context.Context, now time.Time) error
	Now  func() time.Time
	Log  *slog.Logger
}

// Sender is the loop that sends the outbox. Its own queue of ids (from
// Wake and from the periodic scan) saves reading the outbox to find work:
// each message is then one claim by _id, one send, one write of the outcome.
type Sender struct {
	o      Options
	wake   chan struct{}
	mu     sync.Mutex
	due    map[string]time.Time // message id → when to attempt it
	cancel context.CancelFunc
	done   chan struct{}
}

// NewSender returns a sender with o's settings, defaults filled in.
func NewSender(o Options) *Sender {
	if len(o.Backoff) == 0 {
		o.Backoff = DefaultBackoff
	}
	if o.MaxAttempts < 1 {
		o.MaxAttempts = DefaultMaxAttempts
	}
	if o.Lease <= 0 {
		o.Lease = DefaultLease
	}
	if o.ScanEvery <= 0 {
		o.ScanEvery = DefaultScanEvery
	}
	if o.JobsEvery <= 0 {
		o.JobsEvery = DefaultJobsEvery
	}
	if o.SendTimeout <= 0 {
		o.SendTimeout = DefaultSendTimeout
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	return &Sender{o: o, wake: make(chan struct{}, 1), due: map[string]time.Time{}}
}

// Wake tells the sender message id was just queued, to be sent now.
func (s *Sender) Wake(id string) {
	if s.o.Transport == nil {
		return
	}
	s.mu.Lock()
	s.due[id] = time.Time{}
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Start runs the loop until Stop.
func (s *Sender) Start(ctx context.Context) {
	ctx, s.cancel = context.WithCancel(ctx)
	s.done = make(chan struct{})
	go s.run(ctx)
}

// Stop ends the loop and waits for it; an attempt under way finishes and
// its outcome is recorded.
func (s *Sender) Stop() {
	if s.cancel == nil {
		return
	}
	s.cancel()
	<-s.done
}

func (s *Sender) run(ctx context.Context) {
	defer close(s.done)
	var nextScan, nextJobs time.Time
	for {
		now := s.o.Now()
		if !now.Before(nextJobs) {
			if s.o.Jobs != nil {
				if err := s.o.Jobs(ctx, now); err != nil && ctx.Err() == nil {
					s.o.Log.Error("mail jobs", "err", err)
				}
			}
			nextJobs = now.Add(s.o.JobsEvery)
		}
		if s.o.Transport != nil && !now.Before(nextScan) {
			s.scan(ctx)
			nextScan = now.Add(s.o.ScanEvery)
		}
		for _, id := range s.takeDue(s.o.Now()) {
			if ctx.Err() != nil {
				return
			}
			s.attempt(ctx, id)
		}
		wait := time.Until(earliest(nextJobs, nextScan, s.nextDue(), s.o.Transport != nil))
		if wait < 0 {
			wait = 0
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-s.wake:
		case <-t.C:
		}
		t.Stop()
	}
}

func earliest(jobs, scan, due time.Time, sending bool) time.Time {
	t := jobs
	if sending {
		if scan.Before(t) {
			t = scan
		}
		if !due.IsZero() && due.Before(t) {
			t = due
		}
	}
	return t
}

// scan adds every queued message, and every claim whose sender may have
// stopped, to the sender's own queue.
func (s *Sender) scan(ctx context.Context) {
	list, err := s.o.Store.DueMessages(ctx)
	if err != nil {
		if ctx.Err() == nil {
			s.o.Log.Error("mail: read the outbox", "err", err)
		}
		return
	}
	s.mu.Lock()
	for _, m := range list {
		if at, ok := s.due[m.ID]; !ok || m.NextAt.Before(at) {
			s.due[m.ID] = m.NextAt
		}
	}
	s.mu.Unlock()
}

func (s *Sender) takeDue(now time.Time) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for id, at := range s.due {
		if !at.After(now) {
			out = append(out, id)
			delete(s.due, id)
		}
	}
	return out
}

// nextDue is when the earliest message of the queue is due (zero when none;
// a message due now is reported as a moment in the past).
func (s *Sender) nextDue() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	var t time.Time
	first := true
	for _, at := range s.due {
		if at.IsZero() {
			at = time.Unix(0, 1)
		}
		if first || at.Before(t) {
			t, first = at, false
		}
	}
	return t
}

// attempt claims message id, sends it and records the outcome. A message
// that is not due (sent, failed, waiting for its backoff, or claimed by
// another sender) is left alone: the scan brings it back when it is due.
func (s *Sender) attempt(ctx context.Context, id string) {
	now := s.o.Now()
	m, err := s.o.Store.ClaimMessage(ctx, id, now, s.o.Lease)
	if err != nil {
		if ctx.Err() == nil {
			s.o.Log.Error("mail: claim a message", "id", id, "err", err)
			s.requeue(id, now.Add(s.o.Backoff[0]))
		}
		return
	}
	if m == nil {
		return
	}
	// The attempt and its record run to their end even when Stop comes meanwhile.
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.o.SendTimeout)
	err = s.o.Transport.Send(sctx, Envelope{From: s.o.From, To: m.To, Subject: m.Subject, Body: m.Body, Key: m.ID})
	cancel()
	at := s.o.Now()
	out := store.MessageOutcome{At: at, Sent: err == nil}
	if err != nil {
		out.Error = err.Error()
		if m.Attempts+1 < s.o.MaxAttempts {
			out.Retry = at.Add(s.backoff(m.Attempts))
		}
	}
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	ok, ferr := s.o.Store.FinishMessage(fctx, m, out)
	switch {
	case ferr != nil:
		// The claim's lease brings the message back; if it was sent, it may
		// go twice (same Message-ID).
		s.o.Log.Error("mail: record an attempt", "id", id, "sent", out.Sent, "err", ferr)
		s.requeue(id, m.NextAt)
	case !ok:
		s.o.Log.Warn("mail: the claim on a message was taken over before its attempt was recorded", "id", id)
	case out.Sent:
		s.o.Log.Info("mail sent", "id", id, "attempt", m.Attempts+1)
	case !out.Retry.IsZero():
		s.o.Log.Warn("mail attempt failed", "id", id, "attempt", m.Attempts+1, "retry_at", out.Retry, "err", err)
		s.requeue(id, out.Retry)
	default:
		s.o.Log.Error("mail failed", "id", id, "attempts", m.Attempts+1, "err", err)
	}
}

func (s *Sender) requeue(id string, at time.Time) {
	s.mu.Lock()
	s.due[id] = at
	s.mu.Unlock()
}

// backoff is the wait after the attempt that made done+1 failed attempts.
func (s *Sender) backoff(done int) time.Duration {
	if done >= len(s.o.Backoff) {
		return s.o.Backoff[len(s.o.Backoff)-1]
	}
	return s.o.Backoff[done]
}
