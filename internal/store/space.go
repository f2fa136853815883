package store

import (
	"context"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// noSpaceMessages are the texts a full disk produces, as the driver hands
// them over:
//   - FerretDB on SQLite passes SQLite's own error on as an InternalError
//     (code 1) whose message holds sqlite3_errstr(SQLITE_FULL), "database
//     or disk is full" (modernc.org/sqlite formats it as "database or disk
//     is full (13)"); SQLite answers SQLITE_FULL when a write meets ENOSPC
//     and when a file reaches its max_page_count.
//   - FerretDB on PostgreSQL passes PostgreSQL's error on the same way:
//     class 53 "insufficient resources", SQLSTATE 53100 disk_full, with
//     texts such as `could not extend file "base/…": No space left on
//     device` (pgx appends "(SQLSTATE 53100)").
var noSpaceMessages = []string{"database or disk is full", "SQLSTATE 53100", "No space left on device", "could not extend file"}

// outOfDiskSpace is MongoDB's own code for a write refused for lack of disk (OutOfDiskSpace).
const outOfDiskSpace = 14031

// noSpace reports whether err is the database refusing a write for lack of space.
func noSpace(err error) bool {
	var se mongo.ServerError
	if !errors.As(err, &se) {
		return false
	}
	if se.HasErrorCode(outOfDiskSpace) {
		return true
	}
	for _, m := range noSpaceMessages {
		if se.HasErrorMessage(m) {
			return true
		}
	}
	return false
}

// ProbeWrite writes one small document (the time of the probe, in the
// health collection of the main database) and reports what the database
// said: apperr.ErrNoSpace while the disk is still full. Readiness calls it
// only while writes are failing for lack of space, to notice the recovery
// when no user write arrives to show it.
func (s *Store) ProbeWrite(ctx context.Context, now time.Time) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	_, err := s.replaceOne(ctx, s.db.Collection("health"), bson.D{{Key: "_id", Value: "write-probe"}},
		bson.D{{Key: "_id", Value: "write-probe"}, {Key: "at", Value: now}}, options.Replace().SetUpsert(true))
	return err
}
