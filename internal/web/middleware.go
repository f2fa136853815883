package web

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"runtime/debug"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"cocreate/internal/apperr"
	"cocreate/internal/auth"
	"cocreate/internal/store"
)

const (
	sessionCookie = "cocreate_session"
	ctxUser       = "user"
	ctxSession    = "session"
	ctxSecret     = "secret"
	ctxBearer     = "bearer"
	ctxReqID      = "request_id"
)

func requestID(c *gin.Context) string { return c.GetString(ctxReqID) }

// currentUser is the signed-in user, or nil.
func currentUser(c *gin.Context) *store.User {
	if u, ok := c.Get(ctxUser); ok {
		return u.(*store.User)
	}
	return nil
}

func currentSession(c *gin.Context) *store.Session {
	if s, ok := c.Get(ctxSession); ok {
		return s.(*store.Session)
	}
	return nil
}

// withRequestID gives every request an id that logs, error pages and API errors show.
func (h *Handler) withRequestID(c *gin.Context) {
	id := auth.NewSecret()[:16]
	c.Set(ctxReqID, id)
	c.Header("X-Request-Id", id)
	c.Next()
}

// statusClientClosed is the status logged and counted for a request whose
// client went away before it was answered (nginx's 499 "client closed
// request"): not a server fault, whatever the handler made of it.
const statusClientClosed = 499

// clientGone reports whether the client closed the request (the server
// cancels its context when the connection goes).
func clientGone(c *gin.Context) bool { return errors.Is(c.Request.Context().Err(), context.Canceled) }

// cancelled ends a request whose client has gone, with nothing to read.
func (h *Handler) cancelled(c *gin.Context) { c.AbortWithStatus(statusClientClosed) }

// logRequests writes one line per request; it never logs credentials or query strings.
// A request whose client left is logged as "request cancelled" with status
// 499, and counted so in the metrics, beside what the handler answered.
func (h *Handler) logRequests(c *gin.Context) {
	start := time.Now()
	c.Next()
	route := c.FullPath()
	if route == "" {
		route = "unmatched"
	}
	d := time.Since(start)
	status, msg := c.Writer.Status(), "request"
	gone := clientGone(c)
	if gone {
		status, msg = statusClientClosed, "request cancelled"
	} else if isWrite(c.Request.Method) && status < 400 {
		h.space.wrote() // a write went through: the disk has room again
	}
	h.metrics.observe(route, c.Request.Method, status, d)
	if route == "/healthz" || route == "/readyz" || route == "/metrics" || strings.HasPrefix(route, "/static/") {
		return
	}
	attrs := []any{"request_id", requestID(c), "method", c.Request.Method, "route", route,
		"status", status, "duration_ms", float64(d.Microseconds()) / 1000, "bytes", c.Writer.Size()}
	if gone {
		attrs = append(attrs, "answered", c.Writer.Status())
	}
	if u := currentUser(c); u != nil {
		attrs = append(attrs, "user_id", u.ID)
	}
	h.log.Info(msg, attrs...)
}

// isWrite reports whether method changes state.
func isWrite(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return false
	}
	return true
}

// recoverPanics turns a panic into a clean 500 with the request id only.
func (h *Handler) recoverPanics(c *gin.Context) {
	defer func() {
		if r := recover(); r != nil {
			if e, ok := r.(error); ok && errors.Is(e, http.ErrAbortHandler) {
				panic(r)
			}
			h.log.Error("panic", "request_id", requestID(c), "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			if c.Writer.Written() {
				c.Abort()
				return
			}
			h.fail(c, fmt.Errorf("panic: %v", r))
		}
	}()
	c.Next()
}

// securityHeaders sets the headers every answer carries.
func securityHeaders(c *gin.Context) {
	hd := c.Writer.Header()
	hd.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "+
		"font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; object-src 'none'; frame-ancestors 'none'")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("X-Frame-Options", "DENY")
	hd.Set("Referrer-Policy", "same-origin")
	hd.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
	c.Next()
}

// clientAddr is the caller's address, believing X-Forwarded-For only from trusted proxies.
func (h *Handler) clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	if h.trusted(host) {
		if xff := r.Header.Get("X-Forwarded-For"); xff != "" {
			parts := strings.Split(xff, ",")
			return strings.TrimSpace(parts[len(parts)-1])
		}
	}
	return host
}

