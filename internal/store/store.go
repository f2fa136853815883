// Package store keeps cocreate's data in MongoDB, or in the embedded
// MongoDB-compatible engine, through the official driver.
//
// Every insert, update, findOneAndUpdate, replace, bulk write and delete
// goes through the helpers in this file (write). On the embedded engine
// they are serialised per database file: one lock for the main database,
// and one writer at a time per note shard (shards.go, writesched.go).
// FerretDB 1.24 does not run an update's read and write in one
// transaction, so concurrent updates are otherwise lost (docs/performance.md
// has the measurements). A test (TestNoWriteBypassesTheLock) keeps other
// files from calling the driver's write methods directly.
//
// A write that has started runs to its end on a context detached from the
// request, and only then releases the lock: a client that gives up never
// leaves the engine writing while the next writer reads. When the engine
// answers an error, whether the write applied is unknown: the embedded
// engine reads the document back under the same lock and settles it (a
// note's Rev, a review's version, moved by one or not); on MongoDB what
// is derived from the document (its summary) is refreshed from it as it is.
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
	"cocreate/internal/batch"
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

	faults Faults   // test hooks that make chosen writes fail
	scan   ScanFunc // reads a collection straight from the embedded engine's files (Options.Scan)

	outq batch.Batcher[*Message] // messages being inserted together (outbox.go)

	openMem *openingMemory // screening openings kept in memory on the embedded engine (openings.go)
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
	// Faults make chosen writes fail, for tests of failure paths.
	Faults Faults
}

// ScanFunc calls fn with every document of collection coll in database db;
// the document is valid only during the call. Open calls it for the note
// shards at the same time.
type ScanFunc func(ctx context.Context, db, coll string, fn func(bson.Raw) error) error

// unreachableAfter is how long, with MONGODB_URI, the driver looks for the
// database's server and for a connection to it before an operation fails
// (and the request answers 503 unavailable).
const unreachableAfter = 1500 * time.Millisecond

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
	} else {
		// A request must hear within 2 s that the database cannot be
		// reached (503), not wait for the driver's 30 s default: finding
		// a server and opening a connection to it each give up sooner.
		copts.SetServerSelectionTimeout(unreachableAfter).SetConnectTimeout(unreachableAfter)
	}
	client, err := mongo.Connect(copts)
	if err != nil {
		return nil, fmt.Errorf("connect to the database: %w", err)
	}
	// At start the database gets 5 s to answer, in pings of at most the
	// selection timeout each.
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	for {
		err = client.Ping(pctx, nil)
		if err == nil || pctx.Err() != nil {
			break
		}
		select {
		case <-pctx.Done():
		case <-time.After(100 * time.Millisecond):
		}
	}
	if err != nil {
		_ = client.Disconnect(context.Background())
		return nil, fmt.Errorf("the database at %s did not answer: %w", redact(o.URI), err)
	}
	s := &Store{client: client, db: client.Database(o.DBName), embedded: o.Embedded, log: o.Logger, faults: o.Faults}
	if o.Embedded {
		s.scan = o.Scan
	}
	s.outq.Flush = s.insertMessages
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
		if err := s.loadOpenings(ctx); err != nil {
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

// Name is the name of the store's main database.
func (s *Store) Name() string { return s.db.Name() }

// writeTimeout bounds a write once it has started: it runs on a context
// detached from the request, so it needs a limit of its own.
const writeTimeout = 30 * time.Second

// Write names one write the store is about to make, for Faults.
type Write struct {
	Op         string // insert, update, findAndModify, replace, delete, bulk
	Collection string
	ID         string // the _id the write is for, when its filter names one

	settles bool // the write runs Faults itself at the engine call, settles an unknown outcome and keeps the cache
}

// Faults lets tests make chosen writes fail, to exercise what the store
// does when a write fails or its outcome is unknown. Before runs before a
// write reaches the engine: an error from it fails the write and nothing
// is written. After runs once the engine has applied the write: an error
// from it is reported as the write's error although the write happened, as
// when a connection drops before the answer arrives.
type Faults struct {
	Before func(Write) error
	After  func(Write) error
}

// write runs op, a write to c, to its end. Waiting for c's write lock (on
// the embedded engine, when lock is set) honours ctx: a request cancelled
// while it waits writes nothing. Once the write has started it runs on a
// context detached from the request with the store's own timeout, and the
// lock and the cache's invalidation wait for it: a cancelled request must
// never release the lock while the engine is still writing (FerretDB would
// then overlap the next writer's read-modify-write), and the caller learns
// the write's real outcome.
func (s *Store) write(ctx context.Context, c *mongo.Collection, w Write, filter any, lock bool, op func(wctx context.Context) error) error {
	if lock && s.embedded {
		release, err := s.acquire(ctx, c)
		if err != nil {
			return fmt.Errorf("%w: %w", apperr.ErrUnavailable, err)
		}
		defer release()
	} else if err := ctx.Err(); err != nil {
		return fmt.Errorf("%w: %w", apperr.ErrUnavailable, err)
	}
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), writeTimeout)
	defer cancel()
	if w.Collection == "" {
		w.Collection = c.Name()
	}
	if w.ID == "" {
		w.ID, _ = idOf(filter)
	}
	if s.faults.Before != nil && !w.settles {
		if err := s.faults.Before(w); err != nil {
			return err
		}
	}
	err := op(wctx)
	if filter != nil && !w.settles {
		s.touched(c, filter)
	}
	if err == nil && !w.settles && s.faults.After != nil {
		err = s.faults.After(w)
	}
	return err
}

