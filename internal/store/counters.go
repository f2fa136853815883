package store

import (
	"context"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

type counterDoc struct {
	ID  string `bson:"_id"`
	Seq int64  `bson:"seq"`
}

// NextSeq atomically increments the named counter and returns its new value
// (1 first). On the embedded engine the value lives only in memory,
// derived at start from the notes (see derived.go).
func (s *Store) NextSeq(ctx context.Context, name string) (int64, error) {
	if s.seqs != nil {
		return s.drawSeq(name), nil
	}
	var d counterDoc
	err := s.findOneAndUpdate(ctx, s.counters, bson.D{{Key: "_id", Value: name}},
		bson.D{{Key: "$inc", Value: bson.D{{Key: "seq", Value: int64(1)}}}}, &d,
		options.FindOneAndUpdate().SetUpsert(true).SetReturnDocument(options.After))
	if err != nil {
		return 0, fmt.Errorf("next value of counter %s: %w", name, err)
	}
	return d.Seq, nil
}
