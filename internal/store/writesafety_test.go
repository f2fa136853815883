package store_test

import (
	"context"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"cocreate/internal/store"
	"cocreate/internal/testdb"
)

// TestConcurrentWritesAreNotLost races counters, field updates and
// compare-and-set through the store. On the embedded engine without the
// store's write lock each of these loses updates (FerretDB issue #3040).
func TestConcurrentWritesAreNotLost(t *testing.T) {
	s := testdb.Open(t)
	ctx := context.Background()

	t.Run("counter", func(t *testing.T) {
		const n = 200
		var wg sync.WaitGroup
		got := make(chan int64, n)
		for range n {
			wg.Go(func() {
				v, err := s.NextSeq(ctx, "race")
				if err != nil {
					t.Error(err)
					return
				}
				got <- v
			})
		}
		wg.Wait()
		close(got)
		seen := map[int64]bool{}
		for v := range got {
			if seen[v] {
				t.Fatalf("counter handed out %d twice", v)
			}
			seen[v] = true
		}
		for i := int64(1); i <= n; i++ {
			if !seen[i] {
				t.Fatalf("counter skipped %d (got %d values)", i, len(seen))
			}
		}
	})

	t.Run("increments", func(t *testing.T) {
		const n = 300
		if err := store.RawInsert(ctx, s, "race_docs", bson.D{{Key: "_id", Value: "a"}, {Key: "n", Value: 0}}); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		for range n {
			wg.Go(func() {
				if err := store.RawInc(ctx, s, "race_docs", "a", "n"); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		var doc struct{ N int }
		if err := s.DB().Collection("race_docs").FindOne(ctx, bson.D{{Key: "_id", Value: "a"}}).Decode(&doc); err != nil {
			t.Fatal(err)
		}
		if doc.N != n {
			t.Fatalf("after %d concurrent $inc the field is %d", n, doc.N)
		}
	})

	for _, cas := range []struct {
		name string
		fn   func(ctx context.Context, s *store.Store, coll, id, state string, version int, next string) (bool, error)
	}{{"compare-and-set", store.RawCAS}, {"compare-and-set by _id", store.RawCASUpdate}, {"replace by _id", store.RawCASReplace}} {
		t.Run(cas.name, func(t *testing.T) {
			testCAS(t, s, cas.name, cas.fn)
		})
	}
}

func testCAS(t *testing.T, s *store.Store, name string, fn func(ctx context.Context, s *store.Store, coll, id, state string, version int, next string) (bool, error)) {
	ctx := context.Background()
	{
		for round := range 10 {
			id := name + string(rune('a'+round))
			if err := store.RawInsert(ctx, s, "race_docs", bson.D{{Key: "_id", Value: id}, {Key: "state", Value: "draft"}, {Key: "version", Value: 1}}); err != nil {
				t.Fatal(err)
			}
			const racers = 20
			var wg sync.WaitGroup
			var mu sync.Mutex
			wins := 0
			for range racers {
				wg.Go(func() {
					ok, err := fn(ctx, s, "race_docs", id, "draft", 1, "submitted")
					if err != nil {
						t.Error(err)
						return
					}
					if ok {
						mu.Lock()
						wins++
						mu.Unlock()
					}
				})
			}
			wg.Wait()
			if wins != 1 {
				t.Fatalf("round %d: %d of %d compare-and-set racers won; want exactly 1", round, wins, racers)
			}
		}
	}
}

// TestNoWriteBypassesTheLock keeps every driver write call inside store.go,
// where the write lock is taken.
func TestNoWriteBypassesTheLock(t *testing.T) {
	writes := map[string]bool{"UpdateOne": true, "UpdateMany": true, "FindOneAndUpdate": true, "FindOneAndReplace": true,
		"FindOneAndDelete": true, "ReplaceOne": true, "DeleteOne": true, "DeleteMany": true, "BulkWrite": true,
		"InsertOne": true, "InsertMany": true} // inserts take no lock, but run to their end like every write
	files, _ := filepath.Glob("*.go")
	fset := token.NewFileSet()
	for _, f := range files {
		if f == "store.go" || strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		file, err := parser.ParseFile(fset, f, src, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(file, func(n ast.Node) bool {
			sel, ok := n.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			if id, isIdent := sel.X.(*ast.Ident); isIdent && id.Name == "options" {
				return true // options.FindOneAndUpdate() builds options, it writes nothing
			}
			if writes[sel.Sel.Name] {
				// s.updateOne etc. are lower-case; a capitalised call is the driver's.
				t.Errorf("%s: %s called directly; use the store's locked helper", fset.Position(sel.Pos()), sel.Sel.Name)
			}
			return true
		})
	}
}
