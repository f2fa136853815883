package store

import (
	"errors"
	"testing"

	"go.mongodb.org/mongo-driver/v2/mongo"

	"cocreate/internal/apperr"
)

// The texts are the ones the engines produce (see noSpaceMessages): FerretDB
// passes the backend's error on as an InternalError with its message.
func TestFullDiskErrorsAreNoSpace(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want bool
	}{
		{"SQLite, command", mongo.CommandError{Code: 1, Name: "InternalError",
			Message: "[collection.go:138 sqlite.(*collection).InsertAll] database or disk is full (13)"}, true},
		{"SQLite, write error", mongo.WriteException{WriteErrors: []mongo.WriteError{{Code: 1,
			Message: "[collection.go:180 sqlite.(*collection).UpdateAll] database or disk is full (13)"}}}, true},
		{"PostgreSQL", mongo.CommandError{Code: 1, Name: "InternalError",
			Message: `ERROR: could not extend file "base/16384/16421": No space left on device (SQLSTATE 53100)`}, true},
		{"PostgreSQL WAL", mongo.CommandError{Code: 1, Message: `ERROR: could not write to file "pg_wal/xlogtemp.81": No space left on device (SQLSTATE 53100)`}, true},
		{"MongoDB", mongo.CommandError{Code: 14031, Name: "OutOfDiskSpace", Message: "Cannot take a write lock while out of disk space"}, true},
		{"another internal error", mongo.CommandError{Code: 1, Name: "InternalError", Message: "database is locked (5)"}, false},
		{"a duplicate", mongo.WriteException{WriteErrors: []mongo.WriteError{{Code: 11000, Message: "E11000 duplicate key error"}}}, false},
		{"not from the server", errors.New("database or disk is full"), false},
	} {
		if got := noSpace(tc.err); got != tc.want {
			t.Errorf("%s: noSpace %v, want %v", tc.name, got, tc.want)
		}
		w := wrapDB(tc.err)
		if tc.want && (!errors.Is(w, apperr.ErrNoSpace) || !errors.Is(w, apperr.ErrUnavailable)) {
			t.Errorf("%s: wrapDB gave %v, want ErrNoSpace and ErrUnavailable", tc.name, w)
		}
		if !tc.want && errors.Is(w, apperr.ErrNoSpace) {
			t.Errorf("%s: wrapDB gave ErrNoSpace", tc.name)
		}
	}
}
