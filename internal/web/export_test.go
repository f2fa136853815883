package web

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"cocreate/internal/app"
	"cocreate/internal/apperr"
	"cocreate/internal/export"
	"cocreate/internal/store"
)

// exportWorld is a call with three reviewers, each assigned to every one of
// three screened notes; two notes are scored by all three, one is not.
func exportWorld(t *testing.T, extra map[string]any) (*reviewWorld, []*store.Note) {
	t.Helper()
	if extra == nil {
		extra = map[string]any{}
	}
	extra["min_reviews"] = 2
	w := newReviewWorld(t, extra, seat{"Ann Ames", "Org A", "government"}, seat{"Ben Bell", "Org B", "civil_society"},
		seat{"Cid Cole", "Org C", "academia"})
	ns := []*store.Note{w.screenedNote("Pat Page", "Org P"), w.screenedNote("Quin Quay", "Org Q"), w.screenedNote("Rae Ross", "Org R")}
	if r := w.auto(nil); r.Status != 200 {
		t.Fatalf("auto: %d %s", r.Status, r.Raw)
	}
	for i, n := range ns[:2] {
		for k, u := range w.revs {
			if r := w.ts.api("PUT", "/api/v1/notes/"+n.ID+"/review", w.tok[u.ID], fullReview(1+i*2+k%2, true)); r.Status != 200 {
				t.Fatalf("review: %d %s", r.Status, r.Raw)
			}
		}
	}
	w.ts.app.WaitForScores()
	for i, n := range ns {
		ns[i] = w.note(n.ID)
	}
	return w, ns
}

// download GETs path with token and returns the body, checking the status and content type.
func (w *reviewWorld) download(t *testing.T, path, token, ctype string) apiResp {
	t.Helper()
	r := w.ts.api("GET", path, token, nil)
	if r.Status != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), ctype) {
		t.Fatalf("GET %s: %d %s %s", path, r.Status, r.Header.Get("Content-Type"), r.Raw)
	}
	return r
}

