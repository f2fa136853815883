package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"cocreate/internal/app"
	"cocreate/internal/apperr"
	"cocreate/internal/auth"
	"cocreate/internal/store"
)

// accountRoutes are issue 11's: password reset, e-mail verification and
// change, the profile, the personal-data export and account deletion,
// consent, moderation and the audit log.
func (h *Handler) accountRoutes() []route {
	return []route{
		// Pages
		{"GET", "/password/forgot", anyone, h.forgotPage},
		{"POST", "/password/forgot", anyone, h.forgotSubmit},
		{"GET", "/password/reset", anyone, h.resetPage},
		{"POST", "/password/reset", anyone, h.resetSubmit},
		{"GET", "/me/email/verify", anyone, h.verifyPage},
		{"POST", "/me/email/verify", anyone, h.verifySubmit},
		{"POST", "/me/email/resend", member, h.resendSubmit},
		{"GET", "/account", member, h.accountPage},
		{"POST", "/account", member, h.profileSubmit},
		{"POST", "/account/password", member, h.passwordSubmit},
		{"POST", "/account/email", member, h.emailSubmit},
		{"GET", "/account/export", member, h.myDataDownload},
		{"GET", "/account/delete", member, h.deletePage},
		{"POST", "/account/delete", member, h.deleteSubmit},
		{"POST", "/notes/:id/consent", member, h.consentSubmit},
		{"GET", "/notes/:id/moderate", coord, h.moderatePage},
		{"POST", "/notes/:id/moderate", coord, h.moderateSubmit},
		{"GET", "/admin/audit", coord, h.auditPage},

		// API
		{"POST", "/api/v1/password/forgot", anyone, h.apiForgot},
		{"POST", "/api/v1/password/reset", anyone, h.apiReset},
		{"POST", "/api/v1/me/email/verify", anyone, h.apiVerify},
		{"POST", "/api/v1/me/email/resend", member, h.apiResend},
		{"PATCH", "/api/v1/me", member, h.apiPatchMe},
		{"POST", "/api/v1/me/password", member, h.apiChangePassword},
		{"POST", "/api/v1/me/email", member, h.apiChangeEmail},
		{"GET", "/api/v1/me/export", member, h.apiMyData},
		{"DELETE", "/api/v1/me", member, h.apiDeleteMe},
		{"POST", "/api/v1/notes/:id/consent", member, h.apiConsent},
		{"POST", "/api/v1/notes/:id/moderation", coord, h.apiModerate},
		{"GET", "/api/v1/audit", coord, h.apiAudit},
	}
}

// withClientIP puts the request's address in its context, for the audit log.
func (h *Handler) withClientIP(c *gin.Context) {
	c.Request = c.Request.WithContext(app.WithClientIP(c.Request.Context(), h.clientAddr(c.Request)))
	c.Next()
}

// sessionID is the stored id of the caller's own session or token.
func sessionID(c *gin.Context) string {
	if s := c.GetString(ctxSecret); s != "" {
		return auth.HashSecret(s)
	}
	return ""
}

// formPage is a page with one form: its values, the errors beside the
// fields and a problem for the whole form.
type formPage struct {
	Layout
	Form    map[string]string
	Errors  map[string]string
	Problem string
	Done    bool
}

func newFormPage(title string) *formPage {
	return &formPage{Layout: Layout{Title: title}, Form: map[string]string{}, Errors: map[string]string{}}
}

// showErr renders page name with err beside its fields (a validation
// error), as a problem for the form (throttled, a bad link, a conflict),
// or fails the request for any other error.
func (h *Handler) showErr(c *gin.Context, name string, p *formPage, err error) {
	status, ok := h.formErr(c, p, err)
	if !ok {
		return
	}
	if !strings.HasPrefix(p.Title, "Error: ") {
		p.Title = "Error: " + p.Title
	}
	h.render(c, status, name, p)
}