func (h *Handler) trusted(host string) bool {
	a, err := netip.ParseAddr(host)
	if err != nil {
		return false
	}
	for _, p := range h.proxies {
		if p.Contains(a.Unmap()) {
			return true
		}
	}
	return false
}

// secure reports whether the request came over TLS (directly or via a trusted proxy).
func (h *Handler) secure(r *http.Request) bool {
	if r.TLS != nil {
		return true
	}
	host, _, _ := net.SplitHostPort(r.RemoteAddr)
	return h.trusted(host) && strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https")
}

// authenticate resolves a bearer token or session cookie into the current user.
func (h *Handler) authenticate(c *gin.Context) {
	if ah := c.GetHeader("Authorization"); ah != "" {
		secret, ok := strings.CutPrefix(ah, "Bearer ")
		if !ok {
			h.fail(c, fmt.Errorf("%w: malformed Authorization header", apperr.ErrUnauthenticated))
			return
		}
		u, sess, err := h.sessions.Resolve(c.Request.Context(), strings.TrimSpace(secret))
		if err != nil {
			h.fail(c, err)
			return
		}
		c.Set(ctxUser, u)
		c.Set(ctxSession, sess)
		c.Set(ctxSecret, strings.TrimSpace(secret))
		c.Set(ctxBearer, true)
		c.Next()
		return
	}
	if ck, err := c.Cookie(sessionCookie); err == nil && ck != "" {
		u, sess, err := h.sessions.Resolve(c.Request.Context(), ck)
		switch {
		case err == nil:
			c.Set(ctxUser, u)
			c.Set(ctxSession, sess)
			c.Set(ctxSecret, ck)
		case errors.Is(err, apperr.ErrUnauthenticated):
			h.clearSessionCookie(c)
		default:
			h.fail(c, err)
			return
		}
	}
	c.Next()
}

func (h *Handler) setSessionCookie(c *gin.Context, secret string) {
	http.SetCookie(c.Writer, &http.Cookie{Name: sessionCookie, Value: secret, Path: "/", HttpOnly: true,
		Secure: h.secure(c.Request), SameSite: http.SameSiteLaxMode, MaxAge: int(auth.AbsoluteTimeout.Seconds())})
}

func (h *Handler) clearSessionCookie(c *gin.Context) {
	http.SetCookie(c.Writer, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", HttpOnly: true,
		Secure: h.secure(c.Request), SameSite: http.SameSiteLaxMode, MaxAge: -1})
}

// checkCSRF refuses a cookie-authenticated request that changes state without
// the session's token (form field csrf_token or header X-CSRF-Token).
// Bearer requests need none; anonymous forms are covered by cross-origin protection.
func (h *Handler) checkCSRF(c *gin.Context) {
	switch c.Request.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		c.Next()
		return
	}
	sess := currentSession(c)
	if sess == nil || c.GetBool(ctxBearer) {
		c.Next()
		return
	}
	tok := c.GetHeader("X-CSRF-Token")
	if tok == "" && !isAPI(c) {
		tok = c.PostForm("csrf_token")
	}
	if tok == "" || subtle.ConstantTimeCompare([]byte(tok), []byte(sess.CSRF)) != 1 {
		h.log.Warn("csrf refused", "request_id", requestID(c), "route", c.FullPath())
		if isAPI(c) {
			apiFail(c, 403, "csrf_failed", "The security token is missing or out of date. Reload the page and try again.")
			return
		}
		h.renderError(c, 403, "This form has expired or did not come from this site. Go back, reload the page and try again.")
		c.Abort()
		return
	}
	c.Next()
}

// checkFormText refuses a posted form whose names or values are not valid
// UTF-8. Browsers always send UTF-8, so such a form comes from a crafted
// request; storing it would put bytes in the database that no page shows
// as they were sent.
func (h *Handler) checkFormText(c *gin.Context) {
	mt, _, _ := strings.Cut(c.GetHeader("Content-Type"), ";")
	if c.Request.Method != http.MethodPost || strings.TrimSpace(mt) != "application/x-www-form-urlencoded" {
		c.Next()
		return
	}
	if err := c.Request.ParseForm(); err != nil {
		h.fail(c, badRequest("The form could not be read."))
		c.Abort()
		return
	}
	for k, vs := range c.Request.PostForm {
		ok := utf8.ValidString(k)
		for _, v := range vs {
			ok = ok && utf8.ValidString(v)
		}
		if !ok {
			h.fail(c, badRequest("The form has text that is not valid UTF-8: send it again from the page."))
			c.Abort()
			return
		}
	}
	c.Next()
}
