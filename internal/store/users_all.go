package store

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// AllUsers returns every account, in no particular order, in one read. It
// serves work that needs the reviewer pool and the notes' submitters
// together (automatic assignment): on the embedded engine a filter by role
// or by a list of ids scans and decodes every user anyway, so one read
// without a filter replaces several.
func (s *Store) AllUsers(ctx context.Context) ([]*User, error) {
	cur, err := s.users.Find(ctx, bson.D{})
	if err != nil {
		return nil, wrapDB(err)
	}
	var list []*User
	if err := cur.All(ctx, &list); err != nil {
		return nil, wrapDB(err)
	}
	return list, nil
}