// formErr puts err on p (field errors beside their fields, a throttle, a
// refusal or a conflict as the page's problem) and returns the page's
// status; any other error is answered by fail, and ok is false.
func (h *Handler) formErr(c *gin.Context, p *formPage, err error) (status int, ok bool) {
	var fe apperr.Fields
	var th *app.ErrThrottled
	var inv *apperr.Invalid
	var con *apperr.Conflict
	status = http.StatusUnprocessableEntity
	switch {
	case errors.As(err, &fe):
		p.Errors = fe
	case errors.As(err, &th):
		c.Header("Retry-After", itoa(int(th.RetryAfter.Seconds())+1))
		p.Problem, status = th.Error(), http.StatusTooManyRequests
	case errors.As(err, &inv):
		p.Problem = inv.Message
	case errors.As(err, &con):
		p.Problem, status = con.Message, http.StatusConflict
	default:
		h.fail(c, err)
		return 0, false
	}
	return status, true
}

func (h *Handler) forgotPage(c *gin.Context) {
	h.render(c, http.StatusOK, "password_forgot", newFormPage("Reset your password"))
}

// forgotSubmit answers the same whether or not the address has an account.
func (h *Handler) forgotSubmit(c *gin.Context) {
	p := newFormPage("Reset your password")
	p.Form["email"] = c.PostForm("email")
	if err := h.app.ForgotPassword(c.Request.Context(), c.PostForm("email")); err != nil {
		h.showErr(c, "password_forgot", p, err)
		return
	}
	p.Title, p.Done = "Check your e-mail", true
	h.render(c, http.StatusOK, "password_forgot", p)
}

func (h *Handler) resetPage(c *gin.Context) {
	p := newFormPage("Choose a new password")
	p.Form["token"] = c.Query("token")
	h.render(c, http.StatusOK, "password_reset", p)
}

func (h *Handler) resetSubmit(c *gin.Context) {
	p := newFormPage("Choose a new password")
	p.Form["token"] = c.PostForm("token")
	if err := h.app.ResetPassword(c.Request.Context(), c.PostForm("token"), c.PostForm("password")); err != nil {
		h.showErr(c, "password_reset", p, err)
		return
	}
	// Every session of the account ended, this browser's too if it had one.
	h.clearSessionCookie(c)
	h.flash(c, "Your password was changed and you were signed out everywhere. Sign in with your new password.")
	redirect(c, "/login")
}

func (h *Handler) verifyPage(c *gin.Context) {
	p := newFormPage("Confirm your e-mail address")
	p.Form["token"] = c.Query("token")
	h.render(c, http.StatusOK, "email_verify", p)
}

func (h *Handler) verifySubmit(c *gin.Context) {
	p := newFormPage("Confirm your e-mail address")
	p.Form["token"] = c.PostForm("token")
	u, err := h.app.VerifyEmail(c.Request.Context(), c.PostForm("token"))
	if err != nil {
		h.showErr(c, "email_verify", p, err)
		return
	}
	h.flash(c, "Your e-mail address "+u.Email+" is confirmed.")
	if currentUser(c) != nil {
		redirect(c, "/account")
		return
	}
	redirect(c, "/login")
}

func (h *Handler) resendSubmit(c *gin.Context) {
	err := h.app.ResendVerification(c.Request.Context(), currentUser(c))
	var th *app.ErrThrottled
	var con *apperr.Conflict
	switch {
	case err == nil:
		h.flash(c, "We sent a new link. Open it from your e-mail to confirm your address.")
	case errors.As(err, &th):
		h.flash(c, th.Error())
	case errors.As(err, &con):
		h.flash(c, con.Message)
	default:
		h.fail(c, err)
		return
	}
	redirect(c, safeNext(c.DefaultPostForm("next", "/account")))
}

// accountPage is the person's own account: profile, password, e-mail
// address, their data and deletion.
type accountPage struct {
	formPage
	Me      *store.User
	Section string // the form the errors belong to: profile, password or email
}

func (h *Handler) newAccountPage(c *gin.Context) *accountPage {
	u := currentUser(c)
	p := &accountPage{formPage: *newFormPage("Your account"), Me: u}
	p.Form = map[string]string{"name": u.Name, "organization": u.Organization, "sector": u.Sector, "district": u.District, "phone": u.Phone}
	return p
}

func (h *Handler) accountPage(c *gin.Context) {
	h.render(c, http.StatusOK, "account", h.newAccountPage(c))
}

func (h *Handler) accountErr(c *gin.Context, p *accountPage, section string, err error) {
	p.Section = section
	status, ok := h.formErr(c, &p.formPage, err)
	if !ok {
		return
	}
	p.Title = "Error: Your account"
	h.render(c, status, "account", p)
}

