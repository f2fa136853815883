package web

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"cocreate/internal/app"
	"cocreate/internal/apperr"
)

type registerPage struct {
	Layout
	Form   app.Registration
	Errors map[string]string
	Next   string // where the new account goes once made (safeNext), kept through errors
}

func fieldErrs(kv ...string) apperr.Fields {
	f := apperr.Fields{}
	for i := 0; i+1 < len(kv); i += 2 {
		f[kv[i]] = kv[i+1]
	}
	return f
}

func (h *Handler) registerPage(c *gin.Context) {
	h.render(c, http.StatusOK, "register", &registerPage{Layout: Layout{Title: "Create an account"},
		Next: safeNext(c.DefaultQuery("next", "/"))})
}

func registrationFromForm(c *gin.Context) app.Registration {
	return app.Registration{Email: c.PostForm("email"), Password: c.PostForm("password"), Name: c.PostForm("name"),
		Organization: c.PostForm("organization"), Sector: c.PostForm("sector"), District: c.PostForm("district"),
		Phone: c.PostForm("phone")}
}

func (h *Handler) registerSubmit(c *gin.Context) {
	r := registrationFromForm(c)
	next := safeNext(c.DefaultPostForm("next", "/"))
	u, err := h.app.Register(c.Request.Context(), r)
	if err != nil {
		var fe apperr.Fields
		var con *apperr.Conflict
		p := &registerPage{Layout: Layout{Title: "Error: Create an account"}, Form: r, Next: next}
		p.Form.Password = ""
		switch {
		case errors.As(err, &fe):
			p.Errors = fe
			h.render(c, http.StatusUnprocessableEntity, "register", p)
		case errors.As(err, &con):
			p.Errors = map[string]string{"email": "An account with this e-mail address already exists: sign in instead"}
			h.render(c, http.StatusConflict, "register", p)
		default:
			h.fail(c, err)
		}
		return
	}
	// The browser now belongs to the new account: end any session it had.
	if err := h.startSession(c, u); err != nil {
		h.fail(c, err)
		return
	}
	h.flash(c, "Your account is ready. Welcome, "+u.Name+". We sent a link to "+u.Email+": open it to confirm your e-mail address.")
	redirect(c, next)
}

func (h *Handler) apiRegister(c *gin.Context) {
	var r app.Registration
	if !h.bindJSON(c, &r) {
		return
	}
	u, err := h.app.Register(c.Request.Context(), r)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, gin.H{"user": toUserJSON(u)})
}
