package export

import (
	"cocreate/internal/apperr"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
)

// ErrNotWorkbook means an upload is not an xlsx workbook that can be opened.
var ErrNotWorkbook error = &apperr.Said{Text: "the file is not an Excel workbook (.xlsx)"}

// Limits on what reading a workbook may unpack, so a small upload cannot
// expand into gigabytes (a zip bomb).
const (
	unzipLimit    = 200 << 20
	unzipXMLLimit = 100 << 20
)

// CellError is one problem of an uploaded sheet, placed by sheet, row and
// column (Row 0 and Column "" for the workbook as a whole).
type CellError struct {
	Sheet   string `json:"sheet"`
	Row     int    `json:"row"`
	Column  string `json:"column"`
	Message string `json:"message"`
}

// Where says where the problem is, in words: "Scores sheet, row 9, column D (Relevance (0–4))".
func (e CellError) Where() string {
	switch {
	case e.Sheet == "":
		return "The workbook"
	case e.Row == 0:
		return "The " + e.Sheet + " sheet"
	case e.Column == "":
		return fmt.Sprintf("%s sheet, row %d", e.Sheet, e.Row)
	}
	return fmt.Sprintf("%s sheet, row %d, column %s", e.Sheet, e.Row, e.Column)
}

// SheetRow is one filled-in row of an uploaded scoring sheet, checked
// for form (whole scores 0–4, a known reference, yes or no); whether the
// reviewer may save it is the caller's to decide.
type SheetRow struct {
	Row     int // the row number in the Scores sheet
	Ref     string
	NoteID  string
	Version int // the review's version when the sheet was downloaded
	Scores  map[string]int
	Comment string
	Submit  bool
	// Columns maps a criterion key (and "comment", "submit") to its column's name, for messages.
	Columns map[string]string
}

// Upload is a scoring sheet as read back.
type Upload struct {
	CallID, ReviewerID string
	GeneratedAt        time.Time
	Rows               []SheetRow
}

