// Package embeddb runs the embedded MongoDB-compatible server (FerretDB with
// its SQLite handler) that cocreate uses when no MONGODB_URI is configured.
package embeddb

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
)

// ErrLocked reports that another process already holds the data directory.
var ErrLocked = errors.New("the data directory is in use by another cocreate process")

// Server is a running embedded database.
type Server struct {
	dir    string
	uri    string
	log    *slog.Logger
	cancel context.CancelFunc
	done   chan struct{}
	lock   *os.File

	stopCheckpoints context.CancelFunc
	checkpointsDone chan struct{}
}

// Start creates dir if needed, takes an exclusive OS lock on it, and starts
// FerretDB on a free loopback port with its SQLite files in dir, and the
// checkpoints that keep their write-ahead logs small (checkpoint.go).
func Start(ctx context.Context, dir string, logger *slog.Logger) (*Server, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("create data directory %s: %w", dir, err)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("data directory %s: %w", dir, err)
	}
	lock, err := os.OpenFile(filepath.Join(abs, ".lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("data directory %s is not writable: %w", abs, err)
	}
	// flock dies with the process, so a crash or kill -9 leaves nothing to clean.
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		lock.Close()
		return nil, fmt.Errorf("%w (%s)", ErrLocked, abs)
	}
	probe := filepath.Join(abs, ".write-probe")
	if err := os.WriteFile(probe, []byte("ok"), 0o600); err != nil {
		lock.Close()
		return nil, fmt.Errorf("data directory %s is not writable: %w", abs, err)
	}
	os.Remove(probe)

	port, err := freePort()
	if err != nil {
		lock.Close()
		return nil, err
	}
	if logger == nil {
		logger = slog.Default()
	}
	// FerretDB logs every connection at info and dumps whole wire messages at
	// warn (for example for the driver's endSessions at every shutdown, a
	// command it does not implement); keep only its errors.
	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: fmt.Sprintf("127.0.0.1:%d", port)},
		Handler:   "sqlite",
		SQLiteURL: "file:" + abs + "/" + fmt.Sprintf("?_pragma=journal_size_limit(%d)", walLimit),
		Logger:    slog.New(levelFilter{h: logger.Handler(), min: slog.LevelError}),
	})
	if err != nil {
		lock.Close()
		return nil, fmt.Errorf("start embedded database: %w", err)
	}
	runCtx, cancel := context.WithCancel(context.Background())
	s := &Server{dir: abs, log: logger, cancel: cancel, done: make(chan struct{}), lock: lock}
	go func() {
		defer close(s.done)
		_ = f.Run(runCtx)
	}()
	s.uri = fmt.Sprintf("mongodb://127.0.0.1:%d/", port)
	// Wait until the listener accepts connections.
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), 200*time.Millisecond)
		if err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			s.Close()
			return nil, fmt.Errorf("embedded database did not start: %w", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	cctx, stop := context.WithCancel(context.Background())
	s.stopCheckpoints, s.checkpointsDone = stop, make(chan struct{})
	go s.checkpointLoop(cctx, checkpointEvery, s.checkpointsDone)
	return s, nil
}

// URI is the mongodb:// address of the embedded server.
func (s *Server) URI() string { return s.uri }

// Close stops the checkpoints and the server, waits for them to finish and
// releases the lock.
func (s *Server) Close() {
	if s.stopCheckpoints != nil {
		s.stopCheckpoints()
		<-s.checkpointsDone
		s.stopCheckpoints = nil
	}
	s.cancel()
	select {
	case <-s.done:
	case <-time.After(10 * time.Second):
	}
	if s.lock != nil {
		s.lock.Close()
		s.lock = nil
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free loopback port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// levelFilter passes the engine's records at min or above to h. The engine
// derives a logger with attributes for every operation, and almost none of
// them ever logs, so attributes and groups are only remembered here and
// applied to h when a record is actually handled: h (a text or JSON
// handler) would otherwise format them on every operation.
type levelFilter struct {
	h   slog.Handler
	min slog.Level
	ops []func(slog.Handler) slog.Handler // WithAttrs and WithGroup, in order
}

func (l levelFilter) Enabled(ctx context.Context, lv slog.Level) bool {
	return lv >= l.min && l.h.Enabled(ctx, lv)
}

func (l levelFilter) Handle(ctx context.Context, r slog.Record) error {
	h := l.h
	for _, op := range l.ops {
		h = op(h)
	}
	return h.Handle(ctx, r)
}

func (l levelFilter) WithAttrs(a []slog.Attr) slog.Handler {
	a = slices.Clone(a)
	return l.with(func(h slog.Handler) slog.Handler { return h.WithAttrs(a) })
}

func (l levelFilter) WithGroup(n string) slog.Handler {
	return l.with(func(h slog.Handler) slog.Handler { return h.WithGroup(n) })
}

func (l levelFilter) with(op func(slog.Handler) slog.Handler) levelFilter {
	return levelFilter{h: l.h, min: l.min, ops: append(slices.Clip(l.ops), op)}
}
