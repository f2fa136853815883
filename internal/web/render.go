package web

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"html/template"
	"io/fs"
	"maps"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"cocreate/internal/auth"
	"cocreate/internal/enum"
	"cocreate/internal/store"
	"cocreate/static"
	"cocreate/templates"
)

// Layout is what every page's base layout needs; page structs embed it.
type Layout struct {
	Title     string
	User      *store.User
	Flash     string
	CSRF      string
	FormToken string
	RequestID string
	Path      string
}

// Lay returns the embedded Layout (so render can fill it in).
func (l *Layout) Lay() *Layout { return l }

type page interface{ Lay() *Layout }

// engine holds one parsed template set per page, parsed once at start-up.
type engine struct {
	pages map[string]*template.Template
}

// templateFuncs are the helpers templates may call.
func templateFuncs() template.FuncMap {
	funcs := baseFuncs()
	for _, more := range []template.FuncMap{formFuncs(), committeeFuncs(), dashboardFuncs()} {
		maps.Copy(funcs, more)
	}
	return funcs
}

func baseFuncs() template.FuncMap {
	return template.FuncMap{
		"asset": func(p string) string { return "/static/" + static.Version + "/" + p },
		"label": func(list string, v string) string {
			if l, ok := lists[list]; ok {
				return l.Label(v)
			}
			return v
		},
		"options": func(list string) enum.List { return lists[list] },
		"has": func(list []string, v string) bool {
			for _, x := range list {
				if x == v {
					return true
				}
			}
			return false
		},
		"inZone": func(t time.Time, zone string) string { return formatInZone(t, zone) },
		"date":   func(t time.Time) string { return t.UTC().Format("2 January 2006") },
		"add":    func(a, b int) int { return a + b },
		"seq": func(n int) []int {
			out := make([]int, n)
			for i := range out {
				out[i] = i
			}
			return out
		},
		"dict": func(kv ...any) map[string]any {
			m := map[string]any{}
			for i := 0; i+1 < len(kv); i += 2 {
				m[fmt.Sprint(kv[i])] = kv[i+1]
			}
			return m
		},
		"join": strings.Join,
		"list": func(a ...string) []string { return a },
		"f1":   func(x float64) string { return fmt.Sprintf("%.1f", x) },
	}
}

var lists = map[string]enum.List{
	"sector": enum.Sectors, "district": enum.Districts, "value": enum.Values, "policy_area": enum.PolicyAreas,
	"role": enum.Roles, "state": enum.States, "class": enum.Classes, "reason_code": enum.ReasonCodes,
	"criterion": enum.Criteria, "checklist": enum.Checklist,
}

// zoneNames are the spoken names of common zones ("17:00 Belize time").
var zoneNames = map[string]string{"America/Belize": "Belize time", "UTC": "UTC"}

func formatInZone(t time.Time, zone string) string {
	if t.IsZero() {
		return ""
	}
	loc, name := namedZone(zone)
	return t.In(loc).Format("Monday 2 January 2006, 15:04") + " " + name
}

// namedZone is the location of zone and the words that name it ("Belize
// time"); an unknown zone is UTC.
func namedZone(zone string) (*time.Location, string) {
	loc, err := time.LoadLocation(zone)
	if err != nil {
		loc, zone = time.UTC, "UTC"
	}
	name := zoneNames[zone]
	if name == "" {
		name = zone + " time"
	}
	return loc, name
}

func newEngine() (*engine, error) {
	e := &engine{pages: map[string]*template.Template{}}
	funcs := templateFuncs()
	shared := []string{}
	for _, dir := range []string{"layouts", "partials"} {
		m, err := fs.Glob(templates.FS, dir+"/*.html")
		if err != nil {
			return nil, err
		}
		shared = append(shared, m...)
	}
	pages, err := fs.Glob(templates.FS, "pages/*.html")
	if err != nil {
		return nil, err
	}
	for _, p := range pages {
		name := strings.TrimSuffix(path.Base(p), ".html")
		t, err := template.New(name).Funcs(funcs).ParseFS(templates.FS, append(append([]string{}, shared...), p)...)
		if err != nil {
			return nil, fmt.Errorf("parse template %s: %w", p, err)
		}
		if t.Lookup("base") == nil {
			return nil, fmt.Errorf("template %s: no base layout", p)
		}
		e.pages[name] = t
	}
	return e, nil
}

// render writes page name with data, filling in the layout. It renders into
// a buffer first so a template error is a clean 500, never half a page.
func (h *Handler) render(c *gin.Context, status int, name string, data page) {
	t, ok := h.tmpl.pages[name]
	if !ok {
		h.fail(c, fmt.Errorf("render: no page template %q", name))
		return
	}
	l := data.Lay()
	l.User = currentUser(c)
	l.RequestID = requestID(c)
	l.Path = c.Request.URL.Path
	if s := currentSession(c); s != nil {
		l.CSRF = s.CSRF
	}
	if l.FormToken == "" {
		l.FormToken = newFormToken()
	}
	if l.Flash == "" {
		l.Flash = h.takeFlash(c)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "base", data); err != nil {
		h.log.Error("render", "request_id", l.RequestID, "page", name, "err", err)
		c.Data(http.StatusInternalServerError, "text/html; charset=utf-8",
			[]byte("<!doctype html><title>Error</title><p>Something went wrong on our side. Request id: "+template.HTMLEscapeString(l.RequestID)+"</p>"))
		c.Abort()
		return
	}
	c.Header("Cache-Control", "no-store")
	c.Data(status, "text/html; charset=utf-8", buf.Bytes())
}

// errorPage is the friendly 403/404/500 page.
type errorPage struct {
	Layout
	Status  int
	Message string
	Contact string // whom to write to with a question (siteContact); "" for none
}

func (h *Handler) renderError(c *gin.Context, status int, msg string) {
	title := map[int]string{400: "Something is wrong with the request", 403: "You cannot do that", 404: "Page not found",
		405: "Not available", 409: "That cannot be done now", 413: "Too large", 422: "Check your answers",
		429: "Too many attempts", 503: "Temporarily unavailable"}[status]
	if title == "" {
		title = "Something went wrong"
	}
	h.render(c, status, "error", &errorPage{Layout: Layout{Title: title}, Status: status, Message: msg,
		Contact: h.siteContact(c, status)})
}

const flashCookie = "cocreate_flash"

// flash stores a one-time message shown on the next page.
func (h *Handler) flash(c *gin.Context, msg string) {
	http.SetCookie(c.Writer, &http.Cookie{Name: flashCookie, Value: base64.RawURLEncoding.EncodeToString([]byte(msg)),
		Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: h.secure(c.Request), MaxAge: 60})
}

func (h *Handler) takeFlash(c *gin.Context) string {
	v, err := c.Cookie(flashCookie)
	if err != nil || v == "" {
		return ""
	}
	http.SetCookie(c.Writer, &http.Cookie{Name: flashCookie, Value: "", Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: h.secure(c.Request), MaxAge: -1})
	b, err := base64.RawURLEncoding.DecodeString(v)
	if err != nil || len(b) > 500 {
		return ""
	}
	return string(b)
}

// redirect answers a form post with POST-redirect-GET.
func redirect(c *gin.Context, to string) {
	c.Redirect(http.StatusSeeOther, to)
	c.Abort()
}

func newFormToken() string { return auth.NewSecret()[:22] }