// faultedCall runs call, the engine call of a write that settles its own
// outcome, between Faults.Before and Faults.After.
func faultedCall[T any](f Faults, w Write, call func() (T, error)) (T, error) {
	var zero T
	if f.Before != nil {
		if err := f.Before(w); err != nil {
			return zero, err
		}
	}
	out, err := call()
	if err == nil && f.After != nil {
		err = f.After(w)
	}
	return out, err
}

// acquire takes the write lock of the database c is in (the main one or a
// note shard), giving up when ctx ends first, and returns its release.
func (s *Store) acquire(ctx context.Context, c *mongo.Collection) (func(), error) {
	if i, ok := s.shardDB[c.Database().Name()]; ok {
		return s.sched.acquireContext(ctx, i)
	}
	if err := s.wmu.LockContext(ctx); err != nil {
		return nil, err
	}
	return s.wmu.Unlock, nil
}

func (s *Store) updateOne(ctx context.Context, c *mongo.Collection, filter, update any, opts ...options.Lister[options.UpdateOneOptions]) (*mongo.UpdateResult, error) {
	var r *mongo.UpdateResult
	err := s.write(ctx, c, Write{Op: "update"}, filter, true, func(wctx context.Context) (err error) {
		r, err = c.UpdateOne(wctx, filter, update, opts...)
		return err
	})
	return r, wrapDB(err)
}

func (s *Store) updateMany(ctx context.Context, c *mongo.Collection, filter, update any, opts ...options.Lister[options.UpdateManyOptions]) (*mongo.UpdateResult, error) {
	var r *mongo.UpdateResult
	err := s.write(ctx, c, Write{Op: "update"}, filter, true, func(wctx context.Context) (err error) {
		r, err = c.UpdateMany(wctx, filter, update, opts...)
		return err
	})
	return r, wrapDB(err)
}

