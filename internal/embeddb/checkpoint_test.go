package embeddb

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// TestCheckpointEmptiesTheLogAndKeepsEveryWrite writes over a megabyte,
// checkpoints, and checks that the write-ahead log is empty, that every
// document reads back, and that they are still there after a restart.
func TestCheckpointEmptiesTheLogAndKeepsEveryWrite(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	count := func(s *Server) int64 {
		cl, err := mongo.Connect(options.Client().ApplyURI(s.URI()))
		if err != nil {
			t.Fatal(err)
		}
		defer cl.Disconnect(ctx)
		n, err := cl.Database("ck").Collection("things").CountDocuments(ctx, bson.D{})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	s, err := Start(ctx, dir, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	cl, err := mongo.Connect(options.Client().ApplyURI(s.URI()))
	if err != nil {
		t.Fatal(err)
	}
	c := cl.Database("ck").Collection("things")
	pad := strings.Repeat("x", 4000)
	for i := range 400 {
		if _, err := c.InsertOne(ctx, bson.D{{Key: "_id", Value: i}, {Key: "pad", Value: pad}}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.UpdateOne(ctx, bson.D{{Key: "_id", Value: 7}}, bson.D{{Key: "$set", Value: bson.D{{Key: "last", Value: true}}}}); err != nil {
		t.Fatal(err)
	}
	wal := filepath.Join(dir, "ck.sqlite-wal")
	if fi, err := os.Stat(wal); err != nil || fi.Size() < 1<<20 {
		t.Fatalf("the log before the checkpoint: %v %v", fi, err)
	}
	if err := s.Checkpoint(ctx, 0); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(wal); err != nil || fi.Size() != 0 {
		t.Fatalf("the log after the checkpoint: size %d, %v; want empty", fi.Size(), err)
	}
	if n := count(s); n != 400 {
		t.Fatalf("%d documents after the checkpoint, want 400", n)
	}
	cl.Disconnect(ctx)
	s.Close()
	if s, err = Start(ctx, dir, slog.New(slog.NewTextHandler(io.Discard, nil))); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if n := count(s); n != 400 {
		t.Fatalf("%d documents after a restart, want 400", n)
	}
}

// TestCheckpointNeverCreatesADroppedDatabase checkpoints a database file
// that is gone (dropped after the directory was listed): no file appears.
func TestCheckpointNeverCreatesADroppedDatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "dropped.sqlite")
	_ = checkpointFile(context.Background(), path)
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("the checkpoint created %s (%v)", path, err)
	}
}
