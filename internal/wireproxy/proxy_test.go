package wireproxy

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"cocreate/internal/embeddb"
)

// The backends are FerretDBs without a proxy in front, never MONGODB_URI:
// the suite's MONGODB_URI runs already go through a proxy, which would hide
// the loss these tests need to see without one. backend is one of the
// test's own (the SQLite handler); backends adds FerretDB on PostgreSQL when
// scripts/test-mongo.sh runs one (COCREATE_TEST_FERRETDB_PG, its address
// without the proxy).
func backends(t *testing.T) map[string]string {
	t.Helper()
	bs := map[string]string{"sqlite": backend(t)}
	if pg := os.Getenv("COCREATE_TEST_FERRETDB_PG"); pg != "" {
		bs["postgresql"] = pg
	}
	return bs
}

func backend(t *testing.T) string {
	t.Helper()
	s, err := embeddb.Start(context.Background(), t.TempDir(), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	u := s.URI() // mongodb://127.0.0.1:port/
	return u[len("mongodb://") : len(u)-1]
}

func proxy(t *testing.T, to string) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := New(to, nil)
	done := make(chan error, 1)
	go func() { done <- p.Serve(l) }()
	t.Cleanup(func() {
		l.Close()
		p.Close()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return l.Addr().String()
}

func client(t *testing.T, addr string) *mongo.Client {
	t.Helper()
	c, err := mongo.Connect(options.Client().ApplyURI("mongodb://" + addr + "/").
		SetServerSelectionTimeout(5 * time.Second).SetMaxPoolSize(64))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Disconnect(context.Background()) })
	return c
}

var dbSeq atomic.Int64

// racingIncs runs n $inc of one document from 32 goroutines, in a database
// of its own that it drops afterwards, and returns the document's final count.
func racingIncs(t *testing.T, c *mongo.Client, n int) int {
	t.Helper()
	ctx := context.Background()
	db := c.Database(fmt.Sprintf("race_%d_%d", os.Getpid()%100000, dbSeq.Add(1)))
	defer db.Drop(context.Background())
	coll := db.Collection("counters")
	if _, err := coll.InsertOne(ctx, bson.D{{Key: "_id", Value: "c"}, {Key: "n", Value: 0}}); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	work := make(chan struct{})
	errs := make(chan error, n)
	for range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range work {
				_, err := coll.UpdateOne(ctx, bson.D{{Key: "_id", Value: "c"}},
					bson.D{{Key: "$inc", Value: bson.D{{Key: "n", Value: 1}}}})
				if err != nil {
					errs <- err
				}
			}
		}()
	}
	for range n {
		work <- struct{}{}
	}
	close(work)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("$inc: %v", err)
	}
	var got struct {
		N int `bson:"n"`
	}
	if err := coll.FindOne(ctx, bson.D{{Key: "_id", Value: "c"}}).Decode(&got); err != nil {
		t.Fatal(err)
	}
	return got.N
}

func TestRacingIncrementsThroughTheProxyAreAllKept(t *testing.T) {
	const n = 500
	for name, b := range backends(t) {
		t.Run(name, func(t *testing.T) {
			if got := racingIncs(t, client(t, proxy(t, b)), n); got != n {
				t.Fatalf("through the proxy to FerretDB on %s: %d racing $inc kept %d", name, n, got)
			}
		})
	}
}

// TestRacingIncrementsWithoutTheProxyAreLost shows what the proxy is for:
// the same race straight to the backend loses increments. Should a FerretDB
// release make updates atomic, this fails, and the proxy can go.
func TestRacingIncrementsWithoutTheProxyAreLost(t *testing.T) {
	const n = 500
	for name, b := range backends(t) {
		t.Run(name, func(t *testing.T) {
			got := racingIncs(t, client(t, b), n)
			t.Logf("straight to FerretDB on %s: %d racing $inc kept %d", name, n, got)
			if got == n {
				t.Fatalf("straight to FerretDB on %s, %d racing $inc kept all: its updates are atomic now", name, n)
			}
		})
	}
}

