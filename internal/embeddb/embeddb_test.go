package embeddb

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func connect(t *testing.T, uri string) *mongo.Client {
	t.Helper()
	c, err := mongo.Connect(options.Client().ApplyURI(uri).SetServerSelectionTimeout(5 * time.Second))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Disconnect(context.Background()) })
	return c
}

func TestStartStoreStopRestart(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "data") // does not exist yet: Start creates it
	s, err := Start(ctx, dir, quiet)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(s.URI(), "mongodb://127.0.0.1:") {
		t.Fatalf("URI %q is not on loopback", s.URI())
	}
	c := connect(t, s.URI())
	if err := c.Ping(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Database("keep").Collection("things").InsertOne(ctx, bson.D{{Key: "_id", Value: "a"}, {Key: "n", Value: 42}}); err != nil {
		t.Fatal(err)
	}
	_ = c.Disconnect(ctx)
	s.Close()

	// The data lives in dir as SQLite files.
	files, _ := filepath.Glob(filepath.Join(dir, "*.sqlite"))
	if len(files) == 0 {
		entries, _ := os.ReadDir(dir)
		t.Fatalf("no SQLite files in the data directory: %v", entries)
	}

	// Stopped: nothing listens any more.
	c2, _ := mongo.Connect(options.Client().ApplyURI(s.URI()).SetServerSelectionTimeout(500 * time.Millisecond))
	if err := c2.Ping(ctx, nil); err == nil {
		t.Fatal("the stopped server still answers")
	}
	_ = c2.Disconnect(ctx)

	// A backup is a copy of the stopped directory (README, "Backups").
	backup := filepath.Join(t.TempDir(), "backup")
	if err := os.CopyFS(backup, os.DirFS(dir)); err != nil {
		t.Fatal(err)
	}
	sb, err := Start(ctx, backup, quiet)
	if err != nil {
		t.Fatalf("start on the copy: %v", err)
	}
	cb := connect(t, sb.URI())
	if n, err := cb.Database("keep").Collection("things").CountDocuments(ctx, bson.D{{Key: "_id", Value: "a"}}); err != nil || n != 1 {
		t.Fatalf("the copy lacks the data: n=%d err=%v", n, err)
	}
	_ = cb.Disconnect(ctx)
	sb.Close()

	// A restart on the same directory finds the data (and the lock was released).
	s2, err := Start(ctx, dir, quiet)
	if err != nil {
		t.Fatalf("restart: %v", err)
	}
	// Close waits for clients to hang up, so disconnect first.
	c3 := connect(t, s2.URI())
	defer s2.Close()
	defer c3.Disconnect(ctx)
	var got struct {
		N int `bson:"n"`
	}
	if err := c3.Database("keep").Collection("things").FindOne(ctx, bson.D{{Key: "_id", Value: "a"}}).Decode(&got); err != nil {
		t.Fatalf("data did not survive the restart: %v", err)
	}
	if got.N != 42 {
		t.Fatalf("n = %d, want 42", got.N)
	}
}

func TestSecondStartOnTheSameDirectoryIsRefused(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Start(ctx, dir, quiet)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Start(ctx, dir, quiet)
	if !errors.Is(err, ErrLocked) {
		s.Close()
		t.Fatalf("second Start: %v, want ErrLocked", err)
	}
	if !strings.Contains(err.Error(), "in use by another cocreate process") {
		t.Errorf("message %q does not say the directory is in use", err)
	}
	// A relative spelling of the same directory is the same lock.
	wd, _ := os.Getwd()
	if rel, rerr := filepath.Rel(wd, dir); rerr == nil {
		if _, err := Start(ctx, rel, quiet); !errors.Is(err, ErrLocked) {
			t.Errorf("Start(%s): %v, want ErrLocked", rel, err)
		}
	}
	// The first server still works after the refusals.
	c := connect(t, s.URI())
	if err := c.Ping(ctx, nil); err != nil {
		t.Fatalf("first server broken by the refused start: %v", err)
	}
	_ = c.Disconnect(ctx)
	s.Close()
	s2, err := Start(ctx, dir, quiet)
	if err != nil {
		t.Fatalf("start after Close: %v", err)
	}
	s2.Close()
}

func TestDataDirectoryUnderAFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "plain-file")
	if err := os.WriteFile(file, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Start(context.Background(), filepath.Join(file, "data"), quiet)
	if err == nil || !strings.Contains(err.Error(), "create data directory") {
		t.Fatalf("Start under a file: %v, want a clear error", err)
	}
}

func TestUnwritableDataDirectory(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("running as root: root may write to any directory, so there is no unwritable directory to test with")
	}
	parent := t.TempDir()
	if err := os.Chmod(parent, 0o500); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.Chmod(parent, 0o700) })
	for _, dir := range []string{parent, filepath.Join(parent, "data")} {
		_, err := Start(context.Background(), dir, quiet)
		if err == nil || !(strings.Contains(err.Error(), "not writable") || strings.Contains(err.Error(), "create data directory")) {
			t.Errorf("Start(%s): %v, want a clear not-writable error", dir, err)
		}
	}
}
