package app

import (
	"context"
	"time"

	"cocreate/internal/store"
)

// These are the plain reads and operations checks the web layer needs
// beside the operations proper, so that it speaks to the app only. Access
// is decided by the route table (roles) and by the operations; these do
// not widen it.

// CallByID returns the call with id, or apperr.ErrNotFound.
func (a *App) CallByID(ctx context.Context, id string) (*store.Call, error) {
	return a.Store.CallByID(ctx, id)
}

// UserByID returns the account with id, or apperr.ErrNotFound.
func (a *App) UserByID(ctx context.Context, id string) (*store.User, error) {
	return a.Store.UserByID(ctx, id)
}

// UsersByIDs returns the accounts with the given ids, keyed by id.
func (a *App) UsersByIDs(ctx context.Context, ids []string) (map[string]*store.User, error) {
	return a.Store.UsersByIDs(ctx, ids)
}

// ListUsers returns the accounts holding role (any when empty), by name, one page at a time.
func (a *App) ListUsers(ctx context.Context, role string, page, perPage int) ([]*store.User, int64, error) {
	return a.Store.ListUsers(ctx, role, page, perPage)
}

// NoteByID returns the note with id, or apperr.ErrNotFound, whoever asks:
// callers show it only to those CanSee allows.
func (a *App) NoteByID(ctx context.Context, id string) (*store.Note, error) {
	return a.Store.NoteByID(ctx, id)
}

// Ping checks the database answers within d.
func (a *App) Ping(ctx context.Context, d time.Duration) error { return a.Store.Ping(ctx, d) }

// ProbeWrite makes one small write, to learn whether the database can save again.
func (a *App) ProbeWrite(ctx context.Context, now time.Time) error {
	return a.Store.ProbeWrite(ctx, now)
}

// ClaimIdempotency claims a keyed request (see store.ClaimIdempotency).
func (a *App) ClaimIdempotency(ctx context.Context, c store.IdemClaim) (*store.IdemRecord, bool, error) {
	return a.Store.ClaimIdempotency(ctx, c)
}

// CompleteIdempotencyBatch stores the first answers of keyed requests.
func (a *App) CompleteIdempotencyBatch(ctx context.Context, rs []store.IdemRecord) []error {
	return a.Store.CompleteIdempotencyBatch(ctx, rs)
}

// ReleaseIdempotency frees a claim whose request did not succeed.
func (a *App) ReleaseIdempotency(ctx context.Context, id, token string) error {
	return a.Store.ReleaseIdempotency(ctx, id, token)
}
