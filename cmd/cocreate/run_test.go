package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"cocreate/internal/config"
)

// syncBuffer is an io.Writer the server goroutine and the test can share.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.String()
}

func envOf(kv map[string]string) func(string) string { return func(k string) string { return kv[k] } }

// baseEnv serves on a free loopback port with data in dir.
func baseEnv(dir string, extra ...string) map[string]string {
	m := map[string]string{"COCREATE_ADDR": "127.0.0.1:0", "COCREATE_DATA": dir, "COCREATE_SHUTDOWN_GRACE": "5s"}
	for i := 0; i+1 < len(extra); i += 2 {
		m[extra[i]] = extra[i+1]
	}
	return m
}

// server is a run() serving in the background.
type server struct {
	url            string
	cancel         context.CancelFunc
	errc           chan error
	stdout, stderr *syncBuffer
}

var servingRe = regexp.MustCompile(`cocreate is serving on (http://\S+)`)

func startServer(t *testing.T, env map[string]string, args ...string) *server {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := &server{cancel: cancel, errc: make(chan error, 1), stdout: &syncBuffer{}, stderr: &syncBuffer{}}
	go func() { s.errc <- run(ctx, args, envOf(env), strings.NewReader(""), s.stdout, s.stderr) }()
	deadline := time.Now().Add(60 * time.Second)
	for {
		if m := servingRe.FindStringSubmatch(s.stdout.String()); m != nil {
			s.url = m[1]
			break
		}
		select {
		case err := <-s.errc:
			cancel()
			t.Fatalf("run stopped before serving: %v\n%s", err, s.stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("run did not start serving:\n%s", s.stderr.String())
		}
	}
	t.Cleanup(func() { s.stop(t) })
	return s
}

// stop cancels the context (as SIGINT/SIGTERM do) and returns run's result.
func (s *server) stop(t *testing.T) error {
	t.Helper()
	if s.cancel == nil {
		return nil
	}
	s.cancel()
	s.cancel = nil
	select {
	case err := <-s.errc:
		return err
	case <-time.After(30 * time.Second):
		t.Fatal("run did not return after its context was cancelled")
		return nil
	}
}

// post sends JSON to the server and decodes the JSON answer.
func (s *server) post(t *testing.T, path string, body any) (int, map[string]any) {
	t.Helper()
	js, _ := json.Marshal(body)
	res, err := http.Post(s.url+path, "application/json", bytes.NewReader(js))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out map[string]any
	raw, _ := io.ReadAll(res.Body)
	_ = json.Unmarshal(raw, &out)
	return res.StatusCode, out
}

func (s *server) login(t *testing.T, email, password string) (int, string) {
	t.Helper()
	status, out := s.post(t, "/api/v1/login", map[string]string{"email": email, "password": password})
	tok, _ := out["token"].(string)
	return status, tok
}

func (s *server) get(t *testing.T, path, token string) int {
	t.Helper()
	req, _ := http.NewRequest("GET", s.url+path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

func TestHelpListsEverySettingAndReturnsCleanly(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), []string{"-h"}, envOf(nil), strings.NewReader(""), &stdout, &stderr); err != nil {
		t.Fatalf("-h: %v", err)
	}
	for _, s := range config.Settings {
		if !strings.Contains(stderr.String(), "-"+s.Flag) || !strings.Contains(stderr.String(), s.Env) {
			t.Errorf("help lacks -%s / %s", s.Flag, s.Env)
		}
	}
	stderr.Reset()
	if err := run(context.Background(), []string{"user", "add", "-h"}, envOf(nil), strings.NewReader(""), &stdout, &stderr); err != nil {
		t.Fatalf("user add -h: %v", err)
	}
	for _, f := range []string{"-email", "-name", "-roles", "-organization", "-sector"} {
		if !strings.Contains(stderr.String(), f) {
			t.Errorf("user add help lacks %s", f)
		}
	}
}

func TestRestartKeepsTheData(t *testing.T) {
	dir := t.TempDir()
	env := baseEnv(dir, "COCREATE_ADMIN_EMAIL", "Admin@Example.org", "COCREATE_ADMIN_PASSWORD", "change-me-now", "COCREATE_LOG_FORMAT", "json")
	s := startServer(t, env)
	if s.get(t, "/healthz", "") != 200 || s.get(t, "/readyz", "") != 200 {
		t.Fatal("not healthy")
	}
	status, _ := s.post(t, "/api/v1/register", map[string]string{"email": "ana@example.org", "password": "a long enough password",
		"name": "Ana", "organization": "Org", "sector": "media", "district": "cayo"})
	if status != 201 {
		t.Fatalf("register: %d", status)
	}
	status, tok := s.login(t, "admin@example.org", "change-me-now")
	if status != 200 || s.get(t, "/api/v1/users?role=coordinator", tok) != 200 {
		t.Fatalf("the first coordinator cannot sign in and list people: %d", status)
	}
	if err := s.stop(t); err != nil {
		t.Fatalf("graceful shutdown returned %v", err)
	}
	// The port is closed after shutdown.
	if c, err := net.DialTimeout("tcp", strings.TrimPrefix(s.url, "http://"), time.Second); err == nil {
		c.Close()
		t.Fatal("still listening after shutdown")
	}
	// Logs were JSON, one object a line, and the start-up said what it did.
	for _, line := range strings.Split(strings.TrimSpace(s.stderr.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line is not JSON: %q", line)
		}
	}
	for _, want := range []string{`"msg":"created the first coordinator"`, `"msg":"serving"`, `"msg":"shutting down"`} {
		if !strings.Contains(s.stderr.String(), want) {
			t.Errorf("logs lack %s", want)
		}
	}
	if strings.Contains(s.stderr.String(), `"level":"WARN"`) || strings.Contains(s.stderr.String(), `"level":"ERROR"`) {
		t.Errorf("a clean start and stop logged warnings:\n%s", s.stderr.String())
	}
	if strings.Contains(s.stderr.String(), "change-me-now") || strings.Contains(s.stderr.String(), tok) {
		t.Error("logs contain the admin password or a token")
	}

	// Second start: the admin's password in the environment changed, which
	// must not overwrite the account's password.
	env["COCREATE_ADMIN_PASSWORD"] = "another password"
	s2 := startServer(t, env)
	if status, _ := s2.login(t, "ana@example.org", "a long enough password"); status != 200 {
		t.Fatalf("registered account after restart: %d", status)
	}
	if status, _ := s2.login(t, "admin@example.org", "change-me-now"); status != 200 {
		t.Fatalf("admin with the original password after restart: %d", status)
	}
	if status, _ := s2.login(t, "admin@example.org", "another password"); status != 401 {
		t.Fatalf("restart overwrote the admin's password: %d", status)
	}
	if strings.Contains(s2.stderr.String(), "created the first coordinator") {
		t.Error("the first coordinator was created twice")
	}
}

func TestSecondProcessOnTheSameDataDirectory(t *testing.T) {
	dir := t.TempDir()
	s := startServer(t, baseEnv(dir))
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), nil, envOf(baseEnv(dir)), strings.NewReader(""), &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), "in use by another cocreate process") || !strings.Contains(err.Error(), dir) {
		t.Fatalf("second run: %v, want a clear \"in use\" error naming the directory", err)
	}
	err = run(context.Background(), []string{"user", "add", "--email", "x@example.org", "--name", "X"}, envOf(baseEnv(dir)),
		strings.NewReader("a long enough password\n"), &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), "in use") {
		t.Fatalf("user add while serving: %v", err)
	}
	if s.get(t, "/readyz", "") != 200 {
		t.Fatal("the first server was disturbed")
	}
}

