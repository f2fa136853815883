package embeddb

import (
	"context"
	"database/sql"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// TestIndexIDsIsUsedByIDLookups checks that SQLite's plan for the engine's
// own `_id` look-up uses the index IndexIDs creates (and did not before).
func TestIndexIDsIsUsedByIDLookups(t *testing.T) {
	dir := t.TempDir()
	s, err := Start(context.Background(), dir, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	cl, err := mongo.Connect(options.Client().ApplyURI(s.URI()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Disconnect(ctx)
	if _, err := cl.Database("idx").Collection("things").InsertOne(ctx, bson.D{{Key: "_id", Value: "a"}}); err != nil {
		t.Fatal(err)
	}

	plan := func() string {
		db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "idx.sqlite"))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var table string
		if err := db.QueryRow(`SELECT table_name FROM _ferretdb_collections WHERE name = 'things'`).Scan(&table); err != nil {
			t.Fatal(err)
		}
		rows, err := db.Query(`EXPLAIN QUERY PLAN SELECT _ferretdb_sjson FROM "`+table+`" WHERE _ferretdb_sjson->'$._id' = ?`, `"a"`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var id, parent, notused int
			var detail string
			if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
				t.Fatal(err)
			}
			out = append(out, detail)
		}
		return strings.Join(out, "; ")
	}
	if p := plan(); strings.Contains(p, "_cocreate_uid") {
		t.Fatalf("index present before IndexIDs: %s", p)
	}
	for range 2 { // idempotent
		if err := s.IndexIDs(ctx, "idx"); err != nil {
			t.Fatal(err)
		}
	}
	if p := plan(); !strings.Contains(p, "USING INDEX") || !strings.Contains(p, "_cocreate_uid") {
		t.Fatalf("the _id look-up does not use the index: %s", p)
	}
	// The engine's own _id index is gone, and _id stays unique.
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "idx.sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM sqlite_master WHERE type = 'index' AND sql LIKE '%->"_id")'`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("engine's own _id indexes left: %d %v", n, err)
	}
	db.Close()
	coll := cl.Database("idx").Collection("things")
	if _, err := coll.InsertOne(ctx, bson.D{{Key: "_id", Value: "a"}}); !mongo.IsDuplicateKeyError(err) {
		t.Fatalf("a second document with _id a: %v, want a duplicate key error", err)
	}

	// The engine still answers through its own connections.
	var got bson.M
	if err := cl.Database("idx").Collection("things").FindOne(ctx, bson.D{{Key: "_id", Value: "a"}}).Decode(&got); err != nil {
		t.Fatal(err)
	}
	if err := s.IndexIDs(ctx, "missing"); err != nil {
		t.Fatalf("a database with no file yet: %v", err)
	}
}
