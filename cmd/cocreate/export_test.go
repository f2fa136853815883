package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"cocreate/internal/export"
	"cocreate/internal/review"
	"cocreate/internal/store"
)

func TestExportShortlist(t *testing.T) {
	dir := t.TempDir()
	env := baseEnv(filepath.Join(dir, "data"))
	ctx := context.Background()
	withStore(t, env, func(st *store.Store) {
		c := &store.Call{Slug: "bz-2026", Title: "Test call", RefPrefix: "BZ", TimeZone: "America/Belize", ReviewersPerNote: 2, MinReviews: 1,
			Criteria: review.DefaultCriteria()}
		if err := st.CreateCall(ctx, c); err != nil {
			t.Fatal(err)
		}
		sub := time.Date(2026, 6, 20, 0, 0, 0, 0, time.UTC)
		var ns []*store.Note
		for i, mean := range []float64{40, 80, 60} {
			n := &store.Note{CallID: c.ID, Ref: "BZ-000" + string(rune('1'+i)), State: "screened", Owner: "o", SubmittedAt: &sub,
				Score: &review.Score{Reviews: 1, Mean: mean, Median: mean, PerCriterion: map[string]float64{}, Flags: []string{},
					SuggestedClass: review.SuggestClass(mean, map[string]float64{"ambition": 3, "relevance": 3, "verifiability": 3}, 1, 1)}}
			n.Title = "Note " + n.Ref
			ns = append(ns, n)
		}
		ns = append(ns, &store.Note{CallID: c.ID, State: "draft", Owner: "o"})
		if err := st.InsertNotes(ctx, ns); err != nil {
			t.Fatal(err)
		}
	})
	do := func(args ...string) (string, error) {
		var out bytes.Buffer
		err := run(ctx, append([]string{"export", "shortlist"}, args...), envOf(env), strings.NewReader(""), &out, io.Discard)
		return out.String(), err
	}
	xlsx := filepath.Join(dir, "shortlist.xlsx")
	if out, err := do("--call", "bz-2026", "-o", xlsx); err != nil || !strings.Contains(out, "3 notes") {
		t.Fatalf("export: %q %v", out, err)
	}
	f, err := excelize.OpenFile(xlsx)
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := f.GetRows(export.SheetShortlist)
	f.Close()
	if len(rows) != 4 || rows[1][1] != "BZ-0002" || rows[2][1] != "BZ-0003" || rows[3][1] != "BZ-0001" {
		t.Fatalf("rows: %q", rows)
	}
	csvPath := filepath.Join(dir, "a.csv")
	if _, err := do("--call", "bz-2026", "--class", "A,B", "-o", csvPath); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(csvPath)
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\xEF\xBB\xBF")))).ReadAll()
	if err != nil || len(recs) != 3 || recs[1][1] != "BZ-0002" {
		t.Fatalf("csv (format from the name, filtered): %q %v", recs, err)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--call", "nope", "-o", xlsx}, `"nope"`},
		{[]string{"--call", "bz-2026", "--class", "E", "-o", xlsx}, "class must be one of"},
		{[]string{"--call", "bz-2026", "--format", "pdf", "-o", xlsx}, "xlsx or csv"},
		{[]string{"--call", "bz-2026"}, "-o"},
	} {
		if _, err := do(tc.args...); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want an error with %q", tc.args, err, tc.want)
		}
	}
	withStore(t, env, func(st *store.Store) {
		got, err := st.AuditEntries(ctx, "export.shortlist", "command-line", 0)
		if err != nil || len(got) != 2 || got[0].Detail["format"] != "csv" {
			t.Fatalf("audit: %+v %v", got, err)
		}
	})
}
