package store

import (
	"context"
	"errors"
	"fmt"
	"reflect"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// ErrNoChange is what an AssignmentEdit returns to leave the note as it is.
var ErrNoChange = errors.New("nothing to change")

// AssignmentEdit changes a note's reviewer data in memory: Assignments,
// Conflicts, NeedsReassign and Score; anything else it changes is ignored.
// It sees the note as stored now and may run more than once.
type AssignmentEdit func(n *Note) error

// editAttempts bounds the retries of EditAssignments when others keep
// changing the same note's reviewers.
const editAttempts = 8

// EditAssignments applies edit to note id as one compare-and-set on the
// note's state and its assignments and conflicts as read, and returns the
// note after it. Assignments are not state changes: the version does not
// move, so a chair's open form stays valid. When someone else changed the
// reviewers meanwhile it reads the note again and re-applies edit.
//
// Why whole arrays: FerretDB 1.24 supports neither the positional "$"
// update, nor $elemMatch or dotted paths into arrays of documents in
// filters, nor $pull with a condition (measured), but it does compare whole
// arrays exactly, which serves as the guard.
func (s *Store) EditAssignments(ctx context.Context, id string, edit AssignmentEdit) (*Note, error) {
	for range editAttempts {
		n, err := s.NoteByID(ctx, id)
		if err != nil {
			return nil, err
		}
		before := *n
		before.Assignments = append([]Assignment{}, n.Assignments...)
		before.Conflicts = append([]string{}, n.Conflicts...)
		if err := edit(n); errors.Is(err, ErrNoChange) {
			return n, nil
		} else if err != nil {
			return nil, err
		}
		set := bson.D{}
		if !reflect.DeepEqual(before.Assignments, n.Assignments) {
			set = append(set, bson.E{Key: "assignments", Value: orEmpty(n.Assignments)})
		}
		if !reflect.DeepEqual(before.Conflicts, n.Conflicts) {
			set = append(set, bson.E{Key: "conflicts", Value: orEmptyStrings(n.Conflicts)})
		}
		if before.NeedsReassign != n.NeedsReassign {
			set = append(set, bson.E{Key: "needs_reassign", Value: n.NeedsReassign})
		}
		update := bson.D{}
		if !reflect.DeepEqual(before.Score, n.Score) {
			if n.Score == nil {
				update = append(update, bson.E{Key: "$unset", Value: bson.D{{Key: "score", Value: ""}}})
			} else {
				set = append(set, bson.E{Key: "score", Value: n.Score})
			}
		}
		if len(set) > 0 {
			update = append(update, bson.E{Key: "$set", Value: set})
		}
		if len(update) == 0 {
			return n, nil
		}
		update = append(update, bson.E{Key: "$inc", Value: bson.D{{Key: "rev", Value: int64(1)}}})
		filter := bson.D{{Key: "_id", Value: id}, {Key: "state", Value: before.State},
			{Key: "assignments", Value: orEmpty(before.Assignments)}, {Key: "conflicts", Value: orEmptyStrings(before.Conflicts)}}
		check := func(raw bson.Raw) bool {
			var cur struct {
				State       string       `bson:"state"`
				Assignments []Assignment `bson:"assignments"`
				Conflicts   []string     `bson:"conflicts"`
			}
			return bson.Unmarshal(raw, &cur) == nil && cur.State == before.State &&
				reflect.DeepEqual(orEmpty(cur.Assignments), orEmpty(before.Assignments)) &&
				reflect.DeepEqual(orEmptyStrings(cur.Conflicts), orEmptyStrings(before.Conflicts))
		}
		var after Note
		err = s.casUpdate(ctx, s.notesOf(id), id, filter, check, "rev", update, &after, nil)
		if errors.Is(err, mongo.ErrNoDocuments) {
			continue // changed meanwhile: read again
		}
		if err != nil {
			return nil, fmt.Errorf("change the reviewers of note %s: %w", id, err)
		}
		s.syncNote(ctx, &after)
		return &after, nil
	}
	return nil, fmt.Errorf("change the reviewers of note %s: others kept changing them: %w", id, errStale)
}

var errStale = staleVersion("note reviewers")

func orEmpty(a []Assignment) []Assignment {
	if a == nil {
		return []Assignment{}
	}
	return a
}

func orEmptyStrings(a []string) []string {
	if a == nil {
		return []string{}
	}
	return a
}

// AssignedTo returns the assignment of reviewer on n, or nil.
func (n *Note) AssignedTo(reviewerID string) *Assignment {
	for i := range n.Assignments {
		if n.Assignments[i].ReviewerID == reviewerID {
			return &n.Assignments[i]
		}
	}
	return nil
}

// HasConflict reports whether reviewer declared a conflict of interest on n.
func (n *Note) HasConflict(reviewerID string) bool {
	for _, id := range n.Conflicts {
		if id == reviewerID {
			return true
		}
	}
	return false
}