// findOneAndUpdate decodes the document into out; mongo.ErrNoDocuments when
// nothing matched. A note decoded into a *Note must be the one after the
// update (options.After): its in-memory summary is refreshed from it.
func (s *Store) findOneAndUpdate(ctx context.Context, c *mongo.Collection, filter, update, out any, opts ...options.Lister[options.FindOneAndUpdateOptions]) error {
	err := s.write(ctx, c, Write{Op: "findAndModify"}, filter, true, func(wctx context.Context) error {
		res := c.FindOneAndUpdate(wctx, filter, update, opts...)
		if err := res.Err(); err != nil {
			return err
		}
		if err := res.Decode(out); err != nil {
			return err
		}
		if n, ok := out.(*Note); ok {
			s.noteWritten(n) // still under the note's write lock
		}
		return nil
	})
	if errors.Is(err, mongo.ErrNoDocuments) {
		return err
	}
	return wrapDB(err)
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
// Every update must $inc the document's field counter by one (notes: rev).
// When the engine answers an error, the outcome is unknown: on the embedded
// engine the document is read back under the same lock, and if counter
// moved by one the update did apply and it counts as done.
//
// stamp, when given, adds fields to the update's $set once the change is
// known to apply (a submission reference: drawn only by the winner, so no
// number is burned). Its second result, when not nil, gives the drawn
// number back if the write certainly did not apply.
func (s *Store) casUpdate(ctx context.Context, c *mongo.Collection, id string, filter bson.D, check func(bson.Raw) bool,
	counter string, update bson.D, out any, stamp func() (bson.D, func(), error)) error {
	after := options.FindOneAndUpdate().SetReturnDocument(options.After)
	byID := bson.D{{Key: "_id", Value: id}}
	if !s.embedded {
		if stamp != nil {
			// One write: the reference is drawn first and set with the change.
			// A draw whose change then does not apply leaves a gap, never a repeat.
			if err := s.checkByID(ctx, c, id, check); err != nil {
				return err
			}
			extra, _, err := stamp()
			if err != nil {
				return err
			}
			update = withSet(update, extra)
		}
		return s.findOneAndUpdate(ctx, c, filter, update, out, after)
	}
	var raw bson.Raw
	err := s.write(ctx, c, Write{Op: "findAndModify", ID: id, settles: true}, byID, true, func(wctx context.Context) error {
		cur, err := s.rawByIDLocked(wctx, c, id)
		if err != nil {
			return err
		}
		if !check(cur) {
			return mongo.ErrNoDocuments
		}
		before, _ := cur.Lookup(counter).AsInt64OK()
		var undo func()
		if stamp != nil {
			extra, giveBack, err := stamp()
			if err != nil {
				return err
			}
			undo = giveBack
			update = withSet(update, extra)
		}
		raw, err = faultedCall(s.faults, Write{Op: "findAndModify", Collection: c.Name(), ID: id}, func() (bson.Raw, error) {
			return c.FindOneAndUpdate(wctx, byID, update, after).Raw()
		})
		if err != nil {
			// The outcome is unknown: read the document back (nobody else
			// can write it while we hold the lock) and see whether it moved.
			s.touched(c, byID)
			now, rerr := s.rawByIDLocked(wctx, c, id)
			if rerr == nil {
				if got, _ := now.Lookup(counter).AsInt64OK(); got == before+1 {
					raw = now
					return nil
				}
			}
			if rerr == nil && undo != nil {
				undo() // certainly not written: the number may be drawn again
			}
			return err
		}
		raw = cloneRaw(raw)
		if dc := s.cacheOf(c); dc != nil {
			dc.put(id, raw)
		}
		return nil
	})
	if err != nil {
		if errors.Is(err, mongo.ErrNoDocuments) {
			return err
		}
		return wrapDB(err)
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
// and applies check. mongo.ErrNoDocuments when it is missing or refused.
func (s *Store) checkByID(ctx context.Context, c *mongo.Collection, id string, check func(bson.Raw) bool) error {
	var raw bson.Raw
	var err error
	if s.embedded {
		raw, err = s.rawByIDLocked(ctx, c, id)
	} else {
		raw, err = c.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Raw()
	}
	if err != nil {
		if errors.Is(err, mongo.ErrNoDocuments) {
			return err
		}
		return wrapDB(err)
	}
	if !check(raw) {
		return mongo.ErrNoDocuments
	}
	return nil
}

// casReplace replaces the document with id by doc when check accepts it as
// it is now, and reports whether it did; the embedded engine's way is
// casUpdate's (read, check and write by _id under the write lock), and as
// there an unknown outcome is settled by reading the document back: doc's
// version field tells whether it is the one stored.
func (s *Store) casReplace(ctx context.Context, c *mongo.Collection, id string, filter bson.D, check func(bson.Raw) bool, doc any) (bool, error) {
	if !s.embedded {
		r, err := s.replaceOne(ctx, c, filter, doc)
		return err == nil && r.MatchedCount == 1, err
	}
	byID := bson.D{{Key: "_id", Value: id}}
	want, err := bson.Marshal(doc)
	if err != nil {
		return false, fmt.Errorf("encode the document: %w", err)
	}
	wantVersion, _ := bson.Raw(want).Lookup("version").AsInt64OK()
	replaced := false
	err = s.write(ctx, c, Write{Op: "replace", ID: id, settles: true}, byID, true, func(wctx context.Context) error {
		cur, err := s.rawByIDLocked(wctx, c, id)
		if errors.Is(err, mongo.ErrNoDocuments) {
			return nil
		} else if err != nil {
			return err
		}
		if !check(cur) {
			return nil
		}
		r, err := faultedCall(s.faults, Write{Op: "replace", Collection: c.Name(), ID: id}, func() (*mongo.UpdateResult, error) {
			return c.ReplaceOne(wctx, byID, bson.Raw(want))
		})
		s.touched(c, byID)
		if err != nil {
			if now, rerr := s.rawByIDLocked(wctx, c, id); rerr == nil {
				if got, _ := now.Lookup("version").AsInt64OK(); got == wantVersion && wantVersion != 0 {
					replaced = true
					return nil
				}
			}
			return err
		}
		replaced = r.MatchedCount == 1
		return nil
	})
	if err != nil {
		return false, wrapDB(err)
	}
	return replaced, nil
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
	var r *mongo.UpdateResult
	err := s.write(ctx, c, Write{Op: "replace"}, filter, true, func(wctx context.Context) (err error) {
		r, err = c.ReplaceOne(wctx, filter, doc, opts...)
		return err
	})
	return r, wrapDB(err)
}

func (s *Store) deleteOne(ctx context.Context, c *mongo.Collection, filter any) (int64, error) {
	var r *mongo.DeleteResult
	err := s.write(ctx, c, Write{Op: "delete"}, filter, true, func(wctx context.Context) (err error) {
		r, err = c.DeleteOne(wctx, filter)
		return err
	})
	if err != nil {
		return 0, wrapDB(err)
	}
	return r.DeletedCount, nil
}

func (s *Store) deleteMany(ctx context.Context, c *mongo.Collection, filter any) (int64, error) {
	var r *mongo.DeleteResult
	err := s.write(ctx, c, Write{Op: "delete"}, filter, true, func(wctx context.Context) (err error) {
		r, err = c.DeleteMany(wctx, filter)
		return err
	})
	if err != nil {
		return 0, wrapDB(err)
	}
	return r.DeletedCount, nil
}

func (s *Store) bulkWrite(ctx context.Context, c *mongo.Collection, models []mongo.WriteModel, opts ...options.Lister[options.BulkWriteOptions]) (*mongo.BulkWriteResult, error) {
	r, err := s.bulkWriteRaw(ctx, c, models, opts...)
	return r, wrapDB(err)
}

// bulkWriteRaw is bulkWrite with the driver's error as it is, for callers
// that look into a mongo.BulkWriteException.
func (s *Store) bulkWriteRaw(ctx context.Context, c *mongo.Collection, models []mongo.WriteModel, opts ...options.Lister[options.BulkWriteOptions]) (*mongo.BulkWriteResult, error) {
	var r *mongo.BulkWriteResult
	err := s.write(ctx, c, Write{Op: "bulk"}, nil, true, func(wctx context.Context) (err error) {
		defer s.touchedModels(c, models)
		r, err = c.BulkWrite(wctx, models, opts...)
		return err
	})
	return r, err
}

// insertOne inserts without the lock: an insert has no read half to race,
// and unique indexes are enforced by the engine itself. Like every write it
// runs to its end once started.
// On the embedded engine the new document goes into the cache as written
// (nobody can have read it before the insert, so no older copy can race it).
func (s *Store) insertOne(ctx context.Context, c *mongo.Collection, doc any) error {
	raw, err := bson.Marshal(doc)
	if err != nil {
		return fmt.Errorf("encode the document: %w", err)
	}
	id, _ := bson.Raw(raw).Lookup("_id").StringValueOK()
	dc := s.cacheOf(c)
	var gen uint64
	if dc != nil {
		gen = dc.generation()
	}
	err = s.write(ctx, c, Write{Op: "insert", ID: id}, nil, false, func(wctx context.Context) error {
		_, err := c.InsertOne(wctx, bson.Raw(raw))
		return err
	})
	if err != nil {
		return wrapDB(err)
	}
	if dc != nil && id != "" {
		dc.fill(id, raw, gen)
	}
	return nil
}

// insertMany inserts docs without the lock, as insertOne does, and returns
// the driver's error as it is (a mongo.BulkWriteException names the
// documents that failed). New _ids have nothing cached under them; the
// documents are cached when first read.
func (s *Store) insertMany(ctx context.Context, c *mongo.Collection, docs []any, opts ...options.Lister[options.InsertManyOptions]) error {
	return s.write(ctx, c, Write{Op: "insert"}, nil, false, func(wctx context.Context) error {
		_, err := c.InsertMany(wctx, docs, opts...)
		return err
	})
}

// insertEach inserts docs in one unordered insert and returns each
// document's own outcome (nil when it was stored; a duplicate key matches
// apperr.ErrDuplicate), so one failing document does not fail the others.
func (s *Store) insertEach(ctx context.Context, c *mongo.Collection, docs []any) []error {
	errs := make([]error, len(docs))
	err := s.insertMany(ctx, c, docs, options.InsertMany().SetOrdered(false))
	var bwe mongo.BulkWriteException
	switch {
	case err == nil:
		return errs
	case !errors.As(err, &bwe) || bwe.WriteConcernError != nil:
		for i := range errs {
			errs[i] = wrapDB(err)
		}
		return errs
	}
	for _, we := range bwe.WriteErrors {
		if we.Index >= 0 && we.Index < len(docs) {
			errs[we.Index] = wrapDB(mongo.WriteException{WriteErrors: []mongo.WriteError{we.WriteError}})
		}
	}
	return errs
}

// wrapDB turns driver errors a user must hear about into apperr values,
// keeping the original for the log. A write refused for lack of space (see
// noSpace) is both apperr.ErrNoSpace and apperr.ErrUnavailable.
func wrapDB(err error) error {
	switch {
	case err == nil:
		return nil
	case mongo.IsDuplicateKeyError(err):
		return fmt.Errorf("%w: %v", apperr.ErrDuplicate, err)
	case noSpace(err):
		return fmt.Errorf("%w (%w): %v", apperr.ErrNoSpace, apperr.ErrUnavailable, err)
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
