package store

import (
	"context"
	"errors"
	"sync"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// On the embedded engine one process owns the data directory (embeddb
// holds an OS lock on it) and every write goes through this package's
// helpers, so the store can keep what it reads by `_id` in memory and
// answer the next read without a round trip to the engine, where even a
// look-up by `_id` decodes the stored document in FerretDB and encodes it
// again. Notes, calls, users and sessions are cached this way; a
// submission reads all four (docs/performance.md has what the cache buys).
//
// The cache holds raw BSON (each read decodes a private copy). Writes keep
// it coherent: every locked write helper drops the documents its filter
// may have touched before it releases the write lock (a filter that is not
// a plain `_id` match clears the collection's cache), and compare-and-set
// writes put the document they wrote. A read that misses fills the cache
// only if no write to that collection happened since the read began (a
// generation count), so a slow reader never puts back an older copy.
// There is no cache on MongoDB, where other processes may write.

// maxCached bounds each collection's cache, in documents.
const maxCached = 4096

// docCache is one collection's cache of raw documents by `_id`.
type docCache struct {
	mu  sync.Mutex
	gen uint64
	m   map[string]bson.Raw
}

func newDocCache() *docCache { return &docCache{m: map[string]bson.Raw{}} }

func (c *docCache) get(id string) (bson.Raw, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	raw, ok := c.m[id]
	return raw, ok
}

// generation is taken before reading the engine; fill compares it.
func (c *docCache) generation() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen
}

// fill stores what a read found, unless a write happened since gen.
func (c *docCache) fill(id string, raw bson.Raw, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen == gen {
		c.set(id, raw)
	}
}

// put stores a document as just written (the caller holds the write lock).
func (c *docCache) put(id string, raw bson.Raw) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	c.set(id, raw)
}

func (c *docCache) set(id string, raw bson.Raw) {
	if _, ok := c.m[id]; !ok && len(c.m) >= maxCached {
		for k := range c.m { // evict one arbitrary entry
			delete(c.m, k)
			break
		}
	}
	c.m[id] = raw
}

// drop forgets one document.
func (c *docCache) drop(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	delete(c.m, id)
}

// clear forgets every document.
func (c *docCache) clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	clear(c.m)
}

// cacheOf returns c's cache, or nil when c is not cached (or not embedded).
func (s *Store) cacheOf(c *mongo.Collection) *docCache {
	if s.caches == nil {
		return nil
	}
	if name := c.Database().Name(); name != s.db.Name() {
		if _, ok := s.shardDB[name]; !ok {
			return nil
		}
	}
	return s.caches[c.Name()]
}

// touched drops from c's cache whatever a write with filter may have
// changed: the one document when filter matches a string `_id`, else all.
func (s *Store) touched(c *mongo.Collection, filter any) {
	dc := s.cacheOf(c)
	if dc == nil {
		return
	}
	if id, ok := idOf(filter); ok {
		dc.drop(id)
		return
	}
	dc.clear()
}

// touchedModels is touched for each model of a bulk write.
func (s *Store) touchedModels(c *mongo.Collection, models []mongo.WriteModel) {
	if s.cacheOf(c) == nil {
		return
	}
	for _, m := range models {
		var f any
		switch m := m.(type) {
		case *mongo.UpdateOneModel:
			f = m.Filter
		case *mongo.ReplaceOneModel:
			f = m.Filter
		case *mongo.DeleteOneModel:
			f = m.Filter
		case *mongo.InsertOneModel:
			continue // a new _id: nothing cached under it
		}
		s.touched(c, f) // unknown models (nil filter) clear everything
	}
}

// idOf returns the string `_id` a filter matches exactly, if it names one.
func idOf(filter any) (string, bool) {
	var d bson.D
	switch f := filter.(type) {
	case bson.D:
		d = f
	case bson.M:
		id, ok := f["_id"].(string)
		return id, ok
	default:
		return "", false
	}
	for _, e := range d {
		if e.Key == "_id" {
			id, ok := e.Value.(string)
			return id, ok
		}
	}
	return "", false
}

// findByID decodes the document with id into out, from the cache when it
// holds it; mongo.ErrNoDocuments when there is none.
func (s *Store) findByID(ctx context.Context, c *mongo.Collection, id string, out any) error {
	dc := s.cacheOf(c)
	if dc == nil {
		return c.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(out)
	}
	if raw, ok := dc.get(id); ok {
		return bson.Unmarshal(raw, out)
	}
	gen := dc.generation()
	raw, err := c.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Raw()
	if err != nil {
		return err
	}
	raw = cloneRaw(raw)
	dc.fill(id, raw, gen)
	return bson.Unmarshal(raw, out)
}

// rawByIDLocked returns the document with id as it is now; the caller
// holds the write lock, so no write can race the read and the cache is
// filled unconditionally. mongo.ErrNoDocuments when there is none.
func (s *Store) rawByIDLocked(ctx context.Context, c *mongo.Collection, id string) (bson.Raw, error) {
	dc := s.cacheOf(c)
	if dc != nil {
		if raw, ok := dc.get(id); ok {
			return raw, nil
		}
	}
	raw, err := c.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Raw()
	if err != nil {
		if errors.Is(err, mongo.ErrNoDocuments) {
			return nil, err
		}
		return nil, wrapDB(err)
	}
	raw = cloneRaw(raw)
	if dc != nil {
		dc.put(id, raw)
	}
	return raw, nil
}

func cloneRaw(raw bson.Raw) bson.Raw { return append(bson.Raw(nil), raw...) }

// dropCaches forgets every cached document, after the databases changed
// wholesale (a migration, a drop).
func (s *Store) dropCaches() {
	for _, dc := range s.caches {
		dc.clear()
	}
}
