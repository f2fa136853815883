// Package store keeps cocreate's data in MongoDB, or in the embedded
// MongoDB-compatible engine, through the official driver.
//
// Every update, findOneAndUpdate, replace, bulk write and delete goes through
// the helpers in this file. On the embedded engine they are serialised per
// database file: one lock for the main database, and one writer at a time
// per note shard (shards.go, writesched.go). FerretDB 1.24's SQLite handler
// does not run an update's read and write in one transaction, so concurrent
// updates are otherwise lost (measured: 500 racing $inc kept 15; two
// compare-and-set racers both won). A test (TestNoWriteBypassesTheLock)
// keeps other files from calling the driver's write methods directly.
//
// On the embedded engine the store also keeps in memory what one process
// may: documents read by _id (cache.go), and note summaries and counters,
// which are derived from the notes (derived.go).
package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"cocreate/internal/apperr"
)

// Store is the one concrete data store.
type Store struct {
	client   *mongo.Client
	db       *mongo.Database
	embedded bool
	log      *slog.Logger

	wmu fifoLock // serialises writes to the main database on the embedded engine, first come first served

	revMu   sync.Mutex
	revs    map[string]int64      // call revisions kept in process on the embedded engine
	changes map[string]*changeLog // which notes each call's revisions were for (embedded)

	users, emails, sessions, throttle, idem, counters *mongo.Collection
	calls, reviews, comments                          *mongo.Collection

	// Notes: one collection on MongoDB; on the embedded engine, one in each
	// shard database, written one at a time per shard (see shards.go).
	noteColls []*mongo.Collection
	shardDB   map[string]int // shard database name → index
	sched     *writeSched    // admits writes to the note shards

	// Embedded engine only (see cache.go and derived.go): documents read by
	// _id, note summaries, and counters, kept in the process that owns the data.
	caches  map[string]*docCache
	sums    *sumIndex
	seqMu   sync.Mutex
	seqs    map[string]int64   // counter values; under seqMu
	seqFree map[string][]int64 // values drawn and given back (their write failed); under seqMu
}

// Options configure Open.
type Options struct {
	URI      string
	DBName   string
	Embedded bool // the URI points at the embedded engine: serialise writes
	// Prepare runs after the collections and indexes exist, with the database
	// name; the embedded engine uses it to index `_id` (embeddb.IndexIDs).
	Prepare func(ctx context.Context, db string) error
	// Scan, when set, reads a collection straight from the embedded
	// engine's files (embeddb.ScanDocuments); Open uses it to rebuild what
	// it keeps in memory from the notes, and reads through the engine when
	// Scan fails.
	Scan   ScanFunc
	Logger *slog.Logger
}

// ScanFunc calls fn with every document of collection coll in database db;
// the document is valid only during the call. Open calls it for the note
// shards at the same time.
type ScanFunc func(ctx context.Context, db, coll string, fn func(bson.Raw) error) error

// Open connects, checks the database answers within 5 s and creates the indexes.
func Open(ctx context.Context, o Options) (*Store, error) {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	copts := options.Client().ApplyURI(o.URI).
		SetServerSelectionTimeout(5 * time.Second).
		SetConnectTimeout(5 * time.Second).
		SetAppName("cocreate")
	if o.Embedded {
		copts.SetMaxPoolSize(64)
	}
	client, err := mongo.Connect(copts)
	if err != nil {
		return nil, fmt.Errorf("connect to the database: %w", err)
	}
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := client.Ping(pctx, nil); err != nil {
		_ = client.Disconnect(context.Background())
		return nil, fmt.Errorf("the database at %s did not answer: %w", redact(o.URI), err)
	}
	s := &Store{client: client, db: client.Database(o.DBName), embedded: o.Embedded, log: o.Logger}
	if o.Embedded {
		s.caches = map[string]*docCache{"notes": newDocCache(), "calls": newDocCache(),
			"users": newDocCache(), "sessions": newDocCache()}
	}
	s.users = s.db.Collection("users")
	s.emails = s.db.Collection("user_emails")
	s.sessions = s.db.Collection("sessions")
	s.throttle = s.db.Collection("signin_failures")
	s.idem = s.db.Collection("idempotency")
	s.counters = s.db.Collection("counters")
	s.calls = s.db.Collection("calls")
	if err := s.openNoteShards(ctx, o); err != nil {
		_ = client.Disconnect(context.Background())
		return nil, err
	}
	s.reviews = s.db.Collection("reviews")
	s.comments = s.db.Collection("comments")
	if err := s.migrateNotesToShards(ctx); err != nil {
		_ = client.Disconnect(context.Background())
		return nil, err
	}
	if err := s.ensureIndexes(ctx); err != nil {
		_ = client.Disconnect(context.Background())
		return nil, err
	}
	if err := s.ensureCollections(ctx); err != nil {
		_ = client.Disconnect(context.Background())
		return nil, err
	}
	if o.Prepare != nil {
		for _, name := range s.dbNames() {
			if err := o.Prepare(ctx, name); err != nil {
				_ = client.Disconnect(context.Background())
				return nil, fmt.Errorf("prepare the database %s: %w", name, err)
			}
		}
	}
	if o.Embedded {
		if err := s.loadDerived(ctx, o.Scan); err != nil {
			_ = client.Disconnect(context.Background())
			return nil, err
		}
	}
	return s, nil
}

