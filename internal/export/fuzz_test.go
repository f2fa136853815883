package export

import (
	"bytes"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"cocreate/internal/notes"
	"cocreate/internal/review"
)

// fuzzSheetRefs are the references of the notes on fuzzSheet.
var fuzzSheetRefs = []string{"BZ2020-0001", "BZ2020-0002"}

// fuzzSheet is a reviewer's scoring sheet with two notes, as downloaded.
func fuzzSheet(f *testing.F) []byte {
	f.Helper()
	s := &ScoringSheet{CallID: "call1", CallSlug: "bz2020", CallTitle: "Action plan", ReviewerID: "rev1", Reviewer: "Rita",
		Criteria: review.DefaultCriteria(), GeneratedAt: time.Date(2026, 6, 15, 12, 0, 0, 0, time.UTC), Zone: time.UTC, ZoneName: "UTC",
		Notes: slices.Values([]SheetNote{
			{NoteID: "n1", Ref: fuzzSheetRefs[0], Fields: notes.Fields{Title: "Open contracts"}, ReviewState: "assigned"},
			{NoteID: "n2", Ref: fuzzSheetRefs[1], Fields: notes.Fields{Title: "Open budgets"}, Scores: map[string]int{"problem": 2}, ReviewState: "draft", Version: 3},
		})}
	var buf bytes.Buffer
	if err := WriteScoringSheet(&buf, s); err != nil {
		f.Fatal(err)
	}
	return buf.Bytes()
}

// FuzzReadScoringSheet feeds the importer any bytes: a sheet as
// downloaded, cut short, with bytes changed, or not a workbook at all. It
// never panics, and answers either ErrNotWorkbook, or problems placed on
// the sheet, or rows that each name a note of the sheet with scores from
// 0 to 4.
func FuzzReadScoringSheet(f *testing.F) {
	good := fuzzSheet(f)
	f.Add(good)
	f.Add(good[:len(good)/2])
	f.Add(good[:len(good)-1])
	f.Add([]byte{})
	f.Add([]byte("PK\x03\x04 not really a zip"))
	flipped := bytes.Clone(good)
	flipped[len(flipped)/3] ^= 0xff
	f.Add(flipped)
	f.Fuzz(func(t *testing.T, data []byte) {
		up, errs, err := ReadScoringSheet(bytes.NewReader(data))
		if err != nil {
			if !errors.Is(err, ErrNotWorkbook) {
				t.Fatalf("an error that is not ErrNotWorkbook: %v", err)
			}
			return
		}
		for _, ce := range errs {
			if ce.Message == "" {
				t.Fatalf("a problem without a message: %+v", ce)
			}
		}
		if up != nil {
			checkRows(t, up)
		}
	})
}

// checkRows checks that every row read names a note of fuzzSheet and has scores from 0 to 4.
func checkRows(t *testing.T, up *Upload) {
	t.Helper()
	for _, r := range up.Rows {
		if !slices.Contains(fuzzSheetRefs, r.Ref) || r.NoteID == "" {
			t.Fatalf("row %d names no note of the sheet: %+v", r.Row, r)
		}
		for k, v := range r.Scores {
			if v < 0 || v > 4 {
				t.Fatalf("row %d: score %s = %d", r.Row, k, v)
			}
		}
	}
}

// plainText reports whether s reaches a cell and comes back unchanged
// (valid UTF-8 without control characters, which xlsx escapes).
func plainText(s string) bool {
	return utf8.ValidString(s) && utf8.RuneCountInString(s) < 32000 && !strings.ContainsFunc(s, unicode.IsControl) && !strings.Contains(s, "_x")
}