func reopen(t *testing.T, b []byte) *excelize.File {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("reopen the workbook: %v", err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func TestShortlistDownload(t *testing.T) {
	w, ns := exportWorld(t, map[string]any{"blind_review": true})
	// A submitted review whose reviewer is not assigned to the note does not count.
	at := time.Date(2026, 6, 14, 0, 0, 0, 0, time.UTC)
	stray := &store.Review{NoteID: ns[0].ID, CallID: ns[0].CallID, ReviewerID: "gone", Scores: map[string]int{"problem": 4},
		Comment: "A stray review.", State: store.ReviewSubmitted, SubmittedAt: &at}
	if err := w.ts.store.InsertReviews(context.Background(), []*store.Review{stray}); err != nil {
		t.Fatal(err)
	}
	base := "/api/v1/calls/plan-2026/exports/shortlist"
	r := w.download(t, base+".xlsx", w.coordTok, xlsxType)
	if cd := r.Header.Get("Content-Disposition"); cd != `attachment; filename="plan-2026-shortlist-2026-06-15.xlsx"` {
		t.Errorf("Content-Disposition %q", cd)
	}
	f := reopen(t, r.Raw)
	rows, err := f.GetRows(export.SheetShortlist)
	if err != nil {
		t.Fatal(err)
	}
	head := rows[0]
	ref, org := slices.Index(head, "Reference"), slices.Index(head, "Submitter organisation")
	if len(rows) != 4 || org < 0 {
		t.Fatalf("coordinator's shortlist: %q", rows)
	}
	// Ranked by mean: the second note was scored higher.
	if rows[1][ref] != ns[1].Ref || rows[2][ref] != ns[0].Ref || rows[3][ref] != ns[2].Ref || rows[1][0] != "1" || rows[3][0] != "" {
		t.Errorf("ranking: %q", rows)
	}
	if rows[1][org] != "Org Q" {
		t.Errorf("the coordinator should see the submitter's organisation: %q", rows[1])
	}
	rv, _ := f.GetRows(export.SheetReviews)
	if len(rv) != 7 {
		t.Errorf("reviews sheet has %d rows, want 6 reviews and a header", len(rv))
	}

	// Blind review: the chair's copy leaves the submitter out.
	f = reopen(t, w.download(t, base+".xlsx", w.chairTok, xlsxType).Raw)
	rows, _ = f.GetRows(export.SheetShortlist)
	for _, h := range rows[0] {
		if strings.HasPrefix(h, "Submitter") {
			t.Errorf("blind call, the chair's shortlist has %q", h)
		}
	}
	for _, row := range rows {
		if slices.Contains(row, "Org Q") || slices.Contains(row, "Org P") {
			t.Errorf("blind call, the chair's shortlist names an organisation: %q", row)
		}
	}

	// Filters: by state, as a list; the CSV carries the same first sheet.
	r = w.download(t, base+".csv?state=screened&class=A,B,D", w.coordTok, "text/csv")
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(r.Raw, []byte("\xEF\xBB\xBF")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 3 || recs[1][1] != ns[1].Ref || recs[2][1] != ns[0].Ref {
		t.Errorf("filtered csv (the unscored note has no class): %q", recs)
	}
	if r := w.ts.api("GET", base+".xlsx?class=E", w.coordTok, nil); r.Status != 400 || r.errCode() != "bad_request" {
		t.Errorf("unknown class: %d %s", r.Status, r.Raw)
	}
	if r := w.ts.api("GET", base+".xlsx", w.tok[w.revs[0].ID], nil); r.Status != 403 {
		t.Errorf("a reviewer: %d %s", r.Status, r.Raw)
	}
	if r := w.ts.api("GET", "/api/v1/calls/nope/exports/shortlist.xlsx", w.coordTok, nil); r.Status != 404 {
		t.Errorf("unknown call: %d %s", r.Status, r.Raw)
	}

	// Every download is recorded, with its filters.
	got, err := w.ts.store.AuditEntries(context.Background(), app.EventExportShortlist, "", 0)
	if err != nil || len(got) != 3 || got[0].Detail["format"] != "csv" || !strings.Contains(got[0].Detail["filters"], "state Under review") ||
		got[0].By == "" || got[0].IP == "" {
		t.Fatalf("audit: %+v %v", got, err)
	}

	// The pages offer the download with its filters, and serve it to the browser.
	b := w.ts.browser()
	b.signIn(w.chair.Email, "a long enough password")
	if p := b.get("/committee?call=plan-2026"); !strings.Contains(p.Body, `action="/committee/shortlist.xlsx"`) || !strings.Contains(p.Body, `formaction="/committee/shortlist.csv"`) {
		t.Errorf("the dashboard has no shortlist form")
	}
	if p := b.get("/committee/publish?call=plan-2026"); !strings.Contains(p.Body, `action="/committee/shortlist.xlsx"`) {
		t.Errorf("the publish page has no shortlist form")
	}
	if p := b.get("/committee/shortlist.xlsx?call=plan-2026&class=A&class=B"); p.Status != 200 || !strings.HasPrefix(p.Body, "PK") {
		t.Errorf("page download: %d", p.Status)
	}
	if p := b.get("/committee/shortlist.csv?call=plan-2026&state=nonsense"); p.Status != 400 || !strings.Contains(p.text(), "nonsense") {
		t.Errorf("page download with a bad state: %d", p.Status)
	}
}

// sheetRowOf returns the Scores row of ref.
func sheetRowOf(t *testing.T, f *excelize.File, ref string) int {
	t.Helper()
	rows, err := f.GetRows(export.SheetScores)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range rows {
		if len(r) > 0 && r[0] == ref {
			return i + 1
		}
	}
	t.Fatalf("no row for %s", ref)
	return 0
}

// set writes cells of the Scores sheet: "C3" → value.
func set(t *testing.T, f *excelize.File, cells map[string]any) {
	t.Helper()
	for c, v := range cells {
		if err := f.SetCellValue(export.SheetScores, c, v); err != nil {
			t.Fatal(err)
		}
	}
}

func saved(t *testing.T, f *excelize.File) []byte {
	t.Helper()
	b, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// upload posts data as the multipart field file.
func (ts *testServer) upload(path, token string, data []byte) apiResp {
	ts.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", "sheet.xlsx")
	fw.Write(data)
	mw.Close()
	req, _ := http.NewRequest("POST", ts.srv.URL+path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		ts.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	out := apiResp{Status: res.StatusCode, Header: res.Header, Raw: raw}
	if strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(raw, &out.Body); err != nil {
			ts.t.Fatalf("not JSON: %s", raw)
		}
	}
	return out
}

const importPath = "/api/v1/calls/plan-2026/imports/scoring-sheet"

func TestScoringSheetRoundTrip(t *testing.T) {
	w, ns := exportWorld(t, map[string]any{"blind_review": true})
	ann := w.revs[0]
	tok := w.tok[ann.ID]
	r := w.download(t, "/api/v1/calls/plan-2026/exports/scoring-sheet.xlsx", tok, xlsxType)
	f := reopen(t, r.Raw)
	if got := f.GetSheetList(); !slices.Equal(got, []string{export.SheetScores, export.SheetRubric, export.SheetKeys}) {
		t.Fatalf("sheets %v", got)
	}
	if vis, _ := f.GetSheetVisible(export.SheetKeys); vis {
		t.Error("the keys sheet is visible")
	}
	if p, _ := f.GetSheetProtection(export.SheetKeys); p.Password == "" && p.AlgorithmName == "" {
		t.Errorf("the keys sheet is not protected: %+v", p)
	}
	rows, _ := f.GetRows(export.SheetScores)
	if len(rows) != 4 || rows[0][2] != "Problem: clarity and evidence (0–4)" || rows[0][8] != "Submit? (yes or no)" {
		t.Fatalf("scores sheet: %q", rows[:1])
	}
	for _, row := range rows {
		for _, v := range row {
			if strings.Contains(v, "Pat Page") || strings.Contains(v, "Org P") {
				t.Fatalf("blind review: the sheet names the submitter: %q", row)
			}
		}
	}
	dvs, err := f.GetDataValidations(export.SheetScores)
	if err != nil || len(dvs) != 6 {
		t.Fatalf("data validations: %d %v", len(dvs), err)
	}
	var whole, list int
	for _, dv := range dvs {
		switch dv.Type {
		case "whole":
			whole++
			if dv.Formula1 != "0" || dv.Formula2 != "4" || dv.Prompt == nil || !strings.Contains(*dv.Prompt, "0 ") {
				t.Errorf("score validation %+v", dv)
			}
		case "list":
			list++
		}
	}
	if whole != 5 || list != 1 {
		t.Errorf("validations: %d whole, %d list", whole, list)
	}
	// The already-submitted reviews come pre-filled; the unscored note is empty.
	third := sheetRowOf(t, f, ns[2].Ref)
	if v, _ := f.GetCellValue(export.SheetScores, "I"+itoa(third)); v != "no" {
		t.Errorf("submit of an unstarted review: %q", v)
	}
	first := sheetRowOf(t, f, ns[0].Ref)
	if v, _ := f.GetCellValue(export.SheetScores, "C"+itoa(first)); v != "1" {
		t.Errorf("pre-filled score: %q", v)
	}

	// Fill in: the third note scored and submitted (one score a number
	// stored as text), the first note revised; rows re-ordered, a blank row added.
	set(t, f, map[string]any{"C" + itoa(third): 4, "D" + itoa(third): "3", "E" + itoa(third): 3, "F" + itoa(third): 2,
		"G" + itoa(third): 4, "H" + itoa(third): "Strong and dated.", "I" + itoa(third): "yes"})
	set(t, f, map[string]any{"C" + itoa(first): 2, "H" + itoa(first): "Revised offline."})
	if err := f.InsertRows(export.SheetScores, 2, 2); err != nil {
		t.Fatal(err)
	}
	// Re-ordered: the third note's row moves to the bottom, after blank rows.
	moved := sheetRowOf(t, f, ns[2].Ref)
	if err := f.DuplicateRowTo(export.SheetScores, moved, 12); err != nil {
		t.Fatal(err)
	}
	if err := f.RemoveRow(export.SheetScores, moved); err != nil {
		t.Fatal(err)
	}
	if got := sheetRowOf(t, f, ns[2].Ref); got != 11 {
		t.Fatalf("the moved row is at %d", got)
	}
	good := saved(t, f)
	res := w.ts.upload(importPath, tok, good)
	if res.Status != 200 || res.Body["imported"] != 2.0 || res.Body["unchanged"] != 1.0 || len(res.Body["conflicts"].([]any)) != 0 {
		t.Fatalf("import: %d %s", res.Status, res.Raw)
	}
	rv, err := w.ts.store.ReviewOf(context.Background(), ns[2].ID, ann.ID)
	if err != nil || rv.State != store.ReviewSubmitted || rv.Scores["relevance"] != 3 || rv.Comment != "Strong and dated." {
		t.Fatalf("imported review %+v %v", rv, err)
	}
	if n := w.note(ns[2].ID); n.AssignedTo(ann.ID).ReviewState != store.ReviewSubmitted || n.Score == nil {
		t.Fatalf("the note's aggregate did not follow: %+v", n.Score)
	}
	if rv, _ := w.ts.store.ReviewOf(context.Background(), ns[0].ID, ann.ID); rv.Scores["problem"] != 2 || len(rv.Revisions) != 1 {
		t.Fatalf("revised review %+v", rv)
	}
	// Uploading the same file again changes nothing.
	if res := w.ts.upload(importPath, tok, good); res.Status != 200 || res.Body["imported"] != 0.0 || res.Body["unchanged"] != 3.0 {
		t.Fatalf("second upload: %d %s", res.Status, res.Raw)
	}
	audit, _ := w.ts.store.AuditEntries(context.Background(), app.EventImportScoringSheet, ann.ID, 0)
	exports, _ := w.ts.store.AuditEntries(context.Background(), app.EventExportScoringSheet, ann.ID, 0)
	if len(audit) != 2 || len(exports) != 1 {
		t.Errorf("audit: %d imports, %d downloads", len(audit), len(exports))
	}
}

// TestScoringSheetRefusals uploads bad sheets: each is refused whole, with
// the problem placed by row and column, and nothing is saved.
func TestScoringSheetRefusals(t *testing.T) {
	w, ns := exportWorld(t, nil)
	ann, ben := w.revs[0], w.revs[1]
	tok := w.tok[ann.ID]
	sheet := w.download(t, "/api/v1/calls/plan-2026/exports/scoring-sheet.xlsx", tok, xlsxType).Raw
	f := reopen(t, sheet)
	row := itoa(sheetRowOf(t, f, ns[2].Ref))
	other := itoa(sheetRowOf(t, f, ns[0].Ref))
	fill := func(cells map[string]any) []byte {
		f := reopen(t, sheet)
		// A good row beside the bad one: it must not be saved either.
		set(t, f, map[string]any{"C" + row: 3, "D" + row: 3, "E" + row: 3, "F" + row: 3, "G" + row: 3, "I" + row: "yes"})
		set(t, f, cells)
		return saved(t, f)
	}
	otherCall := w.ts.api("POST", "/api/v1/calls", w.coordTok, callBody("other-2026", nil))
	if otherCall.Status != 201 {
		t.Fatalf("other call: %d %s", otherCall.Status, otherCall.Raw)
	}
	cases := []struct {
		name, path, token string
		data              []byte
		row               int
		col, words        string
	}{
		{"out of range", importPath, tok, fill(map[string]any{"D" + other: 5}), sheetRowOf(t, f, ns[0].Ref), "D", "out of range"},
		{"text in a score cell", importPath, tok, fill(map[string]any{"E" + other: "three"}), sheetRowOf(t, f, ns[0].Ref), "E", `not the text "three"`},
		{"a fractional score", importPath, tok, fill(map[string]any{"F" + other: 2.5}), sheetRowOf(t, f, ns[0].Ref), "F", "fraction"},
		{"an edited reference", importPath, tok, fill(map[string]any{"A" + other: "BZ2026-9999"}), sheetRowOf(t, f, ns[0].Ref), "A", "not the reference of a note on this sheet"},
		{"a row twice", importPath, tok, fill(map[string]any{"A" + other: ns[2].Ref}), sheetRowOf(t, f, ns[0].Ref), "A", "appears twice"},
		{"a bad submit cell", importPath, tok, fill(map[string]any{"I" + other: "maybe"}), sheetRowOf(t, f, ns[0].Ref), "I", "yes to submit"},
		{"submit without every score", importPath, tok, fill(map[string]any{"G" + row: ""}), sheetRowOf(t, f, ns[2].Ref), "G", "before submitting"},
		{"another reviewer's sheet", importPath, w.tok[ben.ID], fill(nil), 0, "", "another committee member"},
		{"another call", "/api/v1/calls/other-2026/imports/scoring-sheet", tok, fill(nil), 0, "", "made for another call (Belize's first action plan)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := w.ts.upload(tc.path, tc.token, tc.data)
			if r.Status != 422 || r.errCode() != "validation_failed" || r.Body["imported"] != 0.0 {
				t.Fatalf("%d %s", r.Status, r.Raw)
			}
			errs := r.Body["errors"].([]any)
			e := errs[0].(map[string]any)
			if len(errs) != 1 || int(e["row"].(float64)) != tc.row || !strings.HasPrefix(e["column"].(string), tc.col) ||
				!strings.Contains(e["message"].(string), tc.words) {
				t.Fatalf("errors: %s", r.Raw)
			}
			if rv, err := w.ts.store.ReviewOf(context.Background(), ns[2].ID, ann.ID); !store.IsNotFound(err) {
				t.Fatalf("a refused sheet saved a review: %+v", rv)
			}
		})
	}

	t.Run("another workbook", func(t *testing.T) {
		other := w.download(t, "/api/v1/calls/plan-2026/exports/shortlist.xlsx", w.coordTok, xlsxType).Raw
		if r := w.ts.upload(importPath, tok, other); r.Status != 422 || !strings.Contains(r.Raw2(), "not a scoring sheet downloaded from cocreate") {
			t.Fatalf("%d %s", r.Status, r.Raw)
		}
	})
	t.Run("an edited note id in the hidden sheet", func(t *testing.T) {
		f := reopen(t, fill(nil))
		keys, _ := f.GetRows(export.SheetKeys)
		for i, k := range keys {
			if len(k) > 1 && k[0] == ns[2].Ref {
				if err := f.SetCellStr(export.SheetKeys, "B"+itoa(i+1), "6b0000000000000000000000"); err != nil {
					t.Fatal(err)
				}
			}
		}
		r := w.ts.upload(importPath, tok, saved(t, f))
		if r.Status != 422 || !strings.Contains(r.Raw2(), ns[2].Ref+" cannot be imported: this note no longer exists") {
			t.Fatalf("%d %s", r.Status, r.Raw)
		}
	})
	t.Run("not a workbook", func(t *testing.T) {
		if r := w.ts.upload(importPath, tok, []byte("reference,score\nBZ-1,3\n")); r.Status != 415 || !strings.Contains(r.Raw2(), "not an Excel workbook") {
			t.Fatalf("%d %s", r.Status, r.Raw)
		}
		if r := w.ts.upload(importPath, tok, []byte("PK\x03\x04 but not a zip")); r.Status != 415 {
			t.Fatalf("a broken zip: %d %s", r.Status, r.Raw)
		}
	})
	t.Run("too large", func(t *testing.T) {
		if r := w.ts.upload(importPath, tok, bytes.Repeat([]byte("x"), maxUpload+1)); r.Status != 413 || r.errCode() != "too_large" {
			t.Fatalf("%d %s", r.Status, r.Raw)
		}
	})

	// Missing rows are fine: only what is there is imported.
	t.Run("missing rows", func(t *testing.T) {
		f := reopen(t, fill(nil))
		if err := f.RemoveRow(export.SheetScores, sheetRowOf(t, f, ns[1].Ref)); err != nil {
			t.Fatal(err)
		}
		if err := f.RemoveRow(export.SheetScores, sheetRowOf(t, f, ns[0].Ref)); err != nil {
			t.Fatal(err)
		}
		if r := w.ts.upload(importPath, tok, saved(t, f)); r.Status != 200 || r.Body["imported"] != 1.0 {
			t.Fatalf("%d %s", r.Status, r.Raw)
		}
	})
}

// TestScoringSheetAfterChangesOnTheWeb: a note unassigned since the download
// refuses the sheet; a review edited on the web is left as it is and
// reported, while the other rows are imported.
func TestScoringSheetAfterChangesOnTheWeb(t *testing.T) {
	w, ns := exportWorld(t, nil)
	ann := w.revs[0]
	tok := w.tok[ann.ID]
	sheet := w.download(t, "/api/v1/calls/plan-2026/exports/scoring-sheet.xlsx", tok, xlsxType).Raw
	f := reopen(t, sheet)
	third, first := itoa(sheetRowOf(t, f, ns[2].Ref)), itoa(sheetRowOf(t, f, ns[0].Ref))
	set(t, f, map[string]any{"C" + third: 2, "H" + third: "Offline draft."})
	set(t, f, map[string]any{"C" + first: 0, "D" + first: 0, "E" + first: 0, "F" + first: 0, "G" + first: 0})
	filled := saved(t, f)

	// Edited on the web after the download: that row is a conflict.
	if r := w.ts.api("PUT", "/api/v1/notes/"+ns[0].ID+"/review", tok, fullReview(4, true)); r.Status != 200 {
		t.Fatalf("web edit: %d %s", r.Status, r.Raw)
	}
	r := w.ts.upload(importPath, tok, filled)
	if r.Status != 200 || r.Body["imported"] != 1.0 {
		t.Fatalf("import: %d %s", r.Status, r.Raw)
	}
	cs := r.Body["conflicts"].([]any)
	if len(cs) != 1 || cs[0].(map[string]any)["reference"] != ns[0].Ref || !strings.Contains(cs[0].(map[string]any)["message"].(string), "changed on the web after this sheet was downloaded") {
		t.Fatalf("conflicts: %s", r.Raw)
	}
	if rv, _ := w.ts.store.ReviewOf(context.Background(), ns[0].ID, ann.ID); rv.Scores["problem"] != 4 {
		t.Fatalf("the web edit was overwritten: %+v", rv)
	}
	if rv, err := w.ts.store.ReviewOf(context.Background(), ns[2].ID, ann.ID); err != nil || rv.State != store.ReviewDraft || rv.Comment != "Offline draft." {
		t.Fatalf("the draft row: %+v %v", rv, err)
	}

	// Unassigned since the download: the row that scores the note refuses the sheet.
	sheet = w.download(t, "/api/v1/calls/plan-2026/exports/scoring-sheet.xlsx", w.tok[w.revs[1].ID], xlsxType).Raw
	f = reopen(t, sheet)
	third = itoa(sheetRowOf(t, f, ns[2].Ref))
	set(t, f, map[string]any{"C" + third: 3})
	ids := []string{}
	for _, a := range w.note(ns[2].ID).Assignments {
		if a.ReviewerID != w.revs[1].ID {
			ids = append(ids, a.ReviewerID)
		}
	}
	if r := w.ts.api("PUT", "/api/v1/notes/"+ns[2].ID+"/assignments", w.coordTok, map[string]any{"reviewer_ids": ids}); r.Status != 200 {
		t.Fatalf("unassign: %d %s", r.Status, r.Raw)
	}
	r = w.ts.upload(importPath, w.tok[w.revs[1].ID], saved(t, f))
	if r.Status != 422 || !strings.Contains(r.Raw2(), "not assigned") || !strings.Contains(r.Raw2(), `"row":`+third) {
		t.Fatalf("unassigned: %d %s", r.Status, r.Raw)
	}

	// A conflict of interest declared since the download refuses the sheet too.
	cid := w.revs[2]
	f = reopen(t, w.download(t, "/api/v1/calls/plan-2026/exports/scoring-sheet.xlsx", w.tok[cid.ID], xlsxType).Raw)
	third = itoa(sheetRowOf(t, f, ns[2].Ref))
	set(t, f, map[string]any{"C" + third: 1, "H" + third: "Scored before declaring."})
	if r := w.ts.api("POST", "/api/v1/notes/"+ns[2].ID+"/conflict", w.tok[cid.ID], map[string]any{"reason": "My sister wrote it"}); r.Status != 204 {
		t.Fatalf("conflict: %d %s", r.Status, r.Raw)
	}
	r = w.ts.upload(importPath, w.tok[cid.ID], saved(t, f))
	if r.Status != 422 || !strings.Contains(r.Raw2(), "conflict of interest") {
		t.Fatalf("conflicted: %d %s", r.Status, r.Raw)
	}
}

// postFile posts a multipart form with fields and the file field from the browser.
func (b *browser) postFile(path string, fields map[string]string, data []byte) htmlPage {
	b.ts.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	if data != nil {
		fw, _ := mw.CreateFormFile("file", "sheet.xlsx")
		fw.Write(data)
	}
	mw.Close()
	req, _ := http.NewRequest("POST", b.ts.srv.URL+path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	res, err := b.client.Do(req)
	if err != nil {
		b.ts.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return htmlPage{Status: res.StatusCode, Location: res.Header.Get("Location"), Body: string(raw)}
}

func TestScoringSheetPages(t *testing.T) {
	w, ns := exportWorld(t, nil)
	ann := w.revs[0]
	b := w.ts.browser()
	b.signIn(ann.Email, "a long enough password")
	q := b.get("/committee/reviews?call=plan-2026")
	if !strings.Contains(q.Body, `href="/committee/reviews/scoring-sheet.xlsx?call=plan-2026"`) || !strings.Contains(q.Body, `href="/committee/reviews/upload?call=plan-2026"`) {
		t.Fatalf("the queue has no scoring sheet links:\n%s", q.Body)
	}
	dl := b.get("/committee/reviews/scoring-sheet.xlsx?call=plan-2026")
	if dl.Status != 200 || !strings.HasPrefix(dl.Body, "PK") {
		t.Fatalf("page download: %d", dl.Status)
	}
	form := b.get("/committee/reviews/upload?call=plan-2026")
	if form.Status != 200 || !strings.Contains(form.Body, `enctype="multipart/form-data"`) || !strings.Contains(form.Body, `<label for="file">`) {
		t.Fatalf("upload page: %d\n%s", form.Status, form.Body)
	}
	fields := hidden(t, form.Body, "/committee/reviews/upload")
	post := func(data []byte) htmlPage {
		t.Helper()
		vals := map[string]string{}
		for k := range fields {
			vals[k] = fields.Get(k)
		}
		vals["form_token"] += itoa(len(data)) // a fresh form each time
		return b.postFile("/committee/reviews/upload", vals, data)
	}
	if p := post(nil); p.Status != 422 || !strings.Contains(p.text(), "Choose the scoring sheet") || !strings.Contains(p.Body, `id="file-error"`) {
		t.Fatalf("no file: %d\n%s", p.Status, p.Body)
	}
	if p := post(bytes.Repeat([]byte("x"), maxUpload+100<<10)); p.Status != 413 || !strings.Contains(p.text(), "larger than 10 MiB") {
		t.Fatalf("too large: %d\n%s", p.Status, p.text())
	}
	if p := post([]byte("name,score\n")); p.Status != 415 || !strings.Contains(p.text(), "not an Excel workbook") || !strings.Contains(p.Body, `id="file-error"`) {
		t.Fatalf("not a workbook: %d\n%s", p.Status, p.text())
	}
	f := reopen(t, []byte(dl.Body))
	row := sheetRowOf(t, f, ns[2].Ref)
	set(t, f, map[string]any{"D" + itoa(row): 7})
	p := post(saved(t, f))
	if p.Status != 422 || !strings.Contains(p.text(), "Scores sheet, row "+itoa(row)+", column D (Relevance to OGP values (0–4)): A score must be from 0 to 4: 7 is out of range.") ||
		!strings.Contains(p.text(), "nothing was imported") {
		t.Fatalf("a bad sheet: %d\n%s", p.Status, p.text())
	}
	set(t, f, map[string]any{"D" + itoa(row): 2})
	p = post(saved(t, f))
	if p.Status != http.StatusSeeOther || p.Location != "/committee/reviews?call=plan-2026" {
		t.Fatalf("a good sheet: %d %s\n%s", p.Status, p.Location, p.Body)
	}
	if q := b.get(p.Location); !strings.Contains(q.text(), "Imported 1 review from your scoring sheet; 2 left as they were.") {
		t.Errorf("no flash after the import:\n%s", q.text())
	}
	if p := b.get("/committee/reviews/upload?call=plan-2026"); !strings.Contains(p.Body, "<h1>Upload your scoring sheet</h1>") {
		t.Errorf("upload page again: %d", p.Status)
	}
}

// TestScoringSheetResavedByLibreOffice converts a filled-in sheet with
// LibreOffice (as a reviewer who saves it there does) and imports the
// re-saved file. Where soffice is not installed it is skipped, except in
// CI (CI=true), which installs it.
func TestScoringSheetResavedByLibreOffice(t *testing.T) {
	soffice, err := exec.LookPath("soffice")
	if err != nil && os.Getenv("CI") == "true" {
		t.Fatal("soffice (Debian package libreoffice-calc-nogui) is missing, and CI installs it: the LibreOffice round trip must run")
	}
	if err != nil {
		t.Skip("soffice (Debian package libreoffice-calc-nogui) is not installed: the LibreOffice round trip is not tested")
	}
	w, ns := exportWorld(t, nil)
	ann := w.revs[0]
	tok := w.tok[ann.ID]
	f := reopen(t, w.download(t, "/api/v1/calls/plan-2026/exports/scoring-sheet.xlsx", tok, xlsxType).Raw)
	row := itoa(sheetRowOf(t, f, ns[2].Ref))
	set(t, f, map[string]any{"C" + row: 4, "D" + row: "3", "E" + row: 2, "F" + row: 1, "G" + row: 0, "H" + row: "Saved again in LibreOffice.", "I" + row: "yes"})
	dir := t.TempDir()
	in := filepath.Join(dir, "sheet.xlsx")
	if err := os.WriteFile(in, saved(t, f), 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, soffice, "-env:UserInstallation=file://"+filepath.Join(dir, "profile"),
		"--headless", "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", out, in)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("soffice: %v\n%s", err, b)
	}
	resaved, err := os.ReadFile(filepath.Join(out, "sheet.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(resaved, saved(t, f)) {
		t.Fatal("LibreOffice did not write the file again")
	}
	r := w.ts.upload(importPath, tok, resaved)
	if r.Status != 200 || r.Body["imported"] != 1.0 || len(r.Body["conflicts"].([]any)) != 0 {
		t.Fatalf("import of the re-saved sheet: %d %s", r.Status, r.Raw)
	}
	rv, err := w.ts.store.ReviewOf(context.Background(), ns[2].ID, ann.ID)
	if err != nil || rv.State != store.ReviewSubmitted || rv.Scores["relevance"] != 3 || rv.Scores["feasibility"] != 0 || rv.Comment != "Saved again in LibreOffice." {
		t.Fatalf("review from the re-saved sheet: %+v %v", rv, err)
	}
}

// TestShortlistFollowsChanges downloads, changes a review's comment only, a
// decision and a submitter's organisation, and downloads again: the kept
// material must not hide any of them.
func TestShortlistFollowsChanges(t *testing.T) {
	w, ns := exportWorld(t, nil)
	path := "/api/v1/calls/plan-2026/exports/shortlist.xlsx"
	w.download(t, path, w.coordTok, xlsxType)
	ann := w.revs[0]
	body := fullReview(1, true)
	body["comment"] = "Only the comment changed."
	if r := w.ts.api("PUT", "/api/v1/notes/"+ns[0].ID+"/review", w.tok[ann.ID], body); r.Status != 200 {
		t.Fatalf("revise: %d %s", r.Status, r.Raw)
	}
	if r := w.ts.api("POST", "/api/v1/notes/"+ns[1].ID+"/classify", w.chairTok, classifyBodyFor(w.note(ns[1].ID), "A", "included")); r.Status != 200 {
		t.Fatalf("classify: %d %s", r.Status, r.Raw)
	}
	if _, err := w.ts.store.UpdateUser(context.Background(), ns[1].Owner, store.UserPatch{Organization: ptr("Renamed Org")}); err != nil {
		t.Fatal(err)
	}
	f := reopen(t, w.download(t, path, w.coordTok, xlsxType).Raw)
	rows, _ := f.GetRows(export.SheetShortlist)
	head := rows[0]
	top := rows[1]
	if top[slices.Index(head, "Reference")] != ns[1].Ref || top[slices.Index(head, "Decided class")] != "A" ||
		top[slices.Index(head, "Reason code")] != "Included" || top[slices.Index(head, "Submitter organisation")] != "Renamed Org" ||
		top[slices.Index(head, "State")] != "Classified" {
		t.Errorf("after the changes: %q", top)
	}
	rv, _ := f.GetRows(export.SheetReviews)
	found := false
	for _, r := range rv {
		found = found || slices.Contains(r, "Only the comment changed.")
	}
	if !found {
		t.Errorf("the revised comment is not in the Reviews sheet: %q", rv)
	}
}

func ptr[T any](v T) *T { return &v }

// TestSaveReviewFromAnOlderVersion: a save that names the version it was
// made from is refused once the review has moved on.
func TestSaveReviewFromAnOlderVersion(t *testing.T) {
	w, ns := exportWorld(t, nil)
	ann := w.revs[0]
	ctx := context.Background()
	rv, err := w.ts.store.ReviewOf(ctx, ns[0].ID, ann.ID)
	if err != nil {
		t.Fatal(err)
	}
	old := rv.Version - 1
	in := app.ReviewInput{Scores: map[string]int{"problem": 4, "relevance": 4, "ambition": 4, "verifiability": 4, "feasibility": 4}, BaseVersion: &old}
	if _, err := w.ts.app.SaveReview(ctx, ann, ns[0].ID, in); !errors.Is(err, apperr.ErrStaleVersion) {
		t.Fatalf("a save from an older version: %v", err)
	}
	cur := rv.Version
	in.BaseVersion = &cur
	if _, err := w.ts.app.SaveReview(ctx, ann, ns[0].ID, in); err != nil {
		t.Fatalf("a save from the current version: %v", err)
	}
	none := 0
	in.BaseVersion = &none
	if _, err := w.ts.app.SaveReview(ctx, ann, ns[2].ID, in); err != nil {
		t.Fatalf("a first save from no review: %v", err)
	}
}
