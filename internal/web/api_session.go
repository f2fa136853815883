package web

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"cocreate/internal/store"
)

func itoa(n int) string { return strconv.Itoa(n) }

// userJSON is the api.md `user` object.
type userJSON struct {
	ID           string   `json:"id"`
	Email        string   `json:"email"`
	Name         string   `json:"name"`
	Organization string   `json:"organization"`
	Sector       string   `json:"sector"`
	District     string   `json:"district"`
	Phone        string   `json:"phone,omitempty"`
	Roles        []string `json:"roles"`
	Disabled     bool     `json:"disabled"`
	CreatedAt    string   `json:"created_at"`
	// EmailVerified: the address is proved; PendingEmail: the address a
	// change waits to move to until its link is opened.
	EmailVerified bool   `json:"email_verified"`
	PendingEmail  string `json:"pending_email,omitempty"`
}

func toUserJSON(u *store.User) userJSON {
	return userJSON{ID: u.ID, Email: u.Email, Name: u.Name, Organization: u.Organization, Sector: u.Sector,
		District: u.District, Phone: u.Phone, Roles: u.Roles, Disabled: u.Disabled,
		CreatedAt: u.CreatedAt.UTC().Format("2006-01-02T15:04:05Z"), EmailVerified: u.EmailVerified(), PendingEmail: u.PendingEmail}
}

type loginBody struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

// apiLogin returns a bearer token.
func (h *Handler) apiLogin(c *gin.Context) {
	var b loginBody
	if !h.bindJSON(c, &b) {
		return
	}
	if b.Email == "" || b.Password == "" {
		h.fail(c, fieldErrs("email", "Enter your e-mail address and password", "password", "Enter your e-mail address and password"))
		return
	}
	u, err := h.app.SignIn(c.Request.Context(), b.Email, b.Password, h.clientAddr(c.Request))
	if err != nil {
		h.fail(c, err)
		return
	}
	token, _, err := h.sessions.Issue(c.Request.Context(), u, "token")
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"token": token, "user": toUserJSON(u)})
}

// apiLogout revokes the token (or the session) used for this request.
func (h *Handler) apiLogout(c *gin.Context) {
	if err := h.sessions.Revoke(c.Request.Context(), c.GetString(ctxSecret)); err != nil {
		h.fail(c, err)
		return
	}
	if !c.GetBool(ctxBearer) {
		h.clearSessionCookie(c)
	}
	c.Status(http.StatusNoContent)
}

func (h *Handler) apiMe(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"user": toUserJSON(currentUser(c))})
}
