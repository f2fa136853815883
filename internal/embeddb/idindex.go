package embeddb

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"

	_ "modernc.org/sqlite" // the driver FerretDB itself uses; registered as "sqlite"
)

// IndexIDs gives every collection of database db an SQLite index that the
// engine's own `_id` look-ups can use.
//
// FerretDB 1.24 creates its unique `_id` index on the expression
// `_ferretdb_sjson->"_id"` but queries and updates with
// `_ferretdb_sjson->'$._id'`; SQLite uses an expression index only for the
// same expression, so without this every find, update and delete by `_id`
// parses every row of the table (docs/performance.md has the figures).
// The index is invisible to FerretDB (it keeps its own index list) and goes
// with the table when a collection is dropped; it replaces the engine's own
// `_id` index (see indexID). Creating it is idempotent. A collection created
// after start keeps the engine's index until the next start.
func (s *Server) IndexIDs(ctx context.Context, db string) error {
	path := filepath.Join(s.dir, db+".sqlite")
	if _, err := os.Stat(path); err != nil {
		return nil // nothing stored yet
	}
	// Each transaction takes the write lock when it begins (_txlock): one that
	// read first and then wrote would get SQLITE_BUSY at once, without
	// waiting, had the engine written the file in between.
	conn, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+"?_pragma=busy_timeout(10000)&_txlock=immediate")
	if err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	defer conn.Close()
	rows, err := conn.QueryContext(ctx, `SELECT table_name FROM _ferretdb_collections`)
	if err != nil {
		return fmt.Errorf("list tables of %s: %w", db, err)
	}
	var tables []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			rows.Close()
			return err
		}
		tables = append(tables, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, t := range tables {
		if err := indexID(ctx, conn, t); err != nil {
			return fmt.Errorf("index _id of %s.%s: %w", db, t, err)
		}
	}
	return nil
}

// indexID gives table t a unique index on the expression FerretDB queries
// `_id` with, and drops the engine's own unique index on the other
// spelling, which no query uses but every insert and update maintains.
// Uniqueness of `_id` is enforced throughout: both happen in one
// transaction, and a duplicate insert still fails with SQLite's unique
// constraint, which FerretDB reports as a duplicate key (E11000).
func indexID(ctx context.Context, conn *sql.DB, t string) error {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	stmts := []string{
		fmt.Sprintf(`CREATE UNIQUE INDEX IF NOT EXISTS %q ON %q (_ferretdb_sjson->'$._id')`, t+"_cocreate_uid", t),
		// The non-unique index earlier versions made.
		fmt.Sprintf(`DROP INDEX IF EXISTS %q`, t+"_cocreate_id"),
	}
	rows, err := tx.QueryContext(ctx, `SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql LIKE '%->"_id")'`, t)
	if err != nil {
		return err
	}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			rows.Close()
			return err
		}
		stmts = append(stmts, fmt.Sprintf(`DROP INDEX %q`, name))
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, q := range stmts {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	return tx.Commit()
}
