package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"
)

// adminEmail and adminPassword are the coordinator and chair the server
// ensures at start (COCREATE_ADMIN_EMAIL / _PASSWORD).
const (
	adminEmail    = "load-admin@example.org"
	adminPassword = "load-admin-password"
)

// server is the real cocreate binary run as a child process, so that a
// kill -9 is a real one.
type server struct {
	bin     string // the built binary
	dataDir string
	mongo   string // MONGODB_URI, or "" for the embedded engine
	db      string // COCREATE_DB, "" for the default
	addr    string // 127.0.0.1:port, kept across restarts
	logPath string
	cmd     *exec.Cmd
	exited  chan struct{}
	starts  int
}

// buildServer builds ./cmd/cocreate into dir and returns the binary's path.
func buildServer(ctx context.Context, dir string) (string, error) {
	bin := filepath.Join(dir, "cocreate")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/cocreate")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("go build ./cmd/cocreate: %w", err)
	}
	return bin, nil
}

// freeAddr returns a loopback address nothing listens on now.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

func newServer(bin, dataDir, mongo, logDir, name string) (*server, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	return &server{bin: bin, dataDir: dataDir, mongo: mongo, addr: addr, logPath: filepath.Join(logDir, name+".log")}, nil
}

func (s *server) url() string { return "http://" + s.addr }

// start runs the server and waits until /readyz answers 200.
func (s *server) start(ctx context.Context) error {
	if s.cmd != nil {
		return errors.New("the server is already running")
	}
	logf, err := os.OpenFile(s.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	s.starts++
	fmt.Fprintf(logf, "\n==== start %d at %s\n", s.starts, time.Now().UTC().Format(time.RFC3339Nano))
	cmd := exec.Command(s.bin)
	cmd.Env = append(os.Environ(),
		"COCREATE_ADDR="+s.addr,
		"COCREATE_DATA="+s.dataDir,
		"MONGODB_URI="+s.mongo,
		"COCREATE_DB="+s.db,
		"COCREATE_ADMIN_EMAIL="+adminEmail,
		"COCREATE_ADMIN_PASSWORD="+adminPassword,
		"COCREATE_LOG_LEVEL=warn",
		"COCREATE_SMTP_URL=",
	)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		logf.Close()
		return fmt.Errorf("start %s: %w", s.bin, err)
	}
	s.cmd = cmd
	s.exited = make(chan struct{})
	go func() {
		_ = cmd.Wait()
		logf.Close()
		close(s.exited)
	}()
	return s.waitReady(ctx, 90*time.Second)
}

// waitReady polls /readyz until it answers 200.
func (s *server) waitReady(ctx context.Context, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		select {
		case <-s.exited:
			return fmt.Errorf("the server exited during start (see %s)", s.logPath)
		default:
		}
		if code, _ := getStatus(ctx, s.url()+"/readyz"); code == 200 {
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("the server was not ready within %s (see %s)", limit, s.logPath)
}

// kill9 kills the server with SIGKILL and waits until it is gone.
func (s *server) kill9() error {
	if s.cmd == nil {
		return errors.New("the server is not running")
	}
	if err := s.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		return err
	}
	<-s.exited
	s.cmd = nil
	return nil
}

// stop ends the server with SIGTERM, as an operator would, and waits.
func (s *server) stop() error {
	if s.cmd == nil {
		return nil
	}
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return err
	}
	select {
	case <-s.exited:
	case <-time.After(40 * time.Second):
		_ = s.cmd.Process.Signal(syscall.SIGKILL)
		<-s.exited
		s.cmd = nil
		return errors.New("the server did not stop within 40 s of SIGTERM")
	}
	s.cmd = nil
	return nil
}

func getStatus(ctx context.Context, url string) (int, string) {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", url, nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err.Error()
	}
	defer res.Body.Close()
	b := make([]byte, 512)
	n, _ := res.Body.Read(b)
	return res.StatusCode, string(b[:n])
}