func TestUserAdd(t *testing.T) {
	dir := t.TempDir()
	env := baseEnv(dir)
	add := func(stdin string, args ...string) (string, error) {
		var stdout, stderr bytes.Buffer
		err := run(context.Background(), append([]string{"user", "add"}, args...), envOf(env), strings.NewReader(stdin), &stdout, &stderr)
		if strings.Contains(stdout.String()+stderr.String(), "a long enough password") {
			t.Error("user add echoed the password")
		}
		return stdout.String(), err
	}
	if _, err := add("short\n", "--email", "chair@example.org", "--name", "Carla Chair"); err == nil || !strings.Contains(err.Error(), "at least 10 characters") {
		t.Fatalf("short password: %v", err)
	}
	if _, err := add("", "--email", "chair@example.org", "--name", "Carla Chair"); err == nil || !strings.Contains(err.Error(), "no password") {
		t.Fatalf("no password: %v", err)
	}
	if _, err := add("a long enough password\n", "--name", "Carla Chair"); err == nil || !strings.Contains(err.Error(), "--email") {
		t.Fatalf("no e-mail: %v", err)
	}
	if _, err := add("a long enough password\n", "--email", "x@example.org", "--name", "X", "--roles", "king"); err == nil || !strings.Contains(err.Error(), "roles") {
		t.Fatalf("unknown role: %v", err)
	}
	out, err := add("a long enough password\r\n", "--email", "Chair@Example.org", "--name", "Carla Chair", "--roles", "coordinator, chair")
	if err != nil {
		t.Fatalf("user add: %v", err)
	}
	if !strings.Contains(out, "Created Carla Chair <chair@example.org> with roles coordinator, chair") {
		t.Errorf("output %q", out)
	}
	// Without a trailing newline the password is read too.
	if _, err := add("another long password", "--email", "rev@example.org", "--name", "Rev", "--roles", "reviewer", "--sector", "academia"); err != nil {
		t.Fatalf("password without a newline: %v", err)
	}
	if _, err := add("a long enough password\n", "--email", "chair@example.org", "--name", "Again"); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("duplicate: %v", err)
	}

	s := startServer(t, env)
	status, tok := s.login(t, "chair@example.org", "a long enough password")
	if status != 200 || s.get(t, "/api/v1/users", tok) != 200 {
		t.Fatalf("the added coordinator cannot sign in and list people: %d", status)
	}
	if status, _ := s.login(t, "rev@example.org", "another long password"); status != 200 {
		t.Fatalf("the added reviewer: %d", status)
	}
}

