package store

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Derived data on the embedded engine.
//
// Note summaries and reference counters are derived from the notes: a
// summary is SummaryOf(note), and a call's reference counter is the
// highest reference its notes carry. On MongoDB both are stored
// (note_summaries, counters) and written with every change, because other
// processes share them. On the embedded engine one process owns the data,
// and each of those writes would cost a locked engine round trip, so there
// the store keeps them in memory, derived at start from the notes
// themselves (which every change writes durably first), and kept up to
// date by the same code paths that write the notes:
//
//   - summaries live in a sumIndex; list pages and the dashboard filter it
//     in memory instead of scanning a collection;
//   - counters advance in memory. A reference is drawn inside the note's
//     compare-and-set, so a reference is acknowledged only once the note
//     carrying it is written; a number whose write fails is given back and
//     drawn again. At start each counter is the highest reference its
//     notes carry, which is at least every reference ever acknowledged, so
//     no crash can make a number repeat. Nothing else is stored.
//
// Start-up reads the note shards at the same time, each straight from its
// SQLite file when the engine offers that (Options.Scan), since reading
// through the engine costs most of a start-up; see docs/performance.md.

// sumIndex holds every note's summary, in insertion order.
type sumIndex struct {
	mu   sync.RWMutex
	seq  uint64
	byID map[string]*sumEntry
}

type sumEntry struct {
	seq uint64
	sum Summary
}

func newSumIndex() *sumIndex { return &sumIndex{byID: map[string]*sumEntry{}} }

func (x *sumIndex) put(sums ...Summary) {
	x.mu.Lock()
	defer x.mu.Unlock()
	for _, s := range sums {
		s = cloneSummary(s)
		if e, ok := x.byID[s.ID]; ok {
			// Two writers of one note, or a writer and a rebuild, may
			// refresh its summary in either order: an older copy never wins.
			if s.Rev >= e.sum.Rev {
				e.sum = s
			}
			continue
		}
		x.seq++
		x.byID[s.ID] = &sumEntry{seq: x.seq, sum: s}
	}
}

func (x *sumIndex) get(id string) (Summary, bool) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	e, ok := x.byID[id]
	if !ok {
		return Summary{}, false
	}
	return cloneSummary(e.sum), true
}

// find returns copies of the summaries f selects, in insertion order.
func (x *sumIndex) find(f SummaryFilter) []Summary {
	type hit struct {
		seq uint64
		sum Summary
	}
	x.mu.RLock()
	var hits []hit
	for _, e := range x.byID {
		if f.matches(&e.sum) {
			hits = append(hits, hit{e.seq, cloneSummary(e.sum)})
		}
	}
	x.mu.RUnlock()
	slices.SortFunc(hits, func(a, b hit) int { return cmp.Compare(a.seq, b.seq) })
	out := make([]Summary, len(hits))
	for i, h := range hits {
		out[i] = h.sum
	}
	return out
}

// matches is SummaryFilter.bson evaluated in Go.
func (f SummaryFilter) matches(s *Summary) bool {
	return (f.CallID == "" || s.CallID == f.CallID) &&
		(f.Owner == "" || s.Owner == f.Owner) &&
		(len(f.States) == 0 || slices.Contains(f.States, s.State)) &&
		(f.PolicyArea == "" || s.PolicyArea == f.PolicyArea) &&
		(f.Reviewer == "" || slices.Contains(s.Reviewers, f.Reviewer))
}

// cloneSummary copies s with its own slices and maps, so nobody who holds
// a copy can change the index.
func cloneSummary(s Summary) Summary {
	s.Reviewers = slices.Clone(s.Reviewers)
	s.ReviewStates = maps.Clone(s.ReviewStates)
	if s.Score != nil {
		sc := *s.Score
		s.Score = &sc
	}
	if s.SubmittedAt != nil {
		t := *s.SubmittedAt
		s.SubmittedAt = &t
	}
	return s
}

// putSummaries stores the summaries of changed notes: in memory on the
// embedded engine, in note_summaries on MongoDB. Either way a summary
// replaces the stored one only when it comes from a later write of the
// note (a higher Rev), so racing writers never leave the older one.
func (s *Store) putSummaries(ctx context.Context, sums ...Summary) error {
	if len(sums) == 0 {
		return nil
	}
	if s.sums != nil {
		s.sums.put(sums...)
		return nil
	}
	return s.storeSummaries(ctx, sums)
}

