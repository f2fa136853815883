package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"sort"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"cocreate/internal/store"
)

// captureWriter keeps a copy of what a handler writes so it can be replayed.
type captureWriter struct {
	gin.ResponseWriter
	buf bytes.Buffer
}

func (w *captureWriter) Write(b []byte) (int, error) {
	w.buf.Write(b)
	return w.ResponseWriter.Write(b)
}

func (w *captureWriter) WriteString(s string) (int, error) {
	w.buf.WriteString(s)
	return w.ResponseWriter.WriteString(s)
}

// neverReplayed are POST routes whose answer must not be stored: signing in
// returns a fresh secret (a bearer token or a session cookie), and a stored
// copy would hand a usable credential to whoever repeats the key.
var neverReplayed = map[string]bool{"/login": true, "/api/v1/login": true}

// idempotencyKey is the caller's key for this request: the API's
// Idempotency-Key header, or a page form's form_token field.
func idempotencyKey(c *gin.Context) string {
	if k := c.GetHeader("Idempotency-Key"); k != "" {
		return k
	}
	if !isAPI(c) {
		return c.PostForm("form_token")
	}
	return ""
}

// claimLease is how long a keyed request may be answered: its handler's
// context ends then (writes that started under the store's lock still
// finish), and on MongoDB another process takes over a claim older than
// this. It matches the server's write timeout, after which no answer
// reaches the client anyway.
const claimLease = 2 * time.Minute

// inProgressWait is how long a repeat waits for the first request with its
// key before it is answered 409 in_progress.
const inProgressWait = 15 * time.Second

// keyRuns are the idempotency keys this process is answering now. It is
// the truth about which requests are still running here: a stored claim
// outlives a process that stopped, this does not.
type keyRuns struct {
	mu   sync.Mutex
	runs map[string]*keyRun
	once sync.Once
	boot string
}

// keyRun is one request answering a key; done closes when it has ended.
type keyRun struct {
	fp   string
	done chan struct{}
}

// bootID names this process in the claims it stores (random, drawn once).
func (k *keyRuns) bootID() string {
	k.once.Do(func() { k.boot = store.NewID() })
	return k.boot
}

// take holds id for a request with fingerprint fp, or returns the run
// that holds it already.
func (k *keyRuns) take(id, fp string) (*keyRun, bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if r, ok := k.runs[id]; ok {
		return r, false
	}
	if k.runs == nil {
		k.runs = map[string]*keyRun{}
	}
	r := &keyRun{fp: fp, done: make(chan struct{})}
	k.runs[id] = r
	return r, true
}

// drop ends run r on id and wakes its waiters.
func (k *keyRuns) drop(id string, r *keyRun) {
	k.mu.Lock()
	delete(k.runs, id)
	k.mu.Unlock()
	close(r.done)
}

// storeAnswer stores rec with the other first answers of keyed requests
// that finish while an earlier batch is being stored (batch.Batcher:
// store.CompleteIdempotencyBatch, one commit on the embedded engine), and
// returns when rec is stored.
func (h *Handler) storeAnswer(rec store.IdemRecord) error { return h.answers.Do(rec) }

// storeAnswers stores one batch of first answers.
func (h *Handler) storeAnswers(recs []store.IdemRecord) []error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return h.app.CompleteIdempotencyBatch(ctx, recs)
}

// requestDigest names one keyed request (its record id and fingerprint) in
// what it changes: the history entries it appends and the id of a draft it
// creates (store/replay.go). 24 hexadecimal digits, the form of an object id.
func requestDigest(id, fp string) string {
	sum := sha256.Sum256([]byte(id + "\n" + fp))
	return hex.EncodeToString(sum[:12])
}

// idempotent makes a state-changing POST answer a repeat (same caller, route
// and key) with the first answer, also when the repeat arrives while the first
// is still being answered: a double click, a retry or a second tab.
// Only answers that did something (2xx and 3xx) are kept. After a refusal
// or a failure the claim is released and a retry runs again; so does a
// retry whose first attempt was cut short (a crash, a client that gave up,
// an answer that could not be stored). A retry that runs again answers as
// the first attempt would have, because what the first attempt changed
// names the request (requestDigest). A key reused for a different request
// is refused rather than answered with another request's result.
func (h *Handler) idempotent(c *gin.Context) {
	if c.Request.Method != http.MethodPost || neverReplayed[c.FullPath()] {
		c.Next()
		return
	}
	key := idempotencyKey(c)
	if key == "" {
		c.Next()
		return
	}
	if len(key) > 200 {
		h.fail(c, badRequest("Idempotency-Key must be at most 200 characters."))
		return
	}
	fp, err := fingerprint(c)
	if err != nil {
		h.fail(c, badRequest("The body could not be read."))
		return
	}
	caller := "anon:" + h.clientAddr(c.Request)
	if u := currentUser(c); u != nil {
		caller = u.ID
	}
	id := caller + "|" + c.Request.URL.Path + "|" + key
	ctx := c.Request.Context()
	deadline := time.Now().Add(inProgressWait)
	for {
		run, mine := h.keys.take(id, fp)
		if !mine {
			// This process is answering the key now: wait for that answer.
			if run.fp != fp {
				h.keyReused(c)
				return
			}
			if !h.waitRepeat(c, run.done, deadline) {
				return
			}
			continue
		}
		token := store.NewID()
		rec, claimed, err := h.app.ClaimIdempotency(ctx, store.IdemClaim{ID: id, Fingerprint: fp,
			Boot: h.keys.bootID(), Token: token, Now: h.now().UTC(), Lease: claimLease})
		if claimed {
			h.answerOnce(c, id, fp, token, run)
			return
		}
		h.keys.drop(id, run)
		switch {
		case err != nil:
			h.fail(c, err)
			return
		case rec.Fingerprint != fp:
			h.keyReused(c)
			return
		case !rec.Pending:
			replay(c, rec)
			return
		}
		// Another process holds the claim and may still be answering it.
		tick := make(chan struct{})
		t := time.AfterFunc(25*time.Millisecond, func() { close(tick) })
		ok := h.waitRepeat(c, tick, deadline)
		t.Stop()
		if !ok {
			return
		}
	}
}

