package store_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"cocreate/internal/notes"
	"cocreate/internal/review"
	"cocreate/internal/store"
	"cocreate/internal/testdb"
)

func newCallAndDrafts(t *testing.T, s *store.Store, n int) (*store.Call, []*store.Note) {
	t.Helper()
	ctx := context.Background()
	call := &store.Call{Slug: "derived", Title: "Derived", RefPrefix: "DV", TimeZone: "UTC"}
	if err := s.CreateCall(ctx, call); err != nil {
		t.Fatal(err)
	}
	var out []*store.Note
	for i := range n {
		note := &store.Note{CallID: call.ID, Owner: fmt.Sprint("owner", i%3), State: "draft",
			Fields: notes.Fields{Title: fmt.Sprint("Note ", i), PolicyArea: "fiscal_openness"}}
		if err := s.CreateNote(ctx, note); err != nil {
			t.Fatal(err)
		}
		out = append(out, note)
	}
	return call, out
}

func submit(ctx context.Context, s *store.Store, call *store.Call, n *store.Note) (*store.Note, error) {
	return s.ApplyChange(ctx, n.ID, store.Change{States: []string{"draft"}, Version: n.Version,
		To:      "submitted",
		Ref:     &store.RefStamp{Counter: "ref:" + call.ID, Prefix: call.RefPrefix},
		History: &store.HistoryEntry{From: "draft", To: "submitted", Event: "submit", By: n.Owner, ByRole: "owner"}})
}

// TestReferencesContinueAfterRestart checks that a restarted store carries
// on from the highest reference its notes carry, with no stored counter at
// all on the embedded engine (where the counter lives only in memory), and
// rebuilds every summary from the notes.
func TestReferencesContinueAfterRestart(t *testing.T) {
	ctx := context.Background()
	s := testdb.Open(t)
	call, drafts := newCallAndDrafts(t, s, 6)
	for _, d := range drafts[:3] {
		if _, err := submit(ctx, s, call, d); err != nil {
			t.Fatal(err)
		}
	}
	if s.Embedded() {
		// Nothing writes a counter there; make sure none is left to read.
		if err := s.DB().Collection("counters").Drop(ctx); err != nil {
			t.Fatal(err)
		}
	}
	before, err := s.Summaries(ctx, store.SummaryFilter{CallID: call.ID})
	if err != nil {
		t.Fatal(err)
	}

	r := testdb.Reopen(t, s)
	after, err := r.Summaries(ctx, store.SummaryFilter{CallID: call.ID})
	if err != nil {
		t.Fatal(err)
	}
	key := func(xs []store.Summary) []string {
		var out []string
		for _, x := range xs {
			out = append(out, fmt.Sprint(x.ID, x.State, x.Ref, x.Version, x.Title))
		}
		slices.Sort(out)
		return out
	}
	if !slices.Equal(key(before), key(after)) || len(after) != 6 {
		t.Fatalf("summaries after restart differ:\n%v\n%v", key(before), key(after))
	}
	n, err := submit(ctx, r, call, drafts[3])
	if err != nil {
		t.Fatal(err)
	}
	if n.Ref != "DV-0004" {
		t.Fatalf("first reference after restart = %q, want DV-0004", n.Ref)
	}
	mine, err := r.Summaries(ctx, store.SummaryFilter{CallID: call.ID, Owner: drafts[3].Owner, States: []string{"submitted"}})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(mine, func(x store.Summary) bool { return x.ID == n.ID && x.Ref == "DV-0004" }) {
		t.Fatalf("the new submission is missing from its owner's list: %+v", mine)
	}
}

