package web

import (
	"bytes"
	"context"
	"net/http"
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
func (h *Handler) idempotent(c *gin.Context) {
	key := idempotencyKey(c)
	if key == "" || c.Request.Method != http.MethodPost {
		c.Next()
		return
	}
	if len(key) > 200 {
		h.fail(c, badRequest("Idempotency-Key must be at most 200 characters"))
		return
	}
	caller := "anon:" + h.clientAddr(c.Request)
	if u := currentUser(c); u != nil {
		caller = u.ID
	}
	id := caller + "|" + c.Request.URL.Path + "|" + key
	ctx := c.Request.Context()
	rec, claimed, err := h.store.ClaimIdempotency(ctx, id, h.now().UTC())
	if err != nil {
		h.fail(c, err)
		return
	}
	if !claimed {
		for deadline := time.Now().Add(15 * time.Second); rec.Pending && time.Now().Before(deadline); {
			select {
			case <-ctx.Done():
				return
			case <-time.After(25 * time.Millisecond):
			}
			if rec, err = h.store.IdempotencyRecord(ctx, id); err != nil {
				h.fail(c, err)
				return
			}
		}
		if rec.Pending {
			apiFail(c, 409, "in_progress", "The same request is still being processed; try again shortly.")
			return
		}
		replay(c, rec)
		return
	}
	cw := &captureWriter{ResponseWriter: c.Writer}
	c.Writer = cw
	c.Next()
	status := cw.Status()
	bg := context.WithoutCancel(ctx)
	if status >= 500 || status == 401 || status == 429 {
		// Worth retrying: forget the claim.
		_ = h.store.ReleaseIdempotency(bg, id)
		return
	}
	_ = h.store.CompleteIdempotency(bg, store.IdemRecord{ID: id, Status: status,
		ContentType: cw.Header().Get("Content-Type"), Location: cw.Header().Get("Location"),
		Body: cw.buf.Bytes(), CreatedAt: h.now().UTC()})
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
