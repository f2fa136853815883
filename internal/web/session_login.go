package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"cocreate/internal/app"
	"cocreate/internal/apperr"
	"cocreate/internal/store"
)

type loginPage struct {
	Layout
	Email  string
	Next   string
	Errors map[string]string
	Error  string
}

func (h *Handler) loginPage(c *gin.Context) {
	if currentUser(c) != nil {
		redirect(c, safeNext(c.DefaultQuery("next", "/")))
		return
	}
	h.render(c, http.StatusOK, "login", &loginPage{Layout: Layout{Title: "Sign in"}, Next: safeNext(c.DefaultQuery("next", "/"))})
}

// loginSubmit signs in through the page: a new session id every time.
func (h *Handler) loginSubmit(c *gin.Context) {
	email, pw := strings.TrimSpace(c.PostForm("email")), c.PostForm("password")
	next := safeNext(c.DefaultPostForm("next", "/"))
	p := &loginPage{Layout: Layout{Title: "Sign in"}, Email: email, Next: next, Errors: map[string]string{}}
	if email == "" {
		p.Errors["email"] = "Enter your e-mail address"
	}
	if pw == "" {
		p.Errors["password"] = "Enter your password"
	}
	if len(p.Errors) > 0 {
		p.Title = "Error: Sign in"
		h.render(c, http.StatusUnprocessableEntity, "login", p)
		return
	}
	u, err := h.app.SignIn(c.Request.Context(), email, pw, h.clientAddr(c.Request))
	var th *app.ErrThrottled
	switch {
	case errors.As(err, &th):
		c.Header("Retry-After", itoa(int(th.RetryAfter.Seconds())+1))
		p.Error = th.Error()
		p.Title = "Error: Sign in"
		h.render(c, http.StatusTooManyRequests, "login", p)
		return
	case errors.Is(err, apperr.ErrUnauthenticated):
		p.Error = "The e-mail address or password is not right."
		p.Title = "Error: Sign in"
		h.render(c, http.StatusUnauthorized, "login", p)
		return
	case err != nil:
		h.fail(c, err)
		return
	}
	if err := h.startSession(c, u); err != nil {
		h.fail(c, err)
		return
	}
	h.flash(c, "You are signed in as "+u.Name+".")
	redirect(c, next)
}

// startSession gives the browser a new session for u and revokes the one it
// had: a new session id at every sign-in, so none can be fixed in advance.
func (h *Handler) startSession(c *gin.Context, u *store.User) error {
	if old := c.GetString(ctxSecret); old != "" {
		_ = h.sessions.Revoke(c.Request.Context(), old)
	}
	secret, _, err := h.sessions.Issue(c.Request.Context(), u, "cookie")
	if err != nil {
		return err
	}
	h.setSessionCookie(c, secret)
	return nil
}

func (h *Handler) logoutSubmit(c *gin.Context) {
	if s := c.GetString(ctxSecret); s != "" {
		if err := h.sessions.Revoke(c.Request.Context(), s); err != nil {
			h.fail(c, err)
			return
		}
	}
	h.clearSessionCookie(c)
	h.flash(c, "You are signed out.")
	redirect(c, "/")
}