// TestCachedReadsFollowEveryWrite reads notes while they change through
// several write paths, and checks each read afterwards matches the engine.
func TestCachedReadsFollowEveryWrite(t *testing.T) {
	ctx := context.Background()
	s := testdb.Open(t)
	call, drafts := newCallAndDrafts(t, s, 8)
	engine := func(id string) *store.Note {
		var n store.Note
		if err := store.NoteColl(s, id).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&n); err != nil {
			t.Fatal(err)
		}
		return &n
	}
	same := func(why string) {
		t.Helper()
		for _, d := range drafts {
			got, err := s.NoteByID(ctx, d.ID)
			if err != nil {
				t.Fatal(err)
			}
			want := engine(d.ID)
			if got.Version != want.Version || got.State != want.State || got.Ref != want.Ref ||
				!slices.Equal(got.Conflicts, want.Conflicts) || (got.Score == nil) != (want.Score == nil) {
				t.Fatalf("%s: note %s read as v%d %s %q %v, the engine has v%d %s %q %v", why, d.ID,
					got.Version, got.State, got.Ref, got.Conflicts, want.Version, want.State, want.Ref, want.Conflicts)
			}
			sum, err := s.SummaryByID(ctx, d.ID)
			if err != nil {
				t.Fatal(err)
			}
			if sum.Version != want.Version || sum.State != want.State || sum.Ref != want.Ref {
				t.Fatalf("%s: summary of %s is v%d %s %q, the note v%d %s %q", why, d.ID,
					sum.Version, sum.State, sum.Ref, want.Version, want.State, want.Ref)
			}
		}
	}
	same("after creation")

	// Readers race writers: 8 notes submitted while 8 goroutines keep reading them.
	stop := make(chan struct{})
	var readers sync.WaitGroup
	for range 8 {
		readers.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				for _, d := range drafts {
					if _, err := s.NoteByID(ctx, d.ID); err != nil {
						t.Error(err)
						return
					}
				}
			}
		})
	}
	var writers sync.WaitGroup
	for _, d := range drafts {
		writers.Go(func() {
			if _, err := submit(ctx, s, call, d); err != nil {
				t.Error(err)
			}
		})
	}
	writers.Wait()
	time.Sleep(20 * time.Millisecond)
	close(stop)
	readers.Wait()
	same("after submissions raced with reads")

	// A compare-and-set that is refused leaves the cached copy right.
	if _, err := submit(ctx, s, call, drafts[0]); err == nil {
		t.Fatal("a second submission of one draft version was accepted")
	}
	same("after a refused change")

	// Scores stored by the background pass reach reads and summaries.
	mean := 2.5
	if _, err := s.SetScores(ctx, call.ID, map[string]*review.Score{drafts[1].ID: {Reviews: 3, Mean: mean, NormalisedMean: &mean}}); err != nil {
		t.Fatal(err)
	}
	same("after a score was stored")
	if n, _ := s.NoteByID(ctx, drafts[1].ID); n.Score == nil || n.Score.Mean != mean {
		t.Fatalf("stored score not read back: %+v", n.Score)
	}

	// A write whose filter is not one _id (here: every note of one owner) reaches reads too.
	if err := store.RawSetWhere(ctx, s, "notes", bson.D{{Key: "owner", Value: "owner0"}},
		bson.D{{Key: "conflicts", Value: bson.A{"r1"}}}); err != nil {
		t.Fatal(err)
	}
	same("after a write to every note of one owner")
}

// TestNotesOfAnEarlierLayoutMoveIntoShards puts a note where versions
// before the shards kept notes (the main database's notes collection) and
// checks a restarted store moves it, loses nothing and lists it.
func TestNotesOfAnEarlierLayoutMoveIntoShards(t *testing.T) {
	s := testdb.Open(t)
	if !s.Embedded() {
		t.Skip("notes are sharded on the embedded engine only")
	}
	ctx := context.Background()
	note := store.Note{ID: "old-note-1", CallID: "c1", Owner: "u1", State: "submitted", Ref: "OL-0007", Version: 3,
		Fields: notes.Fields{Title: "Kept from before"}, History: []store.HistoryEntry{}, Assignments: []store.Assignment{}, Conflicts: []string{}}
	if _, err := s.DB().Collection("notes").InsertOne(ctx, note); err != nil {
		t.Fatal(err)
	}
	r := testdb.Reopen(t, s)
	got, err := r.NoteByID(ctx, note.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Title != "Kept from before" || got.Version != 3 || got.Ref != "OL-0007" {
		t.Fatalf("moved note: %+v", got)
	}
	var inShard store.Note
	if err := store.NoteColl(r, note.ID).FindOne(ctx, bson.D{{Key: "_id", Value: note.ID}}).Decode(&inShard); err != nil {
		t.Fatalf("not in its shard: %v", err)
	}
	names, err := r.DB().ListCollectionNames(ctx, bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(names, "notes") {
		t.Fatal("the main database still has a notes collection")
	}
	sums, err := r.Summaries(ctx, store.SummaryFilter{CallID: "c1"})
	if err != nil || len(sums) != 1 || sums[0].Ref != "OL-0007" {
		t.Fatalf("summaries after the move: %+v %v", sums, err)
	}
	// The call's references carry on after the moved one.
	call := &store.Call{ID: "c1", Slug: "old", Title: "Old", RefPrefix: "OL", TimeZone: "UTC"}
	if err := r.CreateCall(ctx, call); err != nil {
		t.Fatal(err)
	}
	d := &store.Note{CallID: "c1", Owner: "u2", State: "draft", Fields: notes.Fields{Title: "New"}}
	if err := r.CreateNote(ctx, d); err != nil {
		t.Fatal(err)
	}
	n, err := submit(ctx, r, call, d)
	if err != nil {
		t.Fatal(err)
	}
	if n.Ref != "OL-0008" {
		t.Fatalf("next reference %q, want OL-0008", n.Ref)
	}
}

// TestShardCountIsKeptPerDataDirectory checks that the number of note
// shards recorded for a database is the one a restarted store uses.
func TestShardCountIsKeptPerDataDirectory(t *testing.T) {
	s := testdb.Open(t)
	if !s.Embedded() {
		if n := len(s.NoteCollections()); n != 1 {
			t.Fatalf("MongoDB: %d note collections, want 1", n)
		}
		t.Skip("notes are sharded on the embedded engine only")
	}
	ctx := context.Background()
	if n := len(s.NoteCollections()); n != 4 {
		t.Fatalf("a new database has %d note shards, want 4", n)
	}
	if _, err := s.DB().Collection("meta").UpdateOne(ctx, bson.D{{Key: "_id", Value: "note_shards"}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "value", Value: 2}}}}); err != nil {
		t.Fatal(err)
	}
	r := testdb.Reopen(t, s)
	if n := len(r.NoteCollections()); n != 2 {
		t.Fatalf("recorded 2 shards, the store opened %d", n)
	}
}

