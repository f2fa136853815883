package store

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"runtime"
	"slices"
	"strconv"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"cocreate/internal/apperr"
)

// Note shards on the embedded engine.
//
// SQLite lets one connection write to a database file at a time, and
// FerretDB 1.24 turns each MongoDB database into one SQLite file. With all
// notes in one file every note write queues behind every other (the store's
// write lock, which FerretDB needs anyway because it loses concurrent
// updates, makes that queue explicit), and a note update costs about twice
// an insert, so at a deadline submissions queue behind each other.
//
// On the embedded engine the notes therefore live in several databases
// (named <db>_notes0, <db>_notes1, …: files next to the main one), each
// holding one `notes` collection; a note's shard is a hash of its id.
// writeSched lets one write at a time into each shard, so writes to one
// note still queue behind each other, as FerretDB needs, while writes to
// notes in different shards run at the same time (docs/performance.md has
// the throughput by number of shards).
//
// The number of shards is fixed when a data directory is first used
// (recorded in the main database's `meta` collection), so changing
// defaultNoteShards never strands notes. Everything else (users, calls,
// reviews, …) stays in the main database under the main write lock. On
// MongoDB there is one `notes` collection in the main database, as before.
const defaultNoteShards = 4

type metaDoc struct {
	ID    string `bson:"_id"`
	Value int    `bson:"value"`
}

// noteShardCount returns the data directory's number of note shards,
// recording defaultNoteShards on first use.
func (s *Store) noteShardCount(ctx context.Context) (int, error) {
	meta := s.db.Collection("meta")
	var d metaDoc
	err := meta.FindOne(ctx, bson.D{{Key: "_id", Value: "note_shards"}}).Decode(&d)
	if err == nil && d.Value > 0 {
		return d.Value, nil
	}
	if err != nil && !errors.Is(err, mongo.ErrNoDocuments) {
		return 0, fmt.Errorf("read the number of note shards: %w", wrapDB(err))
	}
	if err := s.insertOne(ctx, meta, metaDoc{ID: "note_shards", Value: defaultNoteShards}); err != nil {
		return 0, fmt.Errorf("record the number of note shards: %w", err)
	}
	return defaultNoteShards, nil
}

// openNoteShards sets up the note collections.
func (s *Store) openNoteShards(ctx context.Context, o Options) error {
	if !o.Embedded {
		s.noteColls = []*mongo.Collection{s.db.Collection("notes")}
		return nil
	}
	n, err := s.noteShardCount(ctx)
	if err != nil {
		return err
	}
	s.shardDB = map[string]int{}
	// One write per core at a time, plus one whose engine work waits on
	// the disk: more at once only lengthens the slowest waits (see
	// docs/performance.md).
	s.sched = newWriteSched(n, min(n, runtime.GOMAXPROCS(0)+1))
	for i := range n {
		name := o.DBName + "_notes" + strconv.Itoa(i)
		s.shardDB[name] = i
		s.noteColls = append(s.noteColls, s.client.Database(name).Collection("notes"))
	}
	return nil
}

// dbNames lists the main database and the note shards' databases.
func (s *Store) dbNames() []string {
	out := []string{s.db.Name()}
	for _, c := range s.noteColls {
		if n := c.Database().Name(); n != s.db.Name() {
			out = append(out, n)
		}
	}
	return out
}

// notesOf returns the collection that holds the note with id.
func (s *Store) notesOf(id string) *mongo.Collection {
	if len(s.noteColls) == 1 {
		return s.noteColls[0]
	}
	h := fnv.New32a()
	h.Write([]byte(id))
	return s.noteColls[h.Sum32()%uint32(len(s.noteColls))]
}

// NoteCollections returns every collection notes are kept in (one on
// MongoDB, one per shard on the embedded engine), for benchmarks that
// measure the engine itself.
func (s *Store) NoteCollections() []*mongo.Collection { return slices.Clone(s.noteColls) }

// Drop deletes the main database and the note shards' databases.
func (s *Store) Drop(ctx context.Context) error {
	var errs []error
	for _, name := range s.dbNames() {
		if err := s.client.Database(name).Drop(ctx); err != nil {
			errs = append(errs, fmt.Errorf("drop %s: %w", name, wrapDB(err)))
		}
	}
	s.dropCaches()
	return errors.Join(errs...)
}

// migrateNotesToShards moves notes that an earlier version kept in the main
// database's `notes` collection into their shards, at start on the
// embedded engine. Each note is copied, then deleted from the main
// database; a copy left by an interrupted move is recognised and kept.
func (s *Store) migrateNotesToShards(ctx context.Context) error {
	if s.shardDB == nil {
		return nil
	}
	names, err := s.db.ListCollectionNames(ctx, bson.D{})
	if err != nil {
		return fmt.Errorf("look for notes to move into shards: %w", wrapDB(err))
	}
	if !slices.Contains(names, "notes") {
		return nil
	}
	old := s.db.Collection("notes")
	cur, err := old.Find(ctx, bson.D{})
	if err != nil {
		return fmt.Errorf("read notes to move into shards: %w", wrapDB(err))
	}
	var docs []bson.Raw
	for cur.Next(ctx) {
		docs = append(docs, cloneRaw(cur.Current))
	}
	if err := cur.Err(); err != nil {
		cur.Close(ctx)
		return fmt.Errorf("read notes to move into shards: %w", wrapDB(err))
	}
	cur.Close(ctx)
	for _, raw := range docs {
		id, ok := raw.Lookup("_id").StringValueOK()
		if !ok {
			return fmt.Errorf("move notes into shards: a note has no string _id: %v", raw.Lookup("_id"))
		}
		if err := s.insertOne(ctx, s.notesOf(id), raw); err != nil && !errors.Is(err, apperr.ErrDuplicate) {
			return fmt.Errorf("move note %s into its shard: %w", id, err)
		}
		if _, err := s.deleteOne(ctx, old, bson.D{{Key: "_id", Value: id}}); err != nil {
			return fmt.Errorf("move note %s into its shard: %w", id, err)
		}
	}
	if err := old.Drop(ctx); err != nil {
		return fmt.Errorf("move notes into shards: %w", wrapDB(err))
	}
	if len(docs) > 0 {
		s.log.Info("moved notes into shards", "notes", len(docs), "shards", len(s.noteColls))
	}
	return nil
}

// drawSeq returns the next value of a counter kept in memory (embedded):
// the smallest value given back by a failed write, or one more than the
// highest drawn.
func (s *Store) drawSeq(name string) int64 {
	s.seqMu.Lock()
	defer s.seqMu.Unlock()
	if free := s.seqFree[name]; len(free) > 0 {
		v := free[0]
		s.seqFree[name] = free[1:]
		return v
	}
	s.seqs[name]++
	return s.seqs[name]
}

// returnSeq gives back a value whose write failed, so no number is burned:
// the next draw takes it (or, when it was the highest, the counter steps back).
func (s *Store) returnSeq(name string, v int64) {
	s.seqMu.Lock()
	defer s.seqMu.Unlock()
	if v == s.seqs[name] {
		s.seqs[name]--
		// Values given back earlier that are now at the top go too.
		free := s.seqFree[name]
		for len(free) > 0 && free[len(free)-1] == s.seqs[name] {
			free = free[:len(free)-1]
			s.seqs[name]--
		}
		s.seqFree[name] = free
		return
	}
	free := append(s.seqFree[name], v)
	slices.Sort(free)
	s.seqFree[name] = free
}