// waitRepeat waits until ready for a repeat of a request being answered:
// false (and the request answered) when the client left or the wait
// exceeded deadline.
func (h *Handler) waitRepeat(c *gin.Context, ready <-chan struct{}, deadline time.Time) bool {
	left := time.Until(deadline)
	if left <= 0 {
		h.inProgress(c)
		return false
	}
	t := time.NewTimer(left)
	defer t.Stop()
	select {
	case <-ready:
		return true
	case <-c.Request.Context().Done():
		h.cancelled(c)
		return false
	case <-t.C:
		h.inProgress(c)
		return false
	}
}

// inProgress answers a repeat whose first request is still being answered.
func (h *Handler) inProgress(c *gin.Context) {
	if isAPI(c) {
		apiFail(c, http.StatusConflict, "in_progress", "The same request is still being processed; try again shortly.")
		return
	}
	h.renderError(c, http.StatusConflict, "This form is still being sent. Wait a moment, then reload the page to see whether it arrived.")
	c.Abort()
}

// answerOnce runs the handler for a claimed key and keeps or releases the
// claim. The handler runs on a context that names the request (for
// replay.go) and ends after claimLease.
func (h *Handler) answerOnce(c *gin.Context, id, fp, token string, run *keyRun) {
	cw := &captureWriter{ResponseWriter: c.Writer}
	c.Writer = cw
	parent := c.Request.Context()
	ctx, cancel := context.WithTimeout(store.WithRequest(parent, requestDigest(id, fp)), claimLease)
	c.Request = c.Request.WithContext(ctx)
	bg := context.WithoutCancel(ctx)
	kept := false
	// Deferred so that a panic (recovered further out) releases the claim too.
	defer func() {
		cancel()
		c.Request = c.Request.WithContext(parent)
		if !kept {
			if err := h.app.ReleaseIdempotency(bg, id, token); err != nil {
				h.log.Warn("release idempotency claim", "request_id", requestID(c), "err", err)
			}
		}
		h.keys.drop(id, run)
	}()
	c.Next()
	status := cw.Status()
	if status < 200 || status >= 400 {
		return
	}
	// Kept even when the client has left: its retry gets this answer.
	if err := h.storeAnswer(store.IdemRecord{ID: id, Fingerprint: fp, Status: status,
		ContentType: cw.Header().Get("Content-Type"), Location: cw.Header().Get("Location"),
		Body: cw.buf.Bytes(), CreatedAt: h.now().UTC(), Token: token}); err != nil {
		h.log.Warn("store idempotent answer", "request_id", requestID(c), "err", err)
		return
	}
	kept = true
}

func (h *Handler) keyReused(c *gin.Context) {
	if isAPI(c) {
		apiFail(c, http.StatusUnprocessableEntity, "idempotency_key_reused",
			"This Idempotency-Key was already used for a different request. Use a new key for a new request.")
		return
	}
	h.renderError(c, http.StatusConflict, "This form was already sent with other answers. Go back, reload the page and try again.")
	c.Abort()
}

// fingerprint hashes what makes a request this request: its route and its
// body (form values and file names and sizes for forms, the bytes otherwise).
// The body is put back for the handler.
func fingerprint(c *gin.Context) (string, error) {
	h := sha256.New()
	fmt.Fprintf(h, "%s %s\n", c.Request.Method, c.Request.URL.Path)
	switch c.ContentType() {
	case "application/x-www-form-urlencoded", "multipart/form-data":
		c.PostForm("") // parses the form once; handlers read the parsed copy
		io.WriteString(h, c.Request.PostForm.Encode())
		if mf := c.Request.MultipartForm; mf != nil {
			names := make([]string, 0, len(mf.File))
			for n := range mf.File {
				names = append(names, n)
			}
			sort.Strings(names)
			for _, n := range names {
				for _, f := range mf.File[n] {
					fmt.Fprintf(h, "\n%s=%s:%d", n, f.Filename, f.Size)
				}
			}
		}
	default:
		if c.Request.Body == nil {
			break
		}
		// JSON bodies are at most 1 MiB; read one byte more so the handler
		// still sees an oversized body and answers 413.
		head, err := io.ReadAll(io.LimitReader(c.Request.Body, maxJSONBody+1))
		if err != nil {
			return "", err
		}
		h.Write(head)
		c.Request.Body = struct {
			io.Reader
			io.Closer
		}{io.MultiReader(bytes.NewReader(head), c.Request.Body), c.Request.Body}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func replay(c *gin.Context, rec *store.IdemRecord) {
	c.Header("Idempotent-Replay", "true")
	if rec.Location != "" {
		c.Header("Location", rec.Location)
	}
	ct := rec.ContentType
	if ct == "" {
		ct = "text/plain; charset=utf-8"
	}
	c.Data(rec.Status, ct, rec.Body)
	c.Abort()
}