// storeSummaries writes summaries to note_summaries, each guarded by its
// Rev: the filter matches only a summary of the same or an older write of
// the note (or one from before Rev existed); when a newer one is stored,
// the upsert's insert collides with it on _id, which means there is
// nothing to do.
func (s *Store) storeSummaries(ctx context.Context, sums []Summary) error {
	models := make([]mongo.WriteModel, len(sums))
	for i, sum := range sums {
		filter := bson.D{{Key: "_id", Value: sum.ID}, {Key: "$or", Value: bson.A{
			bson.D{{Key: "rev", Value: bson.D{{Key: "$lte", Value: sum.Rev}}}},
			bson.D{{Key: "rev", Value: bson.D{{Key: "$exists", Value: false}}}},
		}}}
		models[i] = mongo.NewReplaceOneModel().SetFilter(filter).SetReplacement(sum).SetUpsert(true)
	}
	_, err := s.bulkWriteRaw(ctx, s.summaries(), models, options.BulkWrite().SetOrdered(false))
	if err != nil && onlyDuplicates(err) {
		return nil
	}
	return wrapDB(err)
}

// onlyDuplicates reports whether every write error of a bulk write is a
// duplicate key, as a guarded upsert meets when the stored copy is newer.
func onlyDuplicates(err error) bool {
	var bwe mongo.BulkWriteException
	if !errors.As(err, &bwe) || bwe.WriteConcernError != nil || len(bwe.WriteErrors) == 0 {
		return false
	}
	for _, we := range bwe.WriteErrors {
		if we.Code != 11000 {
			return false
		}
	}
	return true
}

// noteWritten refreshes the in-memory summary of a note just written; on
// the embedded engine the caller holds the note's shard, so summaries
// follow the order of the writes.
func (s *Store) noteWritten(n *Note) {
	if s.sums != nil {
		s.sums.put(SummaryOf(n))
	}
}

// loadDerived reads every note once, at start on the embedded engine, to
// rebuild the summaries and the reference counters in memory. The shards
// are read at the same time; their summaries go in shard by shard, so the
// order is the same at every start.
func (s *Store) loadDerived(ctx context.Context, scan ScanFunc) error {
	s.sums = newSumIndex()
	s.seqs, s.seqFree = map[string]int64{}, map[string][]int64{}
	type shardLoad struct {
		sums []Summary
		seqs map[string]int64
		err  error
	}
	loads := make([]shardLoad, len(s.noteColls))
	var wg sync.WaitGroup
	for i, c := range s.noteColls {
		wg.Go(func() {
			l := &loads[i]
			l.seqs = map[string]int64{}
			add := func(n *Note) error {
				l.sums = append(l.sums, SummaryOf(n))
				if seq, ok := refNumber(n.Ref); ok {
					name := RefCounter(n.CallID)
					l.seqs[name] = max(l.seqs[name], seq)
				}
				return nil
			}
			if scan != nil {
				err := scan(ctx, c.Database().Name(), c.Name(), func(raw bson.Raw) error {
					var n Note
					if err := bson.Unmarshal(raw, &n); err != nil {
						return err
					}
					return add(&n)
				})
				if err == nil {
					return
				}
				s.log.Warn("read the notes from the engine's file; reading them through the engine instead",
					"db", c.Database().Name(), "err", err)
				l.sums, l.seqs = nil, map[string]int64{}
			}
			l.err = eachNote(ctx, c, bson.D{}, add)
		})
	}
	wg.Wait()
	for _, l := range loads {
		if l.err != nil {
			return fmt.Errorf("read the notes: %w", l.err)
		}
		s.sums.put(l.sums...)
		for name, v := range l.seqs {
			s.seqs[name] = max(s.seqs[name], v)
		}
	}
	return nil
}

// RefCounter names the counter of a call's submission references.
func RefCounter(callID string) string { return "ref:" + callID }

// refNumber is the number at the end of a reference ("BZ2020-0042" → 42).
func refNumber(ref string) (int64, bool) {
	i := strings.LastIndexByte(ref, '-')
	if ref == "" || i == len(ref)-1 {
		return 0, false
	}
	n, err := strconv.ParseInt(ref[i+1:], 10, 64)
	return n, err == nil && n > 0
}
