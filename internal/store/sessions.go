package store

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// Session is a browser session or an API token, stored under the SHA-256 of
// its secret so a leaked database does not leak usable credentials.
type Session struct {
	ID        string    `bson:"_id"` // hex SHA-256 of the secret
	UserID    string    `bson:"user_id"`
	Kind      string    `bson:"kind"` // "cookie" or "token"
	CSRF      string    `bson:"csrf,omitempty"`
	CreatedAt time.Time `bson:"created_at"`
	LastSeen  time.Time `bson:"last_seen"`
	ExpiresAt time.Time `bson:"expires_at"` // absolute expiry
}

// CreateSession stores sess.
func (s *Store) CreateSession(ctx context.Context, sess *Session) error {
	return s.insertOne(ctx, s.sessions, sess)
}

// SessionByID returns the session stored under the hashed id, or apperr.ErrNotFound.
func (s *Store) SessionByID(ctx context.Context, id string) (*Session, error) {
	var sess Session
	if err := s.findByID(ctx, s.sessions, id, &sess); err != nil {
		return nil, notFound(err, "session")
	}
	return &sess, nil
}

// TouchSession records activity on a session.
func (s *Store) TouchSession(ctx context.Context, id string, now time.Time) error {
	_, err := s.updateOne(ctx, s.sessions, bson.D{{Key: "_id", Value: id}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "last_seen", Value: now}}}})
	return err
}

// DeleteSession revokes one session or token.
func (s *Store) DeleteSession(ctx context.Context, id string) error {
	_, err := s.deleteOne(ctx, s.sessions, bson.D{{Key: "_id", Value: id}})
	return err
}

// DeleteUserSessions revokes every session and token of a user.
func (s *Store) DeleteUserSessions(ctx context.Context, userID string) error {
	_, err := s.deleteMany(ctx, s.sessions, bson.D{{Key: "user_id", Value: userID}})
	return err
}

// PurgeSessions deletes sessions past their absolute expiry or idle since before idleCutoff.
func (s *Store) PurgeSessions(ctx context.Context, now, idleCutoff time.Time) (int64, error) {
	return s.deleteMany(ctx, s.sessions, bson.D{{Key: "$or", Value: bson.A{
		bson.D{{Key: "expires_at", Value: bson.D{{Key: "$lte", Value: now}}}},
		bson.D{{Key: "last_seen", Value: bson.D{{Key: "$lte", Value: idleCutoff}}}},
	}}})
}
