package app

import (
	"context"
	"slices"
	"time"

	"cocreate/internal/store"
)

// committee returns the committee members (reviewer or chair), by name, from a directory reused for memberTTL.
func (a *App) committee(ctx context.Context) ([]*store.User, error) {
	dc := a.dash
	dc.mu.Lock()
	if dc.members != nil && time.Since(dc.membersAt) < memberTTL {
		m := dc.members
		dc.mu.Unlock()
		return m, nil
	}
	dc.mu.Unlock()
	seen := map[string]bool{}
	var out []*store.User
	for _, role := range []string{"chair", "reviewer"} {
		us, _, err := a.Store.ListUsers(ctx, role, 0, 0)
		if err != nil {
			return nil, err
		}
		for _, u := range us {
			if !seen[u.ID] && !u.Disabled {
				seen[u.ID] = true
				out = append(out, u)
			}
		}
	}
	slices.SortFunc(out, func(x, y *store.User) int {
		if x.Name != y.Name {
			if x.Name < y.Name {
				return -1
			}
			return 1
		}
		if x.ID < y.ID {
			return -1
		}
		return 1
	})
	if out == nil {
		out = []*store.User{}
	}
	dc.mu.Lock()
	dc.members, dc.membersAt = out, time.Now()
	dc.mu.Unlock()
	return out, nil
}
