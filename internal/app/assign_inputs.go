package app

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"cocreate/internal/store"
	"cocreate/internal/workflow"
)

// assignWorkers is how many notes automatic assignment reads or writes at
// once. The embedded engine keeps notes in four shard databases and
// admits one write per shard at a time, so four keep every shard busy
// while each write waits on its own database; more would only queue.
const assignWorkers = 4

// assignInputs is what planning a call's assignments reads.
type assignInputs struct {
	pool     []*store.User          // active reviewers
	screened []*store.Note          // the call's screened notes, oldest first
	owners   map[string]*store.User // every user by id, for the notes' submitters
}

// readAssignInputs reads the users once (the pool and the submitters both
// come from that read) and the call's screened notes by _id.
func (a *App) readAssignInputs(ctx context.Context, callID string) (*assignInputs, error) {
	users, err := a.Store.AllUsers(ctx)
	if err != nil {
		return nil, err
	}
	in := &assignInputs{owners: make(map[string]*store.User, len(users))}
	for _, u := range users {
		in.owners[u.ID] = u
	}
	in.pool = activeReviewers(users)
	if in.screened, err = a.screenedNotes(ctx, callID); err != nil {
		return nil, err
	}
	return in, nil
}

// activeReviewers keeps the users holding the reviewer role and not
// disabled, by name then id.
func activeReviewers(users []*store.User) []*store.User {
	var out []*store.User
	for _, u := range users {
		if u.Has("reviewer") && !u.Disabled {
			out = append(out, u)
		}
	}
	slices.SortFunc(out, func(a, b *store.User) int { return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.ID, b.ID)) })
	return out
}

// screenedNotes returns the call's screened notes, the ones that take
// reviewers, oldest first (created, then id). Which notes those are comes
// from the summaries (in memory on the embedded engine), and each note is
// then read by _id, the one filter the embedded engine answers without
// decoding every note of every call; the state as read decides.
func (a *App) screenedNotes(ctx context.Context, callID string) ([]*store.Note, error) {
	screened := string(workflow.Screened)
	sums, err := a.Store.Summaries(ctx, store.SummaryFilter{CallID: callID, States: []string{screened}})
	if err != nil {
		return nil, err
	}
	got := make([]*store.Note, len(sums))
	err = inParallel(ctx, len(sums), func(i int) error {
		n, err := a.Store.NoteByID(ctx, sums[i].ID)
		if store.IsNotFound(err) {
			return nil
		}
		got[i] = n
		return err
	})
	if err != nil {
		return nil, err
	}
	out := got[:0]
	for _, n := range got {
		if n != nil && n.CallID == callID && n.State == screened {
			out = append(out, n)
		}
	}
	slices.SortFunc(out, func(a, b *store.Note) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), strings.Compare(a.ID, b.ID))
	})
	return out, nil
}

// inParallel calls fn for 0 … n-1 on up to assignWorkers goroutines and
// returns the first error; once one fails, or ctx is done, no further
// index is started.
func inParallel(ctx context.Context, n int, fn func(i int) error) error {
	var (
		next   atomic.Int64
		failed atomic.Bool
		mu     sync.Mutex
		first  error
		wg     sync.WaitGroup
	)
	fail := func(err error) {
		mu.Lock()
		if first == nil {
			first = err
		}
		mu.Unlock()
		failed.Store(true)
	}
	for range min(assignWorkers, n) {
		wg.Go(func() {
			for !failed.Load() {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				if err := ctx.Err(); err != nil {
					fail(err)
					return
				}
				if err := fn(i); err != nil {
					fail(err)
					return
				}
			}
		})
	}
	wg.Wait()
	return first
}
