package web

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"cocreate/internal/apperr"
	"cocreate/internal/store"
	"cocreate/internal/training"
)

// limitTrainingUpload refuses a training upload whose declared length is
// over its limit before any of it is read, and caps the body of one that
// declares none (see limitUploads).
func (h *Handler) limitTrainingUpload(c *gin.Context, limit int64) {
	const slack = 64 << 10
	if c.Request.ContentLength > limit+slack {
		msg := (&tooLarge{limit}).SafeMessage()
		if isAPI(c) {
			apiFail(c, http.StatusRequestEntityTooLarge, "too_large", msg)
			return
		}
		h.renderError(c, http.StatusRequestEntityTooLarge, msg)
		c.Abort()
		return
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, limit+slack)
	c.Next()
}

// sessionView is a session as pages show it, with the caller's standing.
type sessionView struct {
	training.Session
	When, Duration string
	Mode           string // the caller's registered mode
	Present        bool   // the caller counts as present
	Known          bool   // the caller has any attendance record
}

// programmePage is the public page of a call's programme.
type programmePage struct {
	Layout
	Call        *store.Call
	Programme   *training.Programme
	Sessions    []sessionView
	Participant bool
	Coordinator bool
	Complete    bool
	Missing     []string
}

func (h *Handler) sessionViews(call *store.Call, p *training.Programme) []sessionView {
	var out []sessionView
	for _, s := range p.Sessions {
		out = append(out, sessionView{Session: s, When: formatInZone(s.StartsAt, call.TimeZone), Duration: minutesWords(s.Minutes)})
	}
	return out
}

func minutesWords(m int) string {
	h, mm := m/60, m%60
	switch {
	case h == 0:
		return fmt.Sprintf("%d minutes", mm)
	case mm == 0:
		return fmt.Sprintf("%d %s", h, pluralOf(h, "hour", "hours"))
	}
	return fmt.Sprintf("%d h %02d min", h, mm)
}

// programmePage is GET /calls/{slug}/programme.
func (h *Handler) programmePage(c *gin.Context) {
	ctx := c.Request.Context()
	u := currentUser(c)
	call, p, err := h.app.Programme(ctx, c.Param("slug"))
	if err != nil {
		if call != nil && store.IsNotFound(err) {
			if u.Has("coordinator") {
				redirect(c, "/admin/calls/"+call.ID+"/programme")
				return
			}
			h.renderError(c, http.StatusNotFound, "This call has no training programme.")
			return
		}
		h.fail(c, err)
		return
	}
	pg := &programmePage{Layout: Layout{Title: p.Title}, Call: call, Programme: p, Sessions: h.sessionViews(call, p),
		Participant: u.Has("participant"), Coordinator: u.Has("coordinator")}
	if pg.Participant {
		mine, err := h.app.MyAttendance(ctx, u, p)
		if err != nil {
			h.fail(c, err)
			return
		}
		for i := range pg.Sessions {
			a, ok := mine[pg.Sessions[i].ID]
			pg.Sessions[i].Known, pg.Sessions[i].Mode, pg.Sessions[i].Present = ok, a.Mode, ok && training.Present(pg.Sessions[i].Session, a)
		}
		done := training.Complete(p, mine)
		pg.Complete = done.Complete
		for _, s := range done.Missing {
			pg.Missing = append(pg.Missing, s.Title)
		}
	}
	h.render(c, http.StatusOK, "programme", pg)
}

// programmeICS is GET /calls/{slug}/programme.ics.
func (h *Handler) programmeICS(c *gin.Context) {
	call, p, err := h.app.Programme(c.Request.Context(), c.Param("slug"))
	if err != nil {
		h.fail(c, err)
		return
	}
	link := h.app.PublicURL("/calls/"+call.Slug+"/programme", h.baseURL(c))
	host := c.Request.Host
	if u, err := url.Parse(link); err == nil && u.Hostname() != "" {
		host = u.Hostname()
	}
	c.Header("Content-Disposition", `attachment; filename="`+call.Slug+`-programme.ics"`)
	c.Data(http.StatusOK, "text/calendar; charset=utf-8", training.Calendar(p, call.Title, host, link, h.now()))
}