func (h *Handler) profileSubmit(c *gin.Context) {
	p := h.newAccountPage(c)
	f := map[string]*string{}
	for _, k := range []string{"name", "organization", "sector", "district", "phone"} {
		v := c.PostForm(k)
		p.Form[k] = v
		f[k] = &v
	}
	_, err := h.app.UpdateProfile(c.Request.Context(), currentUser(c), app.ProfilePatch{Name: f["name"], Organization: f["organization"],
		Sector: f["sector"], District: f["district"], Phone: f["phone"]})
	if err != nil {
		h.accountErr(c, p, "profile", err)
		return
	}
	h.flash(c, "Your profile was saved.")
	redirect(c, "/account")
}

func (h *Handler) passwordSubmit(c *gin.Context) {
	p := h.newAccountPage(c)
	err := h.app.ChangePassword(c.Request.Context(), currentUser(c), sessionID(c), c.PostForm("current"), c.PostForm("password"))
	if err != nil {
		h.accountErr(c, p, "password", err)
		return
	}
	h.flash(c, "Your password was changed. You were signed out everywhere else.")
	redirect(c, "/account")
}

func (h *Handler) emailSubmit(c *gin.Context) {
	p := h.newAccountPage(c)
	p.Form["email"] = c.PostForm("email")
	if err := h.app.ChangeEmail(c.Request.Context(), currentUser(c), c.PostForm("email"), c.PostForm("email_password")); err != nil {
		var fe apperr.Fields
		if errors.As(err, &fe) && fe["password"] != "" {
			fe["email_password"] = fe["password"]
			delete(fe, "password")
		}
		h.accountErr(c, p, "email", err)
		return
	}
	h.flash(c, "We sent a link to "+store.NormalizeEmail(c.PostForm("email"))+". Your address changes when you open it.")
	redirect(c, "/account")
}

// myDataDownload sends the personal-data export as a JSON file.
func (h *Handler) myDataDownload(c *gin.Context) {
	d, err := h.app.ExportMyData(c.Request.Context(), currentUser(c))
	if err != nil {
		h.fail(c, err)
		return
	}
	js, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		h.fail(c, err)
		return
	}
	c.Header("Content-Disposition", `attachment; filename="my-data.json"`)
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, "application/json; charset=utf-8", js)
}

func (h *Handler) deletePage(c *gin.Context) {
	h.render(c, http.StatusOK, "account_delete", newFormPage("Delete your account"))
}

func (h *Handler) deleteSubmit(c *gin.Context) {
	p := newFormPage("Delete your account")
	if err := h.app.DeleteAccount(c.Request.Context(), currentUser(c), c.PostForm("password")); err != nil {
		h.showErr(c, "account_delete", p, err)
		return
	}
	h.clearSessionCookie(c)
	h.flash(c, "Your account was deleted.")
	redirect(c, "/")
}

// ownNoteOnly is note id when the caller owns it: a 404 for a caller who may
// not see it, a 403 for one who may but does not own it.
func (h *Handler) ownNoteOnly(c *gin.Context) (*store.Note, bool) {
	n, _, err := h.app.NoteFor(c.Request.Context(), currentUser(c), c.Param("id"))
	if err == nil && n.Owner != currentUser(c).ID {
		err = apperr.Say(apperr.ErrForbidden, "Only the note's owner can give or withdraw consent to publish it.")
	}
	if err != nil {
		h.fail(c, err)
		return nil, false
	}
	return n, true
}

// yesNo reads a form's "yes" or "no"; anything else is a 400.
func yesNo(v string) (bool, error) {
	switch v {
	case "yes":
		return true, nil
	case "no":
		return false, nil
	}
	return false, badRequest("The form must say yes or no. Reload the page and try again.")
}

func (h *Handler) consentSubmit(c *gin.Context) {
	n, ok := h.ownNoteOnly(c)
	if !ok {
		return
	}
	consent, err := yesNo(c.PostForm("consent"))
	if err != nil {
		h.fail(c, err)
		return
	}
	if _, err := h.app.SetConsent(c.Request.Context(), currentUser(c), n.ID, consent); err != nil {
		h.fail(c, err)
		return
	}
	if consent {
		h.flash(c, "Thank you: your note may be shown in the public repository.")
	} else {
		h.flash(c, "Your note is no longer shown in the public repository.")
	}
	redirect(c, "/notes/"+n.ID)
}