// Close disconnects from the database. Nothing is kept only in memory:
// what the store derives is rebuilt from the notes at the next Open.
func (s *Store) Close(ctx context.Context) error {
	return s.client.Disconnect(ctx)
}

// Embedded reports whether the store runs on the embedded engine.
func (s *Store) Embedded() bool { return s.embedded }

// Ping checks the database answers within d.
func (s *Store) Ping(ctx context.Context, d time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	if err := s.client.Ping(ctx, nil); err != nil {
		return fmt.Errorf("%w: %v", apperr.ErrUnavailable, err)
	}
	return nil
}

// DB exposes the database for tests and benchmarks that measure the engine itself.
func (s *Store) DB() *mongo.Database { return s.db }

// lock takes the main database's write lock when the engine needs it and
// returns its release.
func (s *Store) lock() func() {
	if !s.embedded {
		return func() {}
	}
	s.wmu.Lock()
	return s.wmu.Unlock
}

// lockFor takes the write lock of the database c is in (the main one or a
// note shard) when the engine needs it, and returns its release.
func (s *Store) lockFor(c *mongo.Collection) func() {
	if !s.embedded {
		return func() {}
	}
	if i, ok := s.shardDB[c.Database().Name()]; ok {
		return s.sched.acquire(i)
	}
	return s.lock()
}

func (s *Store) updateOne(ctx context.Context, c *mongo.Collection, filter, update any, opts ...options.Lister[options.UpdateOneOptions]) (*mongo.UpdateResult, error) {
	defer s.lockFor(c)()
	defer s.touched(c, filter)
	r, err := c.UpdateOne(ctx, filter, update, opts...)
	return r, wrapDB(err)
}

func (s *Store) updateMany(ctx context.Context, c *mongo.Collection, filter, update any, opts ...options.Lister[options.UpdateManyOptions]) (*mongo.UpdateResult, error) {
	defer s.lockFor(c)()
	defer s.touched(c, filter)
	r, err := c.UpdateMany(ctx, filter, update, opts...)
	return r, wrapDB(err)
}

// findOneAndUpdate decodes the document into out; mongo.ErrNoDocuments when
// nothing matched. A note decoded into a *Note must be the one after the
// update (options.After): its in-memory summary is refreshed from it.
func (s *Store) findOneAndUpdate(ctx context.Context, c *mongo.Collection, filter, update, out any, opts ...options.Lister[options.FindOneAndUpdateOptions]) error {
	defer s.lockFor(c)()
	defer s.touched(c, filter)
	res := c.FindOneAndUpdate(ctx, filter, update, opts...)
	if err := res.Err(); err != nil {
		if errors.Is(err, mongo.ErrNoDocuments) {
			return err
		}
		return wrapDB(err)
	}
	if err := res.Decode(out); err != nil {
		return wrapDB(err)
	}
	if n, ok := out.(*Note); ok {
		s.noteWritten(n) // still under the note's write lock
	}
	return nil
}