func TestStartupErrorsAreClear(t *testing.T) {
	file := filepath.Join(t.TempDir(), "a-file")
	if err := os.WriteFile(file, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	for _, tc := range []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"log format", baseEnv(t.TempDir(), "COCREATE_LOG_FORMAT", "xml"), nil, "COCREATE_LOG_FORMAT must be text or json"},
		{"only the admin e-mail", baseEnv(t.TempDir(), "COCREATE_ADMIN_EMAIL", "a@example.org"), nil, "set both COCREATE_ADMIN_EMAIL and COCREATE_ADMIN_PASSWORD"},
		{"only the admin password", baseEnv(t.TempDir(), "COCREATE_ADMIN_PASSWORD", "change-me-now"), nil, "set both COCREATE_ADMIN_EMAIL and COCREATE_ADMIN_PASSWORD"},
		{"short admin password", baseEnv(t.TempDir(), "COCREATE_ADMIN_EMAIL", "a@example.org", "COCREATE_ADMIN_PASSWORD", "short"), nil, "at least 10 characters"},
		{"bad admin e-mail", baseEnv(t.TempDir(), "COCREATE_ADMIN_EMAIL", "admin", "COCREATE_ADMIN_PASSWORD", "change-me-now"), nil, "e-mail address"},
		{"data directory under a file", baseEnv(filepath.Join(file, "data")), nil, "create data directory"},
		{"address in use", baseEnv(t.TempDir(), "COCREATE_ADDR", busy.Addr().String()), nil, "listen on " + busy.Addr().String()},
		{"unknown flag", baseEnv(t.TempDir()), []string{"-port", "80"}, "flag provided but not defined"},
		{"stray argument", baseEnv(t.TempDir()), []string{"serve"}, `unexpected argument "serve"`},
		{"database unreachable", baseEnv(t.TempDir(), "MONGODB_URI", "mongodb://user:secret@127.0.0.1:1/"), nil, "the database at mongodb://***@127.0.0.1:1/ did not answer"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := run(context.Background(), tc.args, envOf(tc.env), strings.NewReader(""), &stdout, &stderr)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one saying %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "secret") {
				t.Errorf("the error shows the database password: %v", err)
			}
		})
	}
}

func TestUnwritableDataDirectory(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("running as root: root may write to any directory, so there is no unwritable directory to test with")
	}
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o500); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.Chmod(dir, 0o700) })
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), nil, envOf(baseEnv(dir)), strings.NewReader(""), &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), "not writable") {
		t.Fatalf("err = %v, want a clear not-writable error", err)
	}
}

// TestShutdownFinishesInFlightRequests cancels run while a request is being
// answered: new connections are refused at once, the request in flight is
// still answered, and then run returns nil.
func TestShutdownFinishesInFlightRequests(t *testing.T) {
	s := startServer(t, baseEnv(t.TempDir()))
	addr := strings.TrimPrefix(s.url, "http://")
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	body := `{"email": "nobody@example.org", "password": "a long enough password"}`
	head := "POST /api/v1/login HTTP/1.1\r\nHost: " + addr + "\r\nContent-Type: application/json\r\nConnection: close\r\n" +
		"Expect: 100-continue\r\nContent-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n"
	if _, err := io.WriteString(conn, head); err != nil {
		t.Fatal(err)
	}
	// The server says 100 Continue when the handler starts reading the body:
	// from then on the request is certainly in flight.
	rd := bufio.NewReader(conn)
	if res, err := http.ReadResponse(rd, nil); err != nil || res.StatusCode != http.StatusContinue {
		t.Fatalf("no 100 Continue: %v %v", res, err)
	}
	cancel := s.cancel
	s.cancel = nil
	cancel() // as SIGTERM does

	// The listener closes: new connections are refused.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			break
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatal("still accepting connections after shutdown began")
		}
	}
	select {
	case err := <-s.errc:
		t.Fatalf("run returned (%v) before the request in flight was answered", err)
	default:
	}
	// The rest of the request arrives and is answered.
	if _, err := io.WriteString(conn, body); err != nil {
		t.Fatal(err)
	}
	res, err := http.ReadResponse(rd, nil)
	if err != nil {
		t.Fatalf("the request in flight was not answered: %v", err)
	}
	res.Body.Close()
	if res.StatusCode != 401 {
		t.Fatalf("in-flight sign-in answered %d, want 401", res.StatusCode)
	}
	select {
	case err := <-s.errc:
		if err != nil {
			t.Fatalf("run returned %v after a graceful shutdown", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("run did not return after the last request")
	}
}