// moderatePage is the coordinator's form to hide a note from the repository.
type moderatePage struct {
	formPage
	Note *store.Note
}

func (h *Handler) moderatePage(c *gin.Context) {
	n, err := h.app.NoteByID(c.Request.Context(), c.Param("id"))
	if err != nil {
		h.fail(c, err)
		return
	}
	p := &moderatePage{formPage: *newFormPage("Moderate " + n.Ref), Note: n}
	if n.Moderation != nil {
		p.Form["reason"] = n.Moderation.Reason
	}
	h.render(c, http.StatusOK, "note_moderate", p)
}

func (h *Handler) moderateSubmit(c *gin.Context) {
	ctx := c.Request.Context()
	n, err := h.app.NoteByID(ctx, c.Param("id"))
	if err != nil {
		h.fail(c, err)
		return
	}
	hide, err := yesNo(c.PostForm("hidden"))
	if err != nil {
		h.fail(c, err)
		return
	}
	if _, err := h.app.Moderate(ctx, currentUser(c), n.ID, hide, c.PostForm("reason")); err != nil {
		p := &moderatePage{formPage: *newFormPage("Moderate " + n.Ref), Note: n}
		p.Form["reason"] = c.PostForm("reason")
		var fe apperr.Fields
		if errors.As(err, &fe) {
			p.Errors, p.Title = fe, "Error: "+p.Title
			h.render(c, http.StatusUnprocessableEntity, "note_moderate", p)
			return
		}
		h.fail(c, err)
		return
	}
	if hide {
		h.flash(c, n.Ref+" is hidden from the public repository; its owner is told.")
	} else {
		h.flash(c, n.Ref+" may be shown in the public repository again.")
	}
	redirect(c, "/notes/"+n.ID)
}

// auditPageView is the coordinators' page of the audit log.
type auditPageView struct {
	Layout
	Page   *app.AuditPage
	Event  string
	UserID string
	Events []string
	Prev   string
	Next   string
}

// auditQuery reads the filters; paging is clamped (page from 1, 50 a page).
func auditQuery(c *gin.Context) (app.AuditQuery, error) {
	q := app.AuditQuery{Event: c.Query("event"), UserID: c.Query("user_id"), PerPage: 50}
	if v := c.Query("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return q, badRequest("page must be a whole number from 1.")
		}
		q.Page = min(n, 100000)
	}
	return q, nil
}

func (h *Handler) auditPage(c *gin.Context) {
	q, err := auditQuery(c)
	if err != nil {
		h.fail(c, err)
		return
	}
	res, err := h.app.Audit(c.Request.Context(), currentUser(c), q)
	if err != nil {
		h.fail(c, err)
		return
	}
	p := &auditPageView{Layout: Layout{Title: "Audit log"}, Page: res, Event: q.Event, UserID: q.UserID, Events: app.AuditEvents}
	link := func(page int) string {
		v := c.Request.URL.Query()
		v.Set("page", strconv.Itoa(page))
		return "/admin/audit?" + v.Encode()
	}
	if res.Page > 1 {
		p.Prev = link(res.Page - 1)
	}
	if int64(res.Page*res.PerPage) < res.Total {
		p.Next = link(res.Page + 1)
	}
	h.render(c, http.StatusOK, "audit", p)
}

// API

func (h *Handler) apiForgot(c *gin.Context) {
	var b struct {
		Email string `json:"email"`
	}
	if !h.bindJSON(c, &b) {
		return
	}
	if err := h.app.ForgotPassword(c.Request.Context(), b.Email); err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusAccepted, gin.H{"message": "If an account uses this address, a link to reset its password is on its way."})
}

