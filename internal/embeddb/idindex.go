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
// parses every row of the table. Measured on 2,000 notes of 2 KB: an update
// by `_id` went from 13.6 ms to 1.0 ms, a find from 0.76 ms to 0.38 ms.
// The index is invisible to FerretDB (it keeps its own index list) and goes
// with the table when a collection is dropped. Creating it is idempotent.
func (s *Server) IndexIDs(ctx context.Context, db string) error {
	path := filepath.Join(s.dir, db+".sqlite")
	if _, err := os.Stat(path); err != nil {
		return nil // nothing stored yet
	}
	conn, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+"?_pragma=busy_timeout(10000)")
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
		q := fmt.Sprintf(`CREATE INDEX IF NOT EXISTS %q ON %q (_ferretdb_sjson->'$._id')`, t+"_cocreate_id", t)
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("index _id of %s.%s: %w", db, t, err)
		}
	}
	return nil
}