// FuzzScoringSheetCells fills a downloaded sheet's input cells as a
// reviewer might (any reference, score, comment and submit text, in the
// first row, the second or past the end) and checks what the importer
// makes of it: a whole score from 0 to 4 is read as that number and
// anything else is a problem in its row and column; a changed or
// duplicated reference is a problem, never a row for another note; an
// unknown submit text is a problem; the comment comes back as written.
func FuzzScoringSheetCells(f *testing.F) {
	good := fuzzSheet(f)
	f.Add(uint8(0), "", "3", "Fine", "yes")
	f.Add(uint8(1), "", "4.0", "", "no")
	f.Add(uint8(0), "BZ2020-0002", "2", "<script>alert(1)</script>", "Y")
	f.Add(uint8(5), "BZ2020-9999", "-1", "=HYPERLINK(\"http://x\")", "maybe")
	f.Add(uint8(1), "", "2.5", "\u202egnp.exe", "TRUE")
	f.Add(uint8(0), " BZ2020-0001 ", "1e0", strings.Repeat("é", 5000), "")
	f.Add(uint8(0), "", "NaN", "", "1")
	f.Add(uint8(1), "", "5", "", "")
	f.Add(uint8(0), "", "-0.0", "ok", "no")
	f.Fuzz(func(t *testing.T, at uint8, ref, score, comment, submit string) {
		xf, err := excelize.OpenReader(bytes.NewReader(good))
		if err != nil {
			t.Fatal(err)
		}
		defer xf.Close()
		row := 2 + int(at%4)
		set := func(col, v string) {
			if err := xf.SetCellStr(SheetScores, col+strconv.Itoa(row), v); err != nil {
				t.Skip("excelize refuses the cell text:", err)
			}
		}
		if ref != "" {
			set("A", ref)
		}
		set("C", score)
		set(colName(3+len(review.DefaultCriteria())), comment)
		set(colName(4+len(review.DefaultCriteria())), submit)
		var buf bytes.Buffer
		if err := xf.Write(&buf); err != nil {
			t.Skip("excelize cannot write the cell text:", err)
		}
		up, errs, err := ReadScoringSheet(&buf)
		if err != nil {
			t.Fatalf("a sheet as downloaded and filled in is not a workbook: %v", err)
		}
		errAt := func(col string) bool {
			for _, e := range errs {
				if e.Row == row && strings.HasPrefix(e.Column, col+" ") {
					return true
				}
			}
			return false
		}
		if up != nil {
			checkRows(t, up)
		}
		cellRef := strings.TrimSpace(ref)
		if ref == "" && row <= 1+len(fuzzSheetRefs) {
			cellRef = fuzzSheetRefs[row-2]
		}
		blank := func(s string) bool { return strings.TrimSpace(s) == "" }
		if cellRef == "" && blank(score) && blank(comment) && blank(submit) {
			for _, e := range errs {
				if e.Row == row {
					t.Fatalf("an empty row %d has a problem: %+v", row, e)
				}
			}
			return
		}
		known := slices.Contains(fuzzSheetRefs, cellRef)
		dup := known && row <= 1+len(fuzzSheetRefs) && cellRef != fuzzSheetRefs[row-2] || known && row > 1+len(fuzzSheetRefs)
		if !known || dup {
			refused := false
			for _, e := range errs {
				refused = refused || strings.HasPrefix(e.Column, "A ")
			}
			if !refused {
				t.Fatalf("reference %q in row %d: no problem in column A; problems %+v", ref, row, errs)
			}
			return
		}
		var got *SheetRow
		if up != nil {
			for i := range up.Rows {
				if up.Rows[i].Row == row {
					got = &up.Rows[i]
				}
			}
		}
		s := strings.TrimSpace(score)
		if n, perr := strconv.ParseFloat(s, 64); s != "" && (perr != nil || n != float64(int(n)) || n < 0 || n > 4) {
			if !errAt("C") {
				t.Fatalf("score %q: no problem in column C; problems %+v", score, errs)
			}
		} else if s != "" && got != nil && float64(got.Scores["problem"]) != n {
			t.Fatalf("score %q read as %d", score, got.Scores["problem"])
		}
		switch strings.ToLower(strings.TrimSpace(submit)) {
		case "yes", "y", "true", "1", "no", "n", "false", "0", "":
		default:
			if !errAt(colName(4 + len(review.DefaultCriteria()))) {
				t.Fatalf("submit %q: no problem; problems %+v", submit, errs)
			}
		}
		if got == nil && len(errs) == 0 {
			t.Fatalf("row %d was filled and is neither read nor refused", row)
		}
		if got != nil && plainText(comment) && got.Comment != comment {
			t.Fatalf("comment %q came back as %q", comment, got.Comment)
		}
	})
}