func (h *Handler) apiReset(c *gin.Context) {
	var b struct {
		Token    string `json:"token"`
		Password string `json:"password"`
	}
	if !h.bindJSON(c, &b) {
		return
	}
	if err := h.app.ResetPassword(c.Request.Context(), b.Token, b.Password); err != nil {
		h.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (h *Handler) apiVerify(c *gin.Context) {
	var b struct {
		Token string `json:"token"`
	}
	if !h.bindJSON(c, &b) {
		return
	}
	if _, err := h.app.VerifyEmail(c.Request.Context(), b.Token); err != nil {
		h.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (h *Handler) apiResend(c *gin.Context) {
	if err := h.app.ResendVerification(c.Request.Context(), currentUser(c)); err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusAccepted, gin.H{"message": "A new link is on its way."})
}

func (h *Handler) apiPatchMe(c *gin.Context) {
	var p app.ProfilePatch
	if !h.bindJSON(c, &p) {
		return
	}
	u, err := h.app.UpdateProfile(c.Request.Context(), currentUser(c), p)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"user": toUserJSON(u)})
}

func (h *Handler) apiChangePassword(c *gin.Context) {
	var b struct {
		Current  string `json:"current"`
		Password string `json:"password"`
	}
	if !h.bindJSON(c, &b) {
		return
	}
	if err := h.app.ChangePassword(c.Request.Context(), currentUser(c), sessionID(c), b.Current, b.Password); err != nil {
		h.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (h *Handler) apiChangeEmail(c *gin.Context) {
	var b struct {
		Email    string `json:"email"`
		Password string `json:"password"`
	}
	if !h.bindJSON(c, &b) {
		return
	}
	if err := h.app.ChangeEmail(c.Request.Context(), currentUser(c), b.Email, b.Password); err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusAccepted, gin.H{"message": "A link is on its way to the new address; the change takes effect when it is opened."})
}

func (h *Handler) apiMyData(c *gin.Context) {
	d, err := h.app.ExportMyData(c.Request.Context(), currentUser(c))
	if err != nil {
		h.fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, d)
}

func (h *Handler) apiDeleteMe(c *gin.Context) {
	var b struct {
		Password string `json:"password"`
	}
	if !h.bindJSON(c, &b) {
		return
	}
	if err := h.app.DeleteAccount(c.Request.Context(), currentUser(c), b.Password); err != nil {
		h.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (h *Handler) apiConsent(c *gin.Context) {
	n, ok := h.ownNoteOnly(c)
	if !ok {
		return
	}
	var b struct {
		Consent *bool `json:"consent_publish"`
	}
	if !h.bindJSON(c, &b) {
		return
	}
	if b.Consent == nil {
		h.fail(c, badRequest("consent_publish is required: true or false."))
		return
	}
	out, err := h.app.SetConsent(c.Request.Context(), currentUser(c), n.ID, *b.Consent)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"id": out.ID, "consent_publish": out.ConsentPublish})
}

func (h *Handler) apiModerate(c *gin.Context) {
	var b struct {
		Hidden *bool  `json:"hidden"`
		Reason string `json:"reason"`
	}
	if !h.bindJSON(c, &b) {
		return
	}
	if b.Hidden == nil {
		h.fail(c, badRequest("hidden is required: true or false."))
		return
	}
	n, err := h.app.Moderate(c.Request.Context(), currentUser(c), c.Param("id"), *b.Hidden, b.Reason)
	if err != nil {
		h.fail(c, err)
		return
	}
	m := gin.H{"hidden": false}
	if n.Moderation != nil {
		m = gin.H{"hidden": n.Moderation.Hidden, "reason": n.Moderation.Reason, "by": n.Moderation.By, "at": jsonTime(n.Moderation.At)}
	}
	c.JSON(http.StatusOK, gin.H{"id": n.ID, "moderation": m})
}

func (h *Handler) apiAudit(c *gin.Context) {
	q, err := auditQuery(c)
	if err != nil {
		h.fail(c, err)
		return
	}
	res, err := h.app.Audit(c.Request.Context(), currentUser(c), q)
	if err != nil {
		h.fail(c, err)
		return
	}
	items := make([]gin.H, len(res.Items))
	for i, e := range res.Items {
		items[i] = gin.H{"event": e.Event, "user_id": e.UserID, "by": e.By, "ip": e.IP, "at": jsonTime(e.At), "detail": e.Detail}
	}
	c.JSON(http.StatusOK, gin.H{"items": items, "total": res.Total, "page": res.Page, "per_page": res.PerPage})
}