// noteTemplatePDF is GET /calls/{slug}/note-template.pdf: the blank
// one-page concept note with the call's word limits.
func (h *Handler) noteTemplatePDF(c *gin.Context) {
	call, err := h.app.CallByKey(c.Request.Context(), c.Param("slug"))
	if err != nil {
		h.fail(c, err)
		return
	}
	var buf bytes.Buffer
	if err := training.WriteTemplate(&buf, training.TemplateData{CallTitle: call.Title, WordLimits: call.WordLimits, Compress: true}); err != nil {
		h.fail(c, err)
		return
	}
	c.Header("Content-Disposition", `inline; filename="concept-note-`+call.Slug+`.pdf"`)
	c.Data(http.StatusOK, "application/pdf", buf.Bytes())
}

// resourceFile is GET /sessions/{id}/resources/{rid}: a library file, sent
// as a download with its checked type, a chunk at a time.
func (h *Handler) resourceFile(c *gin.Context) {
	f, err := h.app.LibraryFile(c.Request.Context(), c.Param("id"), c.Param("rid"))
	if err != nil {
		h.fail(c, err)
		return
	}
	c.Header("Content-Type", training.ContentTypes[f.Kind])
	c.Header("Content-Length", fmt.Sprint(f.Size))
	c.Header("Content-Disposition", `attachment; filename="`+asciiName(f.Name)+`"; filename*=UTF-8''`+url.PathEscape(f.Name))
	c.Header("Cache-Control", "public, max-age=3600")
	c.Status(http.StatusOK)
	if err := h.app.CopyFile(c.Request.Context(), f, c.Writer); err != nil {
		h.log.Error("library file cut short", "request_id", requestID(c), "err", err)
	}
}

// verifyView is the public verification page.
type verifyView struct {
	Layout
	Code        string
	Certificate *training.Certificate
	Completed   string
}

// certificateVerifyPage is GET /verify/{code}: the certificate's name, programme and
// date, or a 404 saying the code is not recognised.
func (h *Handler) certificateVerifyPage(c *gin.Context) {
	cert, err := h.app.VerifyCertificate(c.Request.Context(), c.Param("code"))
	if err != nil && !store.IsNotFound(err) {
		h.fail(c, err)
		return
	}
	code := c.Param("code")
	if len(code) > 40 || !isPrintable(code) {
		code = ""
	}
	p := &verifyView{Layout: Layout{Title: "Certificate verification"}, Code: code, Certificate: cert}
	if cert == nil {
		p.Title = "Certificate not recognised"
		h.render(c, http.StatusNotFound, "verify", p)
		return
	}
	p.Completed = cert.CompletedAt.UTC().Format("2 January 2006")
	h.render(c, http.StatusOK, "verify", p)
}

func isPrintable(s string) bool {
	for _, r := range s {
		if r < 0x20 || r == 0x7f || r == 0xfffd {
			return false
		}
	}
	return true
}

// interestSubmit is POST /calls/{slug}/programme/interest: session, mode.
func (h *Handler) interestSubmit(c *gin.Context) {
	slug := c.Param("slug")
	err := h.app.RegisterInterest(c.Request.Context(), currentUser(c), c.PostForm("session"), c.PostForm("mode"))
	var fe apperr.Fields
	switch {
	case errors.As(err, &fe):
		h.flash(c, "Choose online or in person.")
	case err != nil:
		h.fail(c, err)
		return
	default:
		mode := "online"
		if c.PostForm("mode") == training.ModeInPerson {
			mode = "in person"
		}
		h.flash(c, "Registered: you plan to attend "+mode+".")
	}
	redirect(c, "/calls/"+url.PathEscape(slug)+"/programme#session-"+url.PathEscape(c.PostForm("session")))
}

// asciiName is a file name with every character outside printable ASCII
// replaced, for the plain filename parameter (filename* carries the UTF-8).
func asciiName(s string) string {
	b := []byte{}
	for _, r := range s {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' {
			r = '_'
		}
		b = append(b, byte(r))
	}
	return string(b)
}
