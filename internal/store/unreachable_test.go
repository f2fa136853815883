package store_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/url"
	"sync"
	"testing"
	"time"

	"cocreate/internal/apperr"
	"cocreate/internal/store"
	"cocreate/internal/testdb"
)

// cuttable forwards TCP connections to target until cut closes them all
// and stops listening, as a database host that went down.
type cuttable struct {
	target string
	mu     sync.Mutex
	ln     net.Listener
	conns  []net.Conn
}

func (p *cuttable) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		up, err := net.Dial("tcp", p.target)
		if err != nil {
			c.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, c, up)
		p.mu.Unlock()
		go func() { _, _ = io.Copy(up, c); up.Close() }()
		go func() { _, _ = io.Copy(c, up); c.Close() }()
	}
}

func (p *cuttable) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.ln.Close()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// TestUnreachableDatabaseFailsWithinTwoSeconds: with MONGODB_URI (a store
// that is not the embedded engine's), once the database cannot be reached
// every operation fails as unavailable within 2 s, so that a request
// answers 503 rather than hang; the driver's defaults wait 30 s, and the
// store's earlier 5 s left every request after the first waiting 5 s.
// It runs the MongoDB path's options against the test engine through a
// proxy that it cuts.
func TestUnreachableDatabaseFailsWithinTwoSeconds(t *testing.T) {
	raw, _ := testdb.URI(t)
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &cuttable{target: u.Host, ln: ln}
	go p.serve()
	t.Cleanup(p.cut)
	u.Host = ln.Addr().String()
	ctx := context.Background()
	st, err := store.Open(ctx, store.Options{URI: u.String(), DBName: testdb.Name(t),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		_ = st.Close(cctx)
	})
	if _, err := st.UserByID(ctx, "nobody"); !store.IsNotFound(err) {
		t.Fatalf("before the cut: %v", err)
	}
	if err := st.Drop(ctx); err != nil { // nothing is left behind after the cut
		t.Fatal(err)
	}
	p.cut()
	for i := range 3 {
		start := time.Now()
		_, err := st.UserByID(ctx, "nobody")
		took := time.Since(start)
		if !errors.Is(err, apperr.ErrUnavailable) {
			t.Fatalf("read %d after the cut: %v, want unavailable", i+1, err)
		}
		if took > 2*time.Second {
			t.Fatalf("read %d after the cut failed after %s, want within 2 s", i+1, took)
		}
	}
}
