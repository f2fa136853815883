package embeddb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"modernc.org/sqlite"
)

// Keeping the write-ahead logs small.
//
// FerretDB opens every SQLite file in WAL mode and keeps a pool of
// connections to it. SQLite's own checkpoint, after a commit that takes
// the log past 1,000 pages, copies the log into the database file but
// leaves the log file at its largest size, and it cannot start the log
// over while any connection still reads an older snapshot; under steady
// load the logs of the main database and of each note shard only grow
// while the service runs (a restart checkpoints and removes them).
//
// So FerretDB's connections are opened with journal_size_limit(walLimit):
// whenever SQLite starts a log over, it cuts the file back to walLimit.
// And the server checkpoints itself: every checkpointEvery, each database
// whose log is over walLimit gets `PRAGMA wal_checkpoint(TRUNCATE)`
// through a connection of its own, which copies every committed page into
// the database file, syncs it, and empties the log. This is SQLite's own
// mechanism, safe alongside FerretDB's connections: a committed write is
// either still in the log or already in the database file. The checkpoint
// waits at most checkpointWait for readers and writers (new writes queue
// behind it meanwhile); when a reader holds an old snapshot longer than
// that, it gives up and the next round tries again. docs/performance.md
// has the sizes measured with and without each of the two.
const (
	walLimit        = 1 << 20
	checkpointEvery = 5 * time.Second
	checkpointWait  = 100 * time.Millisecond
)

// checkpointLoop checkpoints the data directory's databases every d until
// ctx ends, then closes done.
func (s *Server) checkpointLoop(ctx context.Context, d time.Duration, done chan<- struct{}) {
	defer close(done)
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if err := s.Checkpoint(ctx, walLimit); err != nil && ctx.Err() == nil {
			s.log.Warn("checkpoint the embedded database", "err", err)
		}
	}
}

// Checkpoint empties the write-ahead log of every database in the data
// directory whose log is larger than above bytes. A database that stays
// busy longer than checkpointWait is left for the next round and is not
// an error.
func (s *Server) Checkpoint(ctx context.Context, above int64) error {
	paths, err := filepath.Glob(filepath.Join(s.dir, "*.sqlite"))
	if err != nil {
		return err
	}
	var errs []error
	for _, p := range paths {
		fi, err := os.Stat(p + "-wal")
		if err != nil || fi.Size() <= above {
			continue
		}
		if err := checkpointFile(ctx, p); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", filepath.Base(p), err))
		}
	}
	return errors.Join(errs...)
}

func checkpointFile(ctx context.Context, path string) error {
	// mode=rw: a database dropped since it was listed is not created again.
	conn, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+
		fmt.Sprintf("?mode=rw&_pragma=busy_timeout(%d)", checkpointWait.Milliseconds()))
	if err != nil {
		return err
	}
	defer conn.Close()
	// The pragma answers busy = 1 when it gave up waiting; the frames it
	// could copy are copied, and the log is emptied in a later round.
	var busy, logPages, moved int
	err = conn.QueryRowContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &logPages, &moved)
	var se *sqlite.Error
	if errors.As(err, &se) && se.Code()&0xff == sqliteBusy {
		return nil // busy before the checkpoint could even start: likewise
	}
	return err
}

// sqliteBusy is SQLite's primary result code SQLITE_BUSY.
const sqliteBusy = 5
