package browsertest

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"cocreate/internal/app"
	"cocreate/internal/auth"
	"cocreate/internal/notes"
	"cocreate/internal/store"
	"cocreate/internal/testdb"
	"cocreate/internal/web"
)

func TestMain(m *testing.M) { testdb.Main(m, closeBrowser) }

const password = "a long enough password"

// chromePaths are where Chromium or Chrome is looked for; CHROME_PATH comes first.
var chromePaths = []string{"/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome",
	"/usr/bin/google-chrome-stable", "/snap/bin/chromium"}

// chrome returns the browser binary, or skips the test saying how to get
// one. Under CI=true (set by CI, and by .ci/run) a missing browser fails the
// test instead: CI installs Chromium, and a run that skipped the browser
// tests must not pass as if they had run.
func chrome(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("CHROME_PATH"); p != "" {
		return p
	}
	for _, p := range chromePaths {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	msg := "no Chromium or Chrome found (looked at CHROME_PATH, " + strings.Join(chromePaths, ", ") +
		"): install one (apt-get install chromium) to run the browser tests"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg + "; CI=true, so the browser tests must run")
	}
	t.Skip(msg)
	return ""
}

// site is the real application on a real embedded database, with an open call.
type site struct {
	t    *testing.T
	url  string
	app  *app.App
	call *store.Call
}

// serve starts the application on an empty test database behind a
// loopback HTTP server (closed when t ends) and returns it with its address.
func serve(t *testing.T) (*app.App, string) {
	t.Helper()
	st := testdb.Open(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	a := app.New(st, auth.Hasher{MemoryKiB: 64, Time: 1}, time.Now, log)
	h, err := web.New(web.Deps{App: a, Logger: log, Now: time.Now})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return a, srv.URL
}

func newSite(t *testing.T) *site {
	t.Helper()
	a, srvURL := serve(t)
	coord, err := a.CreateMember(context.Background(), app.NewMember{Email: "coordinator@example.org", Name: "Andrea Vasquez",
		Organization: "Open Government Unit", Sector: "government", Roles: []string{"coordinator"}, Password: password})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	call, err := a.CreateCall(context.Background(), coord, app.CallInput{Slug: "bz", Title: "Belize's first action plan",
		RefPrefix: "BZ2020", OpensAt: now.Add(-24 * time.Hour).Format(time.RFC3339), ClosesAt: now.Add(7 * 24 * time.Hour).Format(time.RFC3339),
		PlanStart: now.AddDate(0, 1, 0).Format("2006-01"), PlanEnd: now.AddDate(2, 0, 0).Format("2006-01"), TimeZone: "America/Belize"})
	if err != nil {
		t.Fatal(err)
	}
	return &site{t: t, url: srvURL, app: a, call: call}
}

// participant creates a participant account.
func (s *site) participant(email string) *store.User {
	s.t.Helper()
	u, err := s.app.CreateMember(context.Background(), app.NewMember{Email: email, Name: "Marisol Cal",
		Organization: "Toledo Maya Women's Network and the Southern Belize Community Development Council", Sector: "civil_society",
		District: "toledo", Roles: []string{"participant"}, Password: password})
	if err != nil {
		s.t.Fatal(err)
	}
	return u
}

// draft starts a note for u with f.
func (s *site) draft(u *store.User, f notes.Fields) *store.Note {
	s.t.Helper()
	n, err := s.app.CreateNote(context.Background(), u, s.call.ID, f)
	if err != nil {
		s.t.Fatal(err)
	}
	return n
}

// tabs numbers the tabs opened, to tell their screenshots apart.
var tabs atomic.Int64

// browser opens a tab in the package's one Chromium (started on first use)
// in a browser context of its own: cookies, storage and downloads are the
// test's alone, as in a fresh profile. The tab closes when the test ends; a
// failed test leaves a screenshot of the tab's last page (see artefact).
func browser(t *testing.T) context.Context {
	return browserFor(t, 90*time.Second)
}

// browserFor is browser with a time limit of its own for long tests.
func browserFor(t *testing.T, limit time.Duration) context.Context {
	t.Helper()
	root := sharedBrowser(t)
	tabCtx, cancelTab := chromedp.NewContext(root, chromedp.WithNewBrowserContext())
	if err := chromedp.Do(tabCtx, chromedp.Navigate("about:blank")); err != nil {
		cancelTab()
		t.Fatalf("open a tab in Chromium: %v", err)
	}
	ctx, cancelTimeout := context.WithTimeout(tabCtx, limit)
	tabNo := tabs.Add(1)
	t.Cleanup(func() {
		if t.Failed() && ctx.Err() == nil {
			if file := screenshot(ctx, t.Name(), fmt.Sprintf("at-failure-tab%d", tabNo)); file != "" {
				t.Logf("screenshot of the page at the failure: %s", file)
			}
		}
		cancelTimeout()
		cancelTab()
	})
	return ctx
}

// do runs steps or fails the test.
func do(t *testing.T, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatal(err)
	}
}

// run runs one action and returns its value, or fails the test.
func run[T any](t *testing.T, ctx context.Context, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// load navigates and waits for the page's load event.
func load(t *testing.T, ctx context.Context, url string) {
	t.Helper()
	run(t, ctx, chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Navigate(url)))
}

// clickAndLoad clicks sel and waits for the page it leads to.
func clickAndLoad[S chromedp.Selectable](t *testing.T, ctx context.Context, sel S) {
	t.Helper()
	run(t, ctx, chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Click(sel)))
}

// signIn signs in through the sign-in page.
func (s *site) signIn(ctx context.Context, email string) { s.signInAs(ctx, email, password) }

// signInAs signs in with pw through the sign-in page.
func (s *site) signInAs(ctx context.Context, email, pw string) {
	s.t.Helper()
	load(s.t, ctx, s.url+"/login")
	do(s.t, ctx, chromedp.SendKeys(chromedp.ID("email"), email), chromedp.SendKeys(chromedp.ID("password"), pw))
	clickAndLoad(s.t, ctx, chromedp.CSS(`form[action="/login"] button[type=submit]`))
	if loc := run(s.t, ctx, chromedp.Location()); strings.Contains(loc, "/login") {
		s.t.Fatalf("sign in as %s: still on %s", email, loc)
	}
}
