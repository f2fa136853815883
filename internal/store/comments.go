package store

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Comment is one message of the committee's internal discussion on a note.
// Comments live in their own collection, apart from the note, so nothing
// that reads a note for its owner can carry them by accident.
type Comment struct {
	ID       string    `bson:"_id"`
	NoteID   string    `bson:"note_id"`
	CallID   string    `bson:"call_id"`
	AuthorID string    `bson:"author_id"`
	Text     string    `bson:"text"`
	At       time.Time `bson:"at"`
}

// AddComment inserts c, setting its id (and its time when zero).
func (s *Store) AddComment(ctx context.Context, c *Comment) error {
	if c.ID == "" {
		c.ID = NewID()
	}
	if c.At.IsZero() {
		c.At = time.Now()
	}
	c.At = c.At.UTC().Truncate(time.Millisecond)
	if err := s.insertOne(ctx, s.comments, c); err != nil {
		return fmt.Errorf("add comment to note %s: %w", c.NoteID, err)
	}
	return nil
}

// CommentsFor returns the comments on note id, oldest first.
func (s *Store) CommentsFor(ctx context.Context, noteID string) ([]Comment, error) {
	cur, err := s.comments.Find(ctx, bson.D{{Key: "note_id", Value: noteID}},
		options.Find().SetSort(bson.D{{Key: "at", Value: 1}, {Key: "_id", Value: 1}}))
	if err != nil {
		return nil, wrapDB(err)
	}
	out := []Comment{}
	if err := cur.All(ctx, &out); err != nil {
		return nil, wrapDB(err)
	}
	return out, nil
}
