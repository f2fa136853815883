package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"time"

	"github.com/gin-gonic/gin"

	"cocreate/internal/apperr"
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

// idempotent makes a state-changing POST answer a repeat (same caller, route
// and key) with the first answer, also when the repeat arrives while the first
// is still being answered: a double click, a retry or a second tab.
// Only answers that did something (2xx and 3xx) are kept: after a refusal
// (4xx) or a failure (5xx, panic) nothing changed, so the claim is released
// and a corrected or retried request with the same key runs again. A key
// reused for a different request is refused rather than answered with
// another request's result.
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
	for deadline := time.Now().Add(15 * time.Second); ; {
		rec, claimed, err := h.store.ClaimIdempotency(ctx, id, fp, h.now().UTC())
		switch {
		case errors.Is(err, apperr.ErrNotFound):
			// Released between our insert and read: claim again.
		case err != nil:
			h.fail(c, err)
			return
		case claimed:
			h.answerOnce(c, id, fp)
			return
		case rec.Fingerprint != fp:
			h.keyReused(c)
			return
		case !rec.Pending:
			replay(c, rec)
			return
		}
		if time.Now().After(deadline) {
			apiFail(c, http.StatusConflict, "in_progress", "The same request is still being processed; try again shortly.")
			return
		}
		select {
		case <-ctx.Done():
			c.Abort()
			return
		case <-time.After(25 * time.Millisecond):
		}
	}
}

// answerOnce runs the handler for a claimed key and keeps or releases the claim.
func (h *Handler) answerOnce(c *gin.Context, id, fp string) {
	cw := &captureWriter{ResponseWriter: c.Writer}
	c.Writer = cw
	bg := context.WithoutCancel(c.Request.Context())
	kept := false
	// Deferred so that a panic (recovered further out) releases the claim too.
	defer func() {
		if !kept {
			_ = h.store.ReleaseIdempotency(bg, id)
		}
	}()
	c.Next()
	status := cw.Status()
	if status < 200 || status >= 400 {
		return
	}
	if err := h.store.CompleteIdempotency(bg, store.IdemRecord{ID: id, Fingerprint: fp, Status: status,
		ContentType: cw.Header().Get("Content-Type"), Location: cw.Header().Get("Location"),
		Body: cw.buf.Bytes(), CreatedAt: h.now().UTC()}); err != nil {
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