// TestReferencesContinueAboveTheHighestInAnyShard puts a call's highest
// reference in the first note shard read at start, a lower one after it,
// and lower ones in every other shard, with gaps, and checks that after a restart the next reference is
// above the highest and none repeats.
func TestReferencesContinueAboveTheHighestInAnyShard(t *testing.T) {
	ctx := context.Background()
	s := testdb.Open(t)
	if !s.Embedded() {
		t.Skip("on MongoDB the counter is stored; the note shards are the embedded engine's")
	}
	call := &store.Call{Slug: "shards", Title: "Shards", RefPrefix: "SH", TimeZone: "UTC"}
	if err := s.CreateCall(ctx, call); err != nil {
		t.Fatal(err)
	}
	shards := len(s.NoteCollections())
	idIn := func(shard int) string {
		for {
			if id := store.NewID(); store.NoteShard(s, id) == shard {
				return id
			}
		}
	}
	at := time.Now().UTC()
	var ns []*store.Note
	add := func(shard, ref int) {
		ns = append(ns, &store.Note{ID: idIn(shard), CallID: call.ID, Owner: "o", State: "submitted",
			Ref: fmt.Sprintf("SH-%04d", ref), SubmittedAt: &at})
	}
	add(0, 17) // the highest, read first
	add(0, 5)  // and a lower one read after it in the same shard
	for i := 1; i < shards; i++ {
		add(i, 2*i)
	}
	if err := s.InsertNotes(ctx, ns); err != nil {
		t.Fatal(err)
	}
	r := testdb.Reopen(t, s)
	seen := map[string]bool{}
	for _, n := range ns {
		seen[n.Ref] = true
	}
	_, drafts := newCallAndDrafts(t, r, 3)
	for _, d := range drafts {
		d.CallID = call.ID
		n, err := r.ApplyChange(ctx, d.ID, store.Change{States: []string{"draft"}, Version: d.Version,
			To:  "submitted",
			Ref: &store.RefStamp{Counter: store.RefCounter(call.ID), Prefix: call.RefPrefix}})
		if err != nil {
			t.Fatal(err)
		}
		if num, _ := strconv.Atoi(strings.TrimPrefix(n.Ref, "SH-")); num <= 17 || seen[n.Ref] {
			t.Fatalf("reference %q after a restart: want one above SH-0017, never repeated", n.Ref)
		}
		seen[n.Ref] = true
	}
}

// TestStartReadsThroughTheEngineWhenTheFileScanFails opens a store whose
// file scan fails half-way (after handing over a note that does not
// exist), and checks that it rebuilt exactly the same
// summaries and counters as a store whose scan worked, and the store that
// wrote them.
func TestStartReadsThroughTheEngineWhenTheFileScanFails(t *testing.T) {
	ctx := context.Background()
	s := testdb.Open(t)
	if !s.Embedded() {
		t.Skip("only the embedded engine derives summaries at start")
	}
	call, drafts := newCallAndDrafts(t, s, 8)
	for _, d := range drafts[:5] {
		if _, err := submit(ctx, s, call, d); err != nil {
			t.Fatal(err)
		}
	}
	uri, _ := testdb.URI(t)
	var scans atomic.Int32
	failing := func(ctx context.Context, db, coll string, fn func(bson.Raw) error) error {
		ghost, err := bson.Marshal(store.Note{ID: fmt.Sprint("ghost", scans.Add(1)), CallID: call.ID, State: "submitted", Ref: "DV-0099"})
		if err != nil {
			return err
		}
		if err := fn(ghost); err != nil {
			return err
		}
		return errors.New("the file cannot be read")
	}
	broken, err := store.Open(ctx, store.Options{URI: uri, DBName: s.DB().Name(), Embedded: true, Scan: failing})
	if err != nil {
		t.Fatal(err)
	}
	defer broken.Close(ctx)
	if scans.Load() == 0 {
		t.Fatal("Open did not use the scan it was given")
	}
	want, err := s.Summaries(ctx, store.SummaryFilter{CallID: call.ID})
	if err != nil {
		t.Fatal(err)
	}
	byID := func(xs []store.Summary) map[string]store.Summary {
		m := map[string]store.Summary{}
		for _, x := range xs {
			m[x.ID] = x
		}
		return m
	}
	for name, r := range map[string]*store.Store{"scanned": testdb.Reopen(t, s), "read through the engine": broken} {
		got, err := r.Summaries(ctx, store.SummaryFilter{CallID: call.ID})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(byID(got), byID(want)) {
			t.Errorf("%s: summaries differ from the writer's:\n%+v\n%+v", name, got, want)
		}
		if seq, err := r.NextSeq(ctx, store.RefCounter(call.ID)); err != nil || seq != 6 {
			t.Errorf("%s: next reference number %d, %v; want 6", name, seq, err)
		}
	}
}