// casUpdate applies update to the document with id when check accepts the
// document as it is now, and decodes the result into out; it answers
// mongo.ErrNoDocuments when the document is missing or check refuses it.
// On MongoDB, filter (which must include the _id) does the checking in the
// server. On the embedded engine only a filter of exactly {_id} is pushed
// down to SQLite (anything more decodes every document of the collection
// in Go), so the read, the check and the write happen under the write lock
// with _id-only filters instead: equally atomic, since the lock serialises
// every write of the one process that owns the data directory.
//
// stamp, when given, adds fields to the update's $set once the change is
// known to apply (a submission reference: drawn only by the winner, so no
// number is burned). Its second result, when not nil, gives the drawn
// number back if the write then fails. On MongoDB it runs after the change
// won and its fields are set by a second update.
func (s *Store) casUpdate(ctx context.Context, c *mongo.Collection, id string, filter bson.D, check func(bson.Raw) bool,
	update bson.D, out any, stamp func() (bson.D, func(), error)) error {
	after := options.FindOneAndUpdate().SetReturnDocument(options.After)
	byID := bson.D{{Key: "_id", Value: id}}
	if !s.embedded {
		if err := s.findOneAndUpdate(ctx, c, filter, update, out, after); err != nil || stamp == nil {
			return err
		}
		extra, _, err := stamp()
		if err != nil {
			return err
		}
		return s.findOneAndUpdate(ctx, c, byID, bson.D{{Key: "$set", Value: extra}}, out, after)
	}
	defer s.lockFor(c)()
	if err := s.checkByID(ctx, c, id, check); err != nil {
		return err
	}
	var undo func()
	if stamp != nil {
		extra, giveBack, err := stamp()
		if err != nil {
			return err
		}
		undo = giveBack
		update = withSet(update, extra)
	}
	raw, err := c.FindOneAndUpdate(ctx, byID, update, after).Raw()
	if err != nil {
		s.touched(c, byID)
		if undo != nil {
			// Nothing was written (or it is unknown whether it was): give the
			// number back only when the note certainly does not carry it.
			if cur, rerr := s.rawByIDLocked(ctx, c, id); rerr == nil && check(cur) {
				undo()
			}
		}
		if errors.Is(err, mongo.ErrNoDocuments) {
			return err
		}
		return wrapDB(err)
	}
	raw = cloneRaw(raw)
	if dc := s.cacheOf(c); dc != nil {
		dc.put(id, raw)
	}
	if err := bson.Unmarshal(raw, out); err != nil {
		return wrapDB(err)
	}
	if n, ok := out.(*Note); ok {
		s.noteWritten(n)
	}
	return nil
}

// checkByID reads the document with id (from the cache when it holds it)
// and applies check; the caller holds the write lock. mongo.ErrNoDocuments
// when it is missing or refused.
func (s *Store) checkByID(ctx context.Context, c *mongo.Collection, id string, check func(bson.Raw) bool) error {
	raw, err := s.rawByIDLocked(ctx, c, id)
	if err != nil {
		return err
	}
	if !check(raw) {
		return mongo.ErrNoDocuments
	}
	return nil
}

// casReplace replaces the document with id by doc when check accepts it as
// it is now, and reports whether it did; the embedded engine's way is
// casUpdate's (read, check and write by _id under the write lock).
func (s *Store) casReplace(ctx context.Context, c *mongo.Collection, id string, filter bson.D, check func(bson.Raw) bool, doc any) (bool, error) {
	if !s.embedded {
		r, err := s.replaceOne(ctx, c, filter, doc)
		return err == nil && r.MatchedCount == 1, err
	}
	defer s.lockFor(c)()
	defer s.touched(c, bson.D{{Key: "_id", Value: id}})
	if err := s.checkByID(ctx, c, id, check); errors.Is(err, mongo.ErrNoDocuments) {
		return false, nil
	} else if err != nil {
		return false, err
	}
	r, err := c.ReplaceOne(ctx, bson.D{{Key: "_id", Value: id}}, doc)
	if err != nil {
		return false, wrapDB(err)
	}
	return r.MatchedCount == 1, nil
}

// versionIs is a check that the document's version field equals v.
func versionIs(v int) func(bson.Raw) bool {
	return func(raw bson.Raw) bool {
		got, ok := raw.Lookup("version").AsInt64OK()
		return ok && got == int64(v)
	}
}

