package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"cocreate/internal/app"
	"cocreate/internal/export"
	"cocreate/internal/store"
)

// exportCmd writes an export from the command line, with the server's
// database settings: cocreate export shortlist --call SLUG [--class A,B]
// [--state screened,classified] [--format xlsx|csv] -o FILE. On the
// embedded engine the server must be stopped; against MongoDB it may run.
func exportCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "shortlist" {
		return errors.New("export needs what to export: cocreate export shortlist --call SLUG -o FILE")
	}
	fs := flag.NewFlagSet("cocreate export shortlist", flag.ContinueOnError)
	fs.SetOutput(stderr)
	key := fs.String("call", "", "the call's slug or id (required)")
	class := fs.String("class", "", "only these classes, comma-separated (A,B); the decided class, or the suggested one before a decision")
	state := fs.String("state", "", "only notes in these states, comma-separated (screened,classified)")
	format := fs.String("format", "", "xlsx or csv (default: from the file name, else xlsx)")
	out := fs.String("o", "", "the file to write, - for standard output (required)")
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if *key == "" || *out == "" {
		return errors.New("export shortlist needs --call with the call's slug or id and -o with the file to write")
	}
	if *format == "" {
		*format = "xlsx"
		if strings.EqualFold(filepath.Ext(*out), ".csv") {
			*format = "csv"
		}
	}
	if *format != "xlsx" && *format != "csv" {
		return fmt.Errorf("--format must be xlsx or csv, not %q", *format)
	}
	filter, err := app.ParseShortlistFilter([]string{*class}, []string{*state})
	if err != nil {
		return errors.New(strings.TrimSuffix(err.Error(), "."))
	}
	a, closeDB, err := openAppFromEnv(ctx, getenv, stderr)
	if err != nil {
		return err
	}
	defer closeDB()
	who := "command line"
	if name := getenv("USER"); name != "" {
		who = "command line (" + name + ")"
	}
	// The command line acts as a coordinator: whoever can open the database sees everything anyway.
	u := &store.User{ID: "command-line", Name: who, Roles: []string{"coordinator"}}
	s, err := a.Shortlist(ctx, u, *key, filter)
	if store.IsNotFound(err) {
		return fmt.Errorf("no call has the slug or id %q", *key)
	}
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if *format == "csv" {
		err = export.WriteShortlistCSV(&buf, s)
	} else {
		err = export.WriteShortlistXLSX(&buf, s)
	}
	if err != nil {
		return fmt.Errorf("write the shortlist: %w", err)
	}
	if err := a.RecordExport(ctx, u, app.EventExportShortlist, "",
		map[string]string{"call": s.CallSlug, "format": *format, "filters": filter.Words(), "notes": fmt.Sprint(s.Notes), "via": who}); err != nil {
		return err
	}
	if *out == "-" {
		_, err := stdout.Write(buf.Bytes())
		return err
	}
	if err := writeWhole(*out, buf.Bytes()); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Wrote %s: %d notes and %d reviews of %s (filters: %s).\n", *out, s.Notes, s.ReviewCount, s.CallSlug, filter.Words())
	return nil
}

// writeWhole writes b to path through a temporary file in the same
// directory, so the file is either the whole export or left as it was.
func writeWhole(path string, b []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("write %s: %w", path, err)
	}
	return os.Chmod(path, 0o644)
}
