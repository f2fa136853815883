// Package testdb gives tests a real database: one embedded engine per test
// package (or the MongoDB at MONGODB_URI when a tester sets it), and a fresh
// database for each test.
package testdb

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"cocreate/internal/embeddb"
	"cocreate/internal/notes"
	"cocreate/internal/store"
)

var (
	uri      string
	embedded bool
	server   *embeddb.Server
	dir      string
	seq      atomic.Int64
	once     sync.Once
	startErr error
)

// Main starts the engine, runs the package's tests and stops it. Call it from
// TestMain. The after funcs run once the tests are done, before the engine stops.
func Main(m *testing.M, after ...func()) {
	code := m.Run()
	for _, f := range after {
		f()
	}
	if server != nil {
		server.Close()
	}
	if dir != "" {
		os.RemoveAll(dir)
	}
	os.Exit(code)
}

func start() {
	if u := os.Getenv("MONGODB_URI"); u != "" {
		uri = u
		return
	}
	d, err := os.MkdirTemp("", "cocreate-test-*")
	if err != nil {
		startErr = err
		return
	}
	dir = d
	server, startErr = embeddb.Start(context.Background(), d, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if startErr == nil {
		uri = server.URI()
		embedded = true
	}
}

// URI returns the address of the test engine, starting it on first use.
func URI(t testing.TB) (string, bool) {
	t.Helper()
	once.Do(start)
	if startErr != nil {
		t.Fatalf("start the test database: %v", startErr)
	}
	return uri, embedded
}

// Name returns a database name unique to this test run.
func Name(t testing.TB) string {
	n := strings.NewReplacer("/", "_", " ", "_", "#", "_").Replace(t.Name())
	if len(n) > 30 {
		n = n[:30]
	}
	return fmt.Sprintf("t%d_%d_%s", os.Getpid()%100000, seq.Add(1), n)
}

// Open returns a Store on a fresh database that is dropped when the test ends.
func Open(t testing.TB) *store.Store {
	t.Helper()
	return OpenWith(t, store.Faults{})
}

// OpenWith is Open with faults that make chosen writes fail.
func OpenWith(t testing.TB, faults store.Faults) *store.Store {
	t.Helper()
	s := open(t, Name(t), faults)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = s.Drop(ctx)
		_ = s.Close(ctx)
	})
	return s
}

// Reopen returns a second Store on s's database, as a restarted process
// would open it: nothing of s's memory carries over. It is closed (not
// dropped) when the test ends.
func Reopen(t testing.TB, s *store.Store) *store.Store {
	t.Helper()
	r := open(t, s.Name(), store.Faults{})
	t.Cleanup(func() { _ = r.Close(context.Background()) })
	return r
}

func open(t testing.TB, db string, faults store.Faults) *store.Store {
	t.Helper()
	u, emb := URI(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	opts := store.Options{URI: u, DBName: db, Embedded: emb,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Faults: faults}
	if server != nil {
		opts.Prepare, opts.Scan = server.IndexIDs, server.ScanDocuments
	}
	s, err := store.Open(ctx, opts)
	if err != nil {
		t.Fatalf("open test store %s: %v", db, err)
	}
	return s
}

// Raw returns s's main database through a driver connection of its own,
// for tests that read or write behind the store's back. The store's
// caches do not see such writes: read them back through Reopen.
func Raw(t testing.TB, s *store.Store) *mongo.Database {
	t.Helper()
	u, _ := URI(t)
	c, err := mongo.Connect(options.Client().ApplyURI(u))
	if err != nil {
		t.Fatalf("connect to the test database: %v", err)
	}
	t.Cleanup(func() { _ = c.Disconnect(context.Background()) })
	return c.Database(s.Name())
}

// SubmittedNotes makes total submitted notes of call "bench" (about 1.8 KB
// each, with three assignments and four history entries), as the
// start-up benchmarks store them.
func SubmittedNotes(total int) []*store.Note {
	text := strings.Repeat("Residents need district budget data every month. ", 3)
	start := time.Now().UTC().Add(-48 * time.Hour).Truncate(time.Millisecond)
	ns := make([]*store.Note, 0, total)
	for i := range total {
		at := start.Add(time.Duration(i) * time.Second)
		owner := fmt.Sprint("u", i%400)
		ns = append(ns, &store.Note{CallID: "bench", Owner: owner, State: "submitted",
			Ref: fmt.Sprintf("BN-%05d", i+1), SubmittedAt: &at, Version: 4,
			Fields: notes.Fields{Title: fmt.Sprint("Note ", i), Summary: text, Problem: text, Commitment: text,
				Change: text, PolicyArea: "fiscal_openness", Values: []string{"transparency"}},
			Assignments: []store.Assignment{
				{ReviewerID: fmt.Sprint("r", i%30), Sector: "government", ReviewState: "submitted", At: at},
				{ReviewerID: fmt.Sprint("r", (i+1)%30), Sector: "civil_society", ReviewState: "draft", At: at},
				{ReviewerID: fmt.Sprint("r", (i+2)%30), Sector: "academia", ReviewState: "assigned", At: at}},
			History: []store.HistoryEntry{
				{From: "", To: "draft", Event: "create", By: owner, ByRole: "owner", At: at},
				{From: "draft", To: "submitted", Event: "submit", By: owner, ByRole: "owner", At: at},
				{From: "submitted", To: "screened", Event: "screen", By: "c1", ByRole: "coordinator", At: at},
				{From: "screened", To: "submitted", Event: "return", By: "c1", ByRole: "coordinator", At: at,
					Reason: "Please say which district."}}})
	}
	return ns
}
