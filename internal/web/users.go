package web

import (
	"errors"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"cocreate/internal/app"
	"cocreate/internal/apperr"
	"cocreate/internal/enum"
	"cocreate/internal/store"
)

type usersPage struct {
	Layout
	Users   []*store.User
	Role    string
	Q       string            // the search as typed
	Errors  map[string]string // "q" when the search cannot be run
	Total   int64
	Page    int
	PerPage int
	From    int
	To      int
	More    bool
}

func (h *Handler) usersPage(c *gin.Context) {
	page, per, err := pageParams(c)
	if err != nil {
		h.fail(c, err)
		return
	}
	role := c.Query("role")
	if role != "" && !enum.Roles.Has(role) {
		role = ""
	}
	q := c.Query("q")
	p := &usersPage{Layout: Layout{Title: "People and roles"}, Role: role, Q: q, Page: page, PerPage: per}
	list, total, err := h.app.SearchUsers(c.Request.Context(), role, q, page, per)
	if errs, ok := formErrors(err); ok {
		p.Title, p.Errors = "Error: People and roles", errs
		if !utf8.ValidString(q) {
			p.Q = strings.ToValidUTF8(q, "")
		}
		h.render(c, http.StatusUnprocessableEntity, "users", p)
		return
	}
	if err != nil {
		h.fail(c, err)
		return
	}
	p.Users, p.Total = list, total
	if len(list) > 0 {
		p.From = (page-1)*per + 1
		p.To = p.From + len(list) - 1
		p.More = int64(p.To) < total
	}
	h.render(c, http.StatusOK, "users", p)
}

type userFormPage struct {
	Layout
	Edit   *store.User
	Form   app.NewMember
	Errors map[string]string
}

func (h *Handler) userNewPage(c *gin.Context) {
	h.render(c, http.StatusOK, "user_form", &userFormPage{Layout: Layout{Title: "Add a person"},
		Form: app.NewMember{Roles: []string{"reviewer"}, District: "belize"}})
}

func memberFromForm(c *gin.Context) app.NewMember {
	return app.NewMember{Email: c.PostForm("email"), Name: c.PostForm("name"), Organization: c.PostForm("organization"),
		Sector: c.PostForm("sector"), District: c.PostForm("district"), Roles: c.PostFormArray("roles"),
		Password: c.PostForm("password")}
}

func (h *Handler) userCreateSubmit(c *gin.Context) {
	m := memberFromForm(c)
	u, err := h.app.CreateMember(c.Request.Context(), m)
	if err != nil {
		p := &userFormPage{Layout: Layout{Title: "Error: Add a person"}, Form: m}
		p.Form.Password = ""
		if errs, ok := formErrors(err); ok {
			p.Errors = errs
			h.render(c, http.StatusUnprocessableEntity, "user_form", p)
			return
		}
		h.fail(c, err)
		return
	}
	h.flash(c, u.Name+" was added.")
	redirect(c, "/admin/users")
}

// formErrors extracts field messages from a validation or duplicate error.
func formErrors(err error) (map[string]string, bool) {
	var fe apperr.Fields
	var con *apperr.Conflict
	switch {
	case errors.As(err, &fe):
		return fe, true
	case errors.As(err, &con):
		if f, ok := con.Extra["fields"].(map[string]string); ok {
			return f, true
		}
	}
	return nil, false
}

func (h *Handler) userEditPage(c *gin.Context) {
	u, err := h.app.UserByID(c.Request.Context(), c.Param("id"))
	if err != nil {
		h.fail(c, err)
		return
	}
	h.render(c, http.StatusOK, "user_form", &userFormPage{Layout: Layout{Title: "Change " + u.Name}, Edit: u,
		Form: app.NewMember{Email: u.Email, Name: u.Name, Organization: u.Organization, Sector: u.Sector,
			District: u.District, Roles: u.Roles}})
}

func (h *Handler) userEditSubmit(c *gin.Context) {
	ctx := c.Request.Context()
	u, err := h.app.UserByID(ctx, c.Param("id"))
	if err != nil {
		h.fail(c, err)
		return
	}
	m := memberFromForm(c)
	disabled := c.PostForm("disabled") == "on"
	p := app.MemberPatch{Roles: &m.Roles, Name: &m.Name, Organization: &m.Organization, Sector: &m.Sector,
		District: &m.District, Disabled: &disabled}
	if _, err := h.app.UpdateMember(ctx, currentUser(c), u.ID, p); err != nil {
		if errs, ok := formErrors(err); ok {
			m.Email = u.Email
			u.Disabled = disabled
			h.render(c, http.StatusUnprocessableEntity, "user_form", &userFormPage{Layout: Layout{Title: "Error: Change " + u.Name},
				Edit: u, Form: m, Errors: errs})
			return
		}
		h.fail(c, err)
		return
	}
	h.flash(c, "The changes to "+m.Name+" were saved.")
	redirect(c, "/admin/users")
}

func (h *Handler) apiCreateUser(c *gin.Context) {
	var m app.NewMember
	if !h.bindJSON(c, &m) {
		return
	}
	u, err := h.app.CreateMember(c.Request.Context(), m)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, gin.H{"user": toUserJSON(u)})
}

func (h *Handler) apiPatchUser(c *gin.Context) {
	var p app.MemberPatch
	if !h.bindJSON(c, &p) {
		return
	}
	u, err := h.app.UpdateMember(c.Request.Context(), currentUser(c), c.Param("id"), p)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"user": toUserJSON(u)})
}

func (h *Handler) apiListUsers(c *gin.Context) {
	page, per, err := pageParams(c)
	if err != nil {
		h.fail(c, err)
		return
	}
	role := c.Query("role")
	if role != "" && !enum.Roles.Has(role) {
		h.fail(c, badRequest("role must be one of participant, reviewer, chair, coordinator."))
		return
	}
	list, total, err := h.app.SearchUsers(c.Request.Context(), role, c.Query("q"), page, per)
	if err != nil {
		h.fail(c, err)
		return
	}
	items := make([]userJSON, len(list))
	for i, u := range list {
		items[i] = toUserJSON(u)
	}
	c.JSON(http.StatusOK, gin.H{"items": items, "total": total, "page": page, "per_page": per})
}
