package app

import (
	"context"
	"errors"

	"cocreate/internal/apperr"
	"cocreate/internal/store"
)

// CallByKey returns the call with that id or, failing that, that slug.
func (a *App) CallByKey(ctx context.Context, key string) (*store.Call, error) {
	c, err := a.Store.CallByID(ctx, key)
	if errors.Is(err, apperr.ErrNotFound) {
		return a.Store.CallBySlug(ctx, key)
	}
	return c, err
}

// Calls returns every call, newest opening first.
func (a *App) Calls(ctx context.Context) ([]*store.Call, error) {
	return a.Store.ListCalls(ctx)
}
