package web

import (
	"io/fs"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"cocreate/internal/apperr"
	"cocreate/static"
)

// Access levels of a route: public, any signed-in user, or a set of roles.
const (
	public   = "public"
	signedIn = "signed-in"
)

// route is one line of the URL surface; access is public, signedIn or role names.
type route struct {
	method, path string
	access       []string
	handle       gin.HandlerFunc
}

func roles(r ...string) []string { return r }

// table is every route, read top to bottom. One access rule a line.
func (h *Handler) table() []route {
	var all []route
	for _, part := range [][]route{h.coreRoutes(), h.callRoutes(), h.noteRoutes(), h.screeningRoutes(), h.reviewRoutes(), h.exportRoutes(), h.outboxRoutes(), h.pageRoutes(), h.accountRoutes(), h.trainingRoutes()} {
		all = append(all, part...)
	}
	return all
}

// Shorthands for access rules used by every route table.
var (
	anyone    = roles(public)
	member    = roles(signedIn)
	coord     = roles("coordinator")
	committee = roles("reviewer", "chair")
	chair     = roles("chair")
)

// coreRoutes are operations and accounts.
func (h *Handler) coreRoutes() []route {
	return []route{
		// Operations
		{"GET", "/healthz", anyone, h.healthz},
		{"GET", "/readyz", anyone, h.readyz},
		{"GET", "/metrics", anyone, h.metricsPage},

		// Pages: accounts
		{"GET", "/", anyone, h.home},
		{"GET", "/login", anyone, h.loginPage},
		{"POST", "/login", anyone, h.loginSubmit},
		{"POST", "/logout", member, h.logoutSubmit},
		{"GET", "/register", anyone, h.registerPage},
		{"POST", "/register", anyone, h.registerSubmit},
		{"GET", "/admin/users", coord, h.usersPage},
		{"GET", "/admin/users/new", coord, h.userNewPage},
		{"POST", "/admin/users", coord, h.userCreateSubmit},
		{"GET", "/admin/users/:id", coord, h.userEditPage},
		{"POST", "/admin/users/:id", coord, h.userEditSubmit},

		// API: accounts
		{"POST", "/api/v1/register", anyone, h.apiRegister},
		{"POST", "/api/v1/login", anyone, h.apiLogin},
		{"POST", "/api/v1/logout", member, h.apiLogout},
		{"GET", "/api/v1/me", member, h.apiMe},
		{"POST", "/api/v1/users", coord, h.apiCreateUser},
		{"PATCH", "/api/v1/users/:id", coord, h.apiPatchUser},
		{"GET", "/api/v1/users", coord, h.apiListUsers},
	}
}

// allow enforces a route's access rule.
func (h *Handler) allow(access []string) gin.HandlerFunc {
	return func(c *gin.Context) {
		if len(access) == 1 && access[0] == public {
			c.Next()
			return
		}
		u := currentUser(c)
		if u == nil {
			h.fail(c, apperr.ErrUnauthenticated)
			return
		}
		if len(access) == 1 && access[0] == signedIn {
			c.Next()
			return
		}
		for _, r := range access {
			if u.Has(r) {
				c.Next()
				return
			}
		}
		h.fail(c, apperr.ErrForbidden)
	}
}

func (h *Handler) router() http.Handler {
	gin.SetMode(gin.ReleaseMode) // no debug banner or route listing on stdout
	r := gin.New()
	r.HandleMethodNotAllowed = true
	r.RedirectTrailingSlash = false
	r.RedirectFixedPath = false
	r.ContextWithFallback = true
	r.Use(h.withRequestID, h.logRequests, h.recoverPanics, securityHeaders, h.limitUploads, h.withClientIP)
	r.NoRoute(h.notFound)
	r.NoMethod(h.methodNotAllowed)

	sub, _ := fs.Sub(static.FS, ".")
	files := http.StripPrefix("/static/"+static.Version, http.FileServer(http.FS(sub)))
	r.GET("/static/:version/*file", func(c *gin.Context) {
		if c.Param("version") != static.Version {
			// An old page asking for an old version: serve today's file, briefly cached.
			c.Header("Cache-Control", "public, max-age=300")
			c.Request.URL.Path = "/static/" + static.Version + c.Param("file")
		} else {
			c.Header("Cache-Control", "public, max-age=31536000, immutable")
		}
		if strings.HasSuffix(c.Param("file"), "/") {
			h.notFound(c)
			return
		}
		files.ServeHTTP(c.Writer, c.Request)
	})

	h.routes = h.table()
	for _, rt := range h.routes {
		chain := []gin.HandlerFunc{h.authenticate, h.checkCSRF, h.checkFormText, h.allow(rt.access)}
		if rt.method == "POST" {
			chain = append(chain, h.idempotent)
		}
		r.Handle(rt.method, rt.path, append(chain, rt.handle)...)
	}
	// Cross-origin protection is a second layer over the CSRF token: browsers
	// say where a request came from, and cross-site writes are refused.
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if strings.HasPrefix(req.URL.Path, "/api/") {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusForbidden)
			w.Write([]byte(`{"error":{"code":"forbidden","message":"Cross-origin request refused."}}`))
			return
		}
		http.Error(w, "Cross-origin request refused.", http.StatusForbidden)
	}))
	return cop.Handler(r)
}
