package embeddb

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"math"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// TestScanDocumentsMatchesTheEngine checks that ScanDocuments gives, byte
// for byte, the BSON the engine itself returns for the same documents,
// for every BSON type the engine stores, nested in documents and arrays
// (the engine refuses arrays in arrays),
// and that a missing database or collection has no documents.
func TestScanDocumentsMatchesTheEngine(t *testing.T) {
	s, err := Start(context.Background(), t.TempDir(), slog.New(slog.NewTextHandler(io.Discard, nil)))
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
	c := cl.Database("scan").Collection("things")
	at := time.Date(2026, 3, 4, 5, 6, 7, 8e6, time.UTC)
	docs := []any{
		bson.D{{Key: "_id", Value: "plain"}, {Key: "s", Value: "tab\t \"quoted\" <html> & é ✓"}, {Key: "i", Value: int32(-7)},
			{Key: "l", Value: int64(1) << 40}, {Key: "f", Value: 0.1}, {Key: "neg0", Value: math.Copysign(0, -1)},
			{Key: "big", Value: 1e300}, {Key: "t", Value: true}, {Key: "no", Value: false}, {Key: "at", Value: at},
			{Key: "before1970", Value: time.Date(1960, 1, 2, 3, 4, 5, 0, time.UTC)},
			{Key: "nothing", Value: nil}, {Key: "oid", Value: bson.NewObjectID()},
			{Key: "bin", Value: bson.Binary{Subtype: 4, Data: []byte{0, 1, 2, 250}}},
			{Key: "re", Value: bson.Regex{Pattern: "^a.*b$", Options: "i"}},
			{Key: "ts", Value: bson.Timestamp{T: 1700000000, I: 42}}, {Key: "empty", Value: ""}},
		bson.D{{Key: "_id", Value: "nested"}, {Key: "z_first", Value: 1.5},
			{Key: "doc", Value: bson.D{{Key: "b", Value: "x"}, {Key: "a", Value: bson.D{{Key: "deep", Value: int32(1)}}}}},
			{Key: "arr", Value: bson.A{"one", int32(2), bson.D{{Key: "k", Value: at}}, true, nil}}, {Key: "emptyarr", Value: bson.A{}},
			{Key: "emptydoc", Value: bson.D{}}, {Key: "a_last", Value: "end"}},
		bson.D{{Key: "_id", Value: bson.NewObjectID()}, {Key: "n", Value: int32(3)}},
	}
	if _, err := c.InsertMany(ctx, docs); err != nil {
		t.Fatal(err)
	}
	cur, err := c.Find(ctx, bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]byte{}
	for cur.Next(ctx) {
		want[cur.Current.Lookup("_id").String()] = bytes.Clone(cur.Current)
	}
	if err := cur.Err(); err != nil || len(want) != len(docs) {
		t.Fatalf("engine gave %d documents, %v", len(want), err)
	}
	got := 0
	err = s.ScanDocuments(ctx, "scan", "things", func(raw bson.Raw) error {
		id := raw.Lookup("_id").String()
		if !bytes.Equal(raw, want[id]) {
			t.Errorf("document %s:\n scan   %s\n engine %s", id, raw, bson.Raw(want[id]))
		}
		got++
		return nil
	})
	if err != nil || got != len(docs) {
		t.Fatalf("scan gave %d documents, %v", got, err)
	}
	for _, where := range [][2]string{{"scan", "nothing"}, {"nowhere", "things"}} {
		n := 0
		if err := s.ScanDocuments(ctx, where[0], where[1], func(bson.Raw) error { n++; return nil }); err != nil || n != 0 {
			t.Errorf("%s.%s: %d documents, %v", where[0], where[1], n, err)
		}
	}
}

// TestStoredJSONThatIsNotWhatTheEngineWritesIsRefused feeds the conversion
// every prefix of a stored document, and documents with a type, a key
// order or a value the engine does not write: each is an error, never a
// panic or a document.
func TestStoredJSONThatIsNotWhatTheEngineWritesIsRefused(t *testing.T) {
	good := `{"$s":{"$k":["_id","s","n","a"],"p":{"_id":{"t":"string"},"s":{"t":"string"},` +
		`"n":{"t":"int"},"a":{"t":"array","i":[{"t":"bool"},{"t":"object","$s":{"$k":["x"],"p":{"x":{"t":"date"}}}}]}}},` +
		`"_id":"a","s":"q\"\\u00e9","n":3,"a":[true,{"x":1700000000000}]}`
	if _, err := sjsonToBSON(nil, []byte(good), schemaCache{}); err != nil {
		t.Fatalf("the well-formed document: %v", err)
	}
	for i := range len(good) {
		if _, err := sjsonToBSON(nil, []byte(good[:i]), schemaCache{}); err == nil {
			t.Errorf("the first %d bytes were accepted", i)
		}
	}
	for _, bad := range []string{
		strings.Replace(good, `"n":{"t":"int"}`, `"n":{"t":"decimal"}`, 1),
		strings.Replace(good, `"_id":"a","s":`, `"s":"a","_id":`, 1),
		strings.Replace(good, `"n":3`, `"n":"3"`, 1),
		strings.Replace(good, `"n":3`, `"n":3000000000`, 1),
		strings.Replace(good, `[true,{`, `[true,false,{`, 1),
		strings.Replace(good, `{"x":1700000000000}`, `{}`, 1),
		good + "x",
	} {
		if _, err := sjsonToBSON(nil, []byte(bad), schemaCache{}); err == nil {
			t.Errorf("accepted %s", bad)
		}
	}
}