// ReadScoringSheet reads a scoring sheet made by WriteScoringSheet, also
// after Excel or LibreOffice saved it again (shared or inline strings,
// numbers stored as text). It returns ErrNotWorkbook when r is not a
// workbook, and otherwise every problem it finds; rows the reviewer left
// empty (or blank rows added) are skipped.
func ReadScoringSheet(r io.Reader) (*Upload, []CellError, error) {
	f, err := excelize.OpenReader(r, excelize.Options{UnzipSizeLimit: unzipLimit, UnzipXMLSizeLimit: unzipXMLLimit})
	if err != nil {
		return nil, nil, ErrNotWorkbook
	}
	defer f.Close()
	raw := excelize.Options{RawCellValue: true}
	keys, err := f.GetRows(SheetKeys, raw)
	if err != nil || len(keys) < 6 || cell(keys[0], 1) != scoringFormat {
		return nil, []CellError{{Message: "This is not a scoring sheet downloaded from cocreate, or its hidden " + SheetKeys +
			" sheet was changed. Download a fresh scoring sheet from the Your reviews page."}}, nil
	}
	up := &Upload{CallID: cell(keys[1], 1), ReviewerID: cell(keys[2], 1)}
	up.GeneratedAt, _ = time.Parse(time.RFC3339, cell(keys[3], 1))
	colKeys := keys[4][1:]
	type key struct {
		noteID  string
		version int
	}
	byRef := map[string]key{}
	for _, k := range keys[6:] {
		ref := strings.TrimSpace(cell(k, 0))
		if ref == "" {
			continue
		}
		v, err := strconv.Atoi(cell(k, 2))
		if err != nil || cell(k, 1) == "" {
			return nil, []CellError{{Message: "The hidden " + SheetKeys + " sheet was changed, so the rows cannot be tied to their notes. Download a fresh scoring sheet."}}, nil
		}
		byRef[ref] = key{cell(k, 1), v}
	}
	rows, err := f.GetRows(SheetScores, raw)
	if err != nil || len(rows) == 0 {
		return nil, []CellError{{Sheet: SheetScores, Message: "The workbook has no " + SheetScores + " sheet, or it is empty: upload the scoring sheet as downloaded."}}, nil
	}
	heads, err := f.GetRows(SheetScores)
	if err != nil {
		return nil, nil, ErrNotWorkbook
	}
	colOf := map[string]int{}
	names := map[string]string{}
	var errs []CellError
	for i, k := range colKeys {
		colOf[k] = i
		names[k] = fmt.Sprintf("%s (%s)", colName(i+1), cell(heads[0], i))
	}
	want := (&ScoringSheet{}).columns()
	wantHead := map[string]string{}
	for _, c := range want {
		wantHead[c.key] = c.head
	}
	for i, k := range colKeys {
		h := strings.TrimSpace(cell(heads[0], i))
		expected := wantHead[k]
		if strings.HasPrefix(k, "score:") {
			if !strings.HasSuffix(h, " (0–4)") {
				expected = "a criterion's name followed by (0–4)"
			} else {
				continue
			}
		}
		if expected != "" && h != expected {
			errs = append(errs, CellError{Sheet: SheetScores, Row: 1, Column: colName(i + 1),
				Message: fmt.Sprintf("This column's heading should be %q, not %q: columns must stay where they were. Download a fresh sheet if you moved them.", expected, h)})
		}
	}
	if len(errs) > 0 {
		return nil, errs, nil
	}
	seen := map[string]int{}
	refCol := colOf["ref"]
	for i, rec := range rows[1:] {
		rowNo := i + 2
		filled := false
		for _, k := range colKeys {
			if k == "ref" || k == "submit" || strings.HasPrefix(k, "score:") || k == "comment" {
				if strings.TrimSpace(cell(rec, colOf[k])) != "" {
					filled = true
				}
			}
		}
		if !filled {
			continue
		}
		ref := strings.TrimSpace(cell(rec, refCol))
		at := func(k, msg string) {
			errs = append(errs, CellError{Sheet: SheetScores, Row: rowNo, Column: names[k], Message: msg})
		}
		if ref == "" {
			at("ref", "The reference is empty, yet the row has scores or a comment: put back the note's reference, or clear the row.")
			continue
		}
		k, ok := byRef[ref]
		if !ok {
			at("ref", fmt.Sprintf("%q is not the reference of a note on this sheet: keep each row's reference as it was downloaded.", ref))
			continue
		}
		if first, dup := seen[ref]; dup {
			at("ref", fmt.Sprintf("%s appears twice: also in row %d. Keep one row per note.", ref, first))
			continue
		}
		seen[ref] = rowNo
		sr := SheetRow{Row: rowNo, Ref: ref, NoteID: k.noteID, Version: k.version, Scores: map[string]int{}, Columns: map[string]string{"ref": names["ref"]}}
		for _, ck := range colKeys {
			v := strings.TrimSpace(cell(rec, colOf[ck]))
			switch {
			case strings.HasPrefix(ck, "score:"):
				crit := strings.TrimPrefix(ck, "score:")
				sr.Columns[crit] = names[ck]
				if v == "" {
					continue
				}
				n, msg := parseScore(v)
				if msg != "" {
					at(ck, msg)
					continue
				}
				sr.Scores[crit] = n
			case ck == "comment":
				sr.Columns["comment"] = names[ck]
				sr.Comment = cell(rec, colOf[ck])
			case ck == "submit":
				sr.Columns["submit"] = names[ck]
				switch strings.ToLower(v) {
				case "yes", "y", "true", "1":
					sr.Submit = true
				case "no", "n", "false", "0", "":
				default:
					at(ck, fmt.Sprintf("Write yes to submit the review or no to keep it as a draft, not %q.", v))
				}
			}
		}
		up.Rows = append(up.Rows, sr)
	}
	return up, errs, nil
}

// parseScore reads a score cell: a whole number from 0 to 4, as a number
// or as text ("3"); otherwise a message that says what is wrong.
func parseScore(v string) (int, string) {
	x, err := strconv.ParseFloat(v, 64)
	switch {
	case err != nil || math.IsNaN(x) || math.IsInf(x, 0):
		return 0, fmt.Sprintf("A score must be a whole number from 0 to 4, not the text %q.", v)
	case x != math.Trunc(x):
		return 0, fmt.Sprintf("A score must be a whole number from 0 to 4: %s is a fraction.", v)
	case x < 0 || x > 4:
		return 0, fmt.Sprintf("A score must be from 0 to 4: %s is out of range.", v)
	}
	return int(x), ""
}

// cell is rec[i], or "" past its end.
func cell(rec []string, i int) string {
	if i < 0 || i >= len(rec) {
		return ""
	}
	return rec[i]
}
