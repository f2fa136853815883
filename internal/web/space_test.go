package web

import (
	"cocreate/internal/app"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"cocreate/internal/apperr"
	"cocreate/internal/embeddb"
	"cocreate/internal/store"
	"cocreate/internal/testdb"
)

func readyz(t *testing.T, url string) (int, string) {
	t.Helper()
	res, err := http.Get(url + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// TestNoSpaceAnswers503: a write refused for lack of space answers 503
// unavailable with a message that nothing was lost (API and pages), and
// readiness checks the disk with a write of its own from then on.
func TestNoSpaceAnswers503(t *testing.T) {
	h, err := newHandler(Deps{App: app.New(testdb.Open(t), fastHasher, nil, nil), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	full := fmt.Errorf("create note: %w (%w): database or disk is full (13)", apperr.ErrNoSpace, apperr.ErrUnavailable)
	r := gin.New()
	r.Use(h.withRequestID, h.logRequests)
	r.POST("/api/v1/save", func(c *gin.Context) { h.fail(c, full) })
	r.POST("/save", func(c *gin.Context) { h.fail(c, full) })
	r.POST("/api/v1/ok", func(c *gin.Context) { c.Status(201) })
	r.GET("/readyz", h.readyz)
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	ts := &testServer{t: t, srv: srv}

	if code, _ := readyz(t, srv.URL); code != 200 {
		t.Fatalf("readyz before: %d", code)
	}
	a := ts.api("POST", "/api/v1/save", "", `{}`)
	checkErrorShape(t, "no space", a, 503, "unavailable")
	if msg := a.Body["error"].(map[string]any)["message"]; msg != noSpaceMessage || strings.Contains(string(a.Raw), "disk is full (13)") {
		t.Fatalf("API message: %s", a.Raw)
	}
	if !h.space.full() {
		t.Fatal("the failure was not remembered for readiness")
	}
	p := ts.api("POST", "/save", "", `{}`)
	if p.Status != 503 || !strings.Contains(string(p.Raw), "Nothing was lost") || !strings.Contains(string(p.Raw), "Temporarily unavailable") {
		t.Fatalf("page: %d %s", p.Status, p.Raw)
	}
	// A write that succeeds ends the state.
	if ok := ts.api("POST", "/api/v1/ok", "", `{}`); ok.Status != 201 || h.space.full() {
		t.Fatalf("after a successful write: %d, still full: %v", ok.Status, h.space.full())
	}
	if a := ts.api("POST", "/api/v1/save", "", `{}`); a.Status != 503 || !h.space.full() {
		t.Fatalf("no space again: %d, remembered: %v", a.Status, h.space.full())
	}
	// The disk here has room: readiness's own write succeeds and ends the state.
	if code, body := readyz(t, srv.URL); code != 200 || h.space.full() {
		t.Fatalf("readyz after a write succeeds: %d %q (still full: %v)", code, body, h.space.full())
	}
}

// TestFullDisk fills a real (small) file system under the embedded engine:
// writes and sign-in answer 503 with the no-space message, /readyz says why,
// and everything recovers by itself once there is room again.
func TestFullDisk(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("mounting a small tmpfs needs root; TestNoSpaceAnswers503 covers the answers")
	}
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=48m", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs here (%v: %s); TestNoSpaceAnswers503 covers the answers", err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v %s", dir, err, out)
		}
	})
	ctx := context.Background()
	eng, err := embeddb.Start(ctx, filepath.Join(dir, "data"), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(eng.Close)
	st, err := store.Open(ctx, store.Options{URI: eng.URI(), DBName: "full", Embedded: true, Prepare: eng.IndexIDs,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close(context.Background()) })
	ts := serverOn(t, st, &testClock{t: time.Date(2026, 6, 15, 12, 0, 0, 0, time.UTC)})
	call := ts.makeCall("belize-2026", nil)
	u, tok := ts.user("Pat Participant", "NGO", "civil_society")

	// Take every free block with a ballast file.
	ballast := filepath.Join(dir, "ballast")
	f, err := os.Create(ballast)
	if err != nil {
		t.Fatal(err)
	}
	chunk := make([]byte, 64<<10)
	for {
		if _, err := f.Write(chunk); err != nil {
			break
		}
	}
	f.Close()

	var refused apiResp
	for i := 0; ; i++ {
		r := ts.api("POST", "/api/v1/calls/"+call+"/notes", tok, withFields("title", fmt.Sprint("Draft ", i)))
		if r.Status == 201 {
			if i > 5000 {
				t.Fatal("5,000 drafts fitted on a full disk")
			}
			continue
		}
		refused = r
		t.Logf("%d drafts fitted before the disk was full", i)
		break
	}
	checkErrorShape(t, "a draft on a full disk", refused, 503, "unavailable")
	if msg := refused.Body["error"].(map[string]any)["message"]; msg != noSpaceMessage {
		t.Fatalf("message on a full disk: %s", refused.Raw)
	}
	if code, body := readyz(t, ts.srv.URL); code != 503 || !strings.Contains(body, "disk is full") {
		t.Fatalf("readyz on a full disk: %d %q", code, body)
	}
	login := ts.api("POST", "/api/v1/login", "", map[string]string{"email": u.Email, "password": "a long enough password"})
	if login.Status != 503 || login.errCode() != "unavailable" {
		t.Fatalf("sign-in on a full disk: %d %s", login.Status, login.Raw)
	}
	page := ts.browser().post("/login", url.Values{"email": {u.Email}, "password": {"a long enough password"}})
	if page.Status != 503 || !strings.Contains(page.Body, "Nothing was lost") || strings.Contains(page.Body, "disk is full (13)") {
		t.Fatalf("sign-in page on a full disk: %d %s", page.Status, page.Body)
	}

	if err := os.Remove(ballast); err != nil {
		t.Fatal(err)
	}
	if code, body := readyz(t, ts.srv.URL); code != 200 {
		t.Fatalf("readyz once there is room: %d %q", code, body)
	}
	if r := ts.api("POST", "/api/v1/calls/"+call+"/notes", tok, completeNote()); r.Status != 201 {
		t.Fatalf("a draft once there is room: %d %s", r.Status, r.Raw)
	}
	if r := ts.api("POST", "/api/v1/login", "", map[string]string{"email": u.Email, "password": "a long enough password"}); r.Status != 200 {
		t.Fatalf("sign-in once there is room: %d %s", r.Status, r.Raw)
	}
}