// TestWritesToOtherCollectionsAndReadsAreNotHeld checks the lock's scope: a
// held write lock on one namespace stops neither a write to another
// collection nor a read of the same one.
func TestWritesToOtherCollectionsAndReadsAreNotHeld(t *testing.T) {
	b := backend(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := New(b, nil)
	go p.Serve(l)
	t.Cleanup(func() { l.Close(); p.Close() })
	c := client(t, l.Addr().String())
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := c.Database("d").Collection("a").InsertOne(ctx, bson.D{{Key: "_id", Value: 1}}); err != nil {
		t.Fatal(err)
	}

	held := p.lockOf("d.a")
	held.Lock()
	if _, err := c.Database("d").Collection("b").InsertOne(ctx, bson.D{{Key: "_id", Value: 1}}); err != nil {
		t.Fatalf("write to another collection while d.a is held: %v", err)
	}
	if err := c.Database("d").Collection("a").FindOne(ctx, bson.D{{Key: "_id", Value: 1}}).Err(); err != nil {
		t.Fatalf("read of d.a while its write lock is held: %v", err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := c.Database("d").Collection("a").UpdateOne(ctx, bson.D{{Key: "_id", Value: 1}},
			bson.D{{Key: "$set", Value: bson.D{{Key: "x", Value: 1}}}})
		done <- err
	}()
	select {
	case err := <-done:
		t.Fatalf("a write to d.a went through while its lock was held (err %v)", err)
	case <-time.After(300 * time.Millisecond):
	}
	held.Unlock()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// opMsg builds an OP_MSG with the given flags and sections.
func opMsgBytes(flags uint32, sections ...[]byte) []byte {
	body := binary.LittleEndian.AppendUint32(nil, flags)
	for _, s := range sections {
		body = append(body, s...)
	}
	h := make([]byte, headerLen)
	binary.LittleEndian.PutUint32(h[0:], uint32(headerLen+len(body)))
	binary.LittleEndian.PutUint32(h[12:], opMsg)
	return append(h, body...)
}

func bodySection(d bson.D) []byte {
	b, err := bson.Marshal(d)
	if err != nil {
		panic(err)
	}
	return append([]byte{0}, b...)
}

func seqSection(id string, docs ...bson.D) []byte {
	var payload []byte
	payload = append(payload, id...)
	payload = append(payload, 0)
	for _, d := range docs {
		b, _ := bson.Marshal(d)
		payload = append(payload, b...)
	}
	s := binary.LittleEndian.AppendUint32([]byte{1}, uint32(4+len(payload)))
	return append(s, payload...)
}

func TestWriteNamespace(t *testing.T) {
	doc := bson.D{{Key: "x", Value: 1}}
	cases := []struct {
		name string
		msg  []byte
		want string
	}{
		{"insert", opMsgBytes(0, bodySection(bson.D{{Key: "insert", Value: "notes"}, {Key: "$db", Value: "cc"}})), "cc.notes"},
		{"update", opMsgBytes(0, bodySection(bson.D{{Key: "update", Value: "users"}, {Key: "ordered", Value: true}, {Key: "$db", Value: "cc"}})), "cc.users"},
		{"delete", opMsgBytes(0, bodySection(bson.D{{Key: "delete", Value: "s"}, {Key: "$db", Value: "x"}})), "x.s"},
		{"findAndModify", opMsgBytes(0, bodySection(bson.D{{Key: "findAndModify", Value: "c"}, {Key: "$db", Value: "d"}})), "d.c"},
		{"findandmodify", opMsgBytes(0, bodySection(bson.D{{Key: "findandmodify", Value: "c"}, {Key: "$db", Value: "d"}})), "d.c"},
		{"document sequence after the body", opMsgBytes(0, bodySection(bson.D{{Key: "insert", Value: "n"}, {Key: "$db", Value: "d"}}), seqSection("documents", doc, doc)), "d.n"},
		{"document sequence before the body", opMsgBytes(0, seqSection("documents", doc), bodySection(bson.D{{Key: "insert", Value: "n"}, {Key: "$db", Value: "d"}})), "d.n"},
		{"checksum", append(opMsgBytes(flagChecksumPresent, bodySection(bson.D{{Key: "update", Value: "n"}, {Key: "$db", Value: "d"}})), 0, 0, 0, 0), "d.n"},
		{"find is a read", opMsgBytes(0, bodySection(bson.D{{Key: "find", Value: "notes"}, {Key: "$db", Value: "cc"}})), ""},
		{"aggregate is a read", opMsgBytes(0, bodySection(bson.D{{Key: "aggregate", Value: "notes"}, {Key: "$db", Value: "cc"}})), ""},
		{"no $db", opMsgBytes(0, bodySection(bson.D{{Key: "insert", Value: "notes"}})), ""},
		{"collection not a string", opMsgBytes(0, bodySection(bson.D{{Key: "insert", Value: 1}, {Key: "$db", Value: "cc"}})), ""},
		{"truncated", opMsgBytes(0, bodySection(bson.D{{Key: "insert", Value: "n"}, {Key: "$db", Value: "d"}}))[:30], ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := writeNamespace(tc.msg); got != tc.want {
				t.Fatalf("writeNamespace = %q, want %q", got, tc.want)
			}
		})
	}
	query := opMsgBytes(0, bodySection(bson.D{{Key: "insert", Value: "n"}, {Key: "$db", Value: "d"}}))
	binary.LittleEndian.PutUint32(query[12:], 2004) // OP_QUERY
	if got := writeNamespace(query); got != "" {
		t.Fatalf("an OP_QUERY is not parsed as OP_MSG: got %q", got)
	}
}

func TestReadMessageRefusesBadLengths(t *testing.T) {
	for _, n := range []uint32{0, 15, maxMessage + 1} {
		h := make([]byte, headerLen)
		binary.LittleEndian.PutUint32(h, n)
		if _, err := readMessage(&byteReader{b: h}); err == nil || err == io.EOF {
			t.Fatalf("length %d: err %v, want a length error", n, err)
		}
	}
}

type byteReader struct{ b []byte }

func (r *byteReader) Read(p []byte) (int, error) {
	if len(r.b) == 0 {
		return 0, io.EOF
	}
	n := copy(p, r.b)
	r.b = r.b[n:]
	return n, nil
}