// withSet returns update with extra appended to its $set.
func withSet(update, extra bson.D) bson.D {
	out := make(bson.D, 0, len(update)+1)
	done := false
	for _, e := range update {
		if set, ok := e.Value.(bson.D); ok && e.Key == "$set" && !done {
			e = bson.E{Key: "$set", Value: append(append(bson.D{}, set...), extra...)}
			done = true
		}
		out = append(out, e)
	}
	if !done {
		out = append(out, bson.E{Key: "$set", Value: extra})
	}
	return out
}

func (s *Store) replaceOne(ctx context.Context, c *mongo.Collection, filter, doc any, opts ...options.Lister[options.ReplaceOptions]) (*mongo.UpdateResult, error) {
	defer s.lockFor(c)()
	defer s.touched(c, filter)
	r, err := c.ReplaceOne(ctx, filter, doc, opts...)
	return r, wrapDB(err)
}

func (s *Store) deleteOne(ctx context.Context, c *mongo.Collection, filter any) (int64, error) {
	defer s.lockFor(c)()
	defer s.touched(c, filter)
	r, err := c.DeleteOne(ctx, filter)
	if err != nil {
		return 0, wrapDB(err)
	}
	return r.DeletedCount, nil
}

func (s *Store) deleteMany(ctx context.Context, c *mongo.Collection, filter any) (int64, error) {
	defer s.lockFor(c)()
	defer s.touched(c, filter)
	r, err := c.DeleteMany(ctx, filter)
	if err != nil {
		return 0, wrapDB(err)
	}
	return r.DeletedCount, nil
}

func (s *Store) bulkWrite(ctx context.Context, c *mongo.Collection, models []mongo.WriteModel, opts ...options.Lister[options.BulkWriteOptions]) (*mongo.BulkWriteResult, error) {
	defer s.lockFor(c)()
	defer s.touchedModels(c, models)
	r, err := c.BulkWrite(ctx, models, opts...)
	return r, wrapDB(err)
}

// insertOne inserts without the lock: an insert has no read half to race,
// and unique indexes are enforced by the engine itself.
// On the embedded engine the new document goes into the cache as written
// (nobody can have read it before the insert, so no older copy can race it).
func (s *Store) insertOne(ctx context.Context, c *mongo.Collection, doc any) error {
	dc := s.cacheOf(c)
	if dc == nil {
		_, err := c.InsertOne(ctx, doc)
		return wrapDB(err)
	}
	raw, err := bson.Marshal(doc)
	if err != nil {
		return fmt.Errorf("encode the document: %w", err)
	}
	gen := dc.generation()
	if _, err := c.InsertOne(ctx, bson.Raw(raw)); err != nil {
		return wrapDB(err)
	}
	if id, ok := bson.Raw(raw).Lookup("_id").StringValueOK(); ok {
		dc.fill(id, raw, gen)
	}
	return nil
}

// wrapDB turns driver errors a user must hear about into apperr values,
// keeping the original for the log.
func wrapDB(err error) error {
	switch {
	case err == nil:
		return nil
	case mongo.IsDuplicateKeyError(err):
		return fmt.Errorf("%w: %v", apperr.ErrDuplicate, err)
	case mongo.IsNetworkError(err), mongo.IsTimeout(err), errors.Is(err, mongo.ErrClientDisconnected),
		errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("%w: %v", apperr.ErrUnavailable, err)
	}
	return err
}

// notFound maps ErrNoDocuments to apperr.ErrNotFound.
func notFound(err error, what string) error {
	if errors.Is(err, mongo.ErrNoDocuments) {
		return fmt.Errorf("%s: %w", what, apperr.ErrNotFound)
	}
	return wrapDB(err)
}

// NewID returns a new object id as a hex string, the form ids take in the API.
func NewID() string { return bson.NewObjectID().Hex() }

func redact(uri string) string {
	// Keep the scheme and host, drop credentials.
	for i := 0; i+3 <= len(uri); i++ {
		if uri[i:i+3] == "://" {
			rest := uri[i+3:]
			for j := 0; j < len(rest); j++ {
				if rest[j] == '@' {
					return uri[:i+3] + "***@" + rest[j+1:]
				}
				if rest[j] == '/' {
					break
				}
			}
			break
		}
	}
	return uri
}
