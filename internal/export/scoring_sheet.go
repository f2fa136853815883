package export

import (
	"crypto/rand"
	"fmt"
	"io"
	"iter"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"cocreate/internal/enum"
	"cocreate/internal/notes"
	"cocreate/internal/review"
)

// Sheet names of the scoring sheet workbook. SheetKeys is very hidden and
// protected: it ties the rows to their notes, the reviewer and the call.
const (
	SheetScores = "Scores"
	SheetKeys   = "cocreate"
)

// scoringFormat names the layout of SheetKeys, so a later layout can still read this one.
const scoringFormat = "cocreate scoring sheet 1"

// Submit cell values (list validation offers these two).
const (
	SubmitYes = "yes"
	SubmitNo  = "no"
)

// SheetNote is one note on a reviewer's scoring sheet, with their review as it is at download.
type SheetNote struct {
	NoteID, Ref string
	notes.Fields
	Submitter   string // who submitted it; "" with blind review
	Scores      map[string]int
	Comment     string
	ReviewState string // assigned, draft or submitted
	Version     int    // the review's version at download, 0 when there is none
}

// ScoringSheet is a reviewer's offline scoring sheet.
type ScoringSheet struct {
	CallID, CallSlug, CallTitle string
	ReviewerID, Reviewer        string
	Criteria                    []review.Criterion
	GeneratedAt                 time.Time
	Zone                        *time.Location
	ZoneName                    string
	Notes                       iter.Seq[SheetNote]
}

// sheetColumn is a column of the Scores sheet: the key stored in SheetKeys and its heading.
type sheetColumn struct {
	key, head string
	width     float64
}

// scoreKey is the SheetKeys key of a criterion's input column.
func scoreKey(criterion string) string { return "score:" + criterion }

// ScoreHeading is the heading of a criterion's input column.
func ScoreHeading(label string) string { return label + " (0–4)" }

func (s *ScoringSheet) columns() []sheetColumn {
	cols := []sheetColumn{{"ref", "Reference", 13}, {"title", "Title", 30}}
	for _, cr := range s.Criteria {
		cols = append(cols, sheetColumn{scoreKey(cr.Key), ScoreHeading(cr.Label), 12})
	}
	return append(cols, sheetColumn{"comment", "Comment", 40}, sheetColumn{"submit", "Submit? (yes or no)", 11},
		sheetColumn{"state", "Your review when downloaded", 14}, sheetColumn{"summary", "Summary", 40},
		sheetColumn{"problem", "Problem", 45}, sheetColumn{"commitment", "Commitment", 45}, sheetColumn{"change", "Change", 40},
		sheetColumn{"values", "Values", 24}, sheetColumn{"values_explanation", "How it advances those values", 35},
		sheetColumn{"milestones", "Milestones", 40}, sheetColumn{"lead_agency", "Proposed lead agency", 20},
		sheetColumn{"partners", "Partners", 25}, sheetColumn{"resources", "Resources", 25},
		sheetColumn{"policy_area", "Policy area", 18}, sheetColumn{"submitter", "Submitted by", 25})
}

// anchorsPrompt is a criterion's anchors as an input message (Excel allows 255 characters).
func anchorsPrompt(key string) string {
	a := review.Anchors(key)
	parts := make([]string, 0, len(a))
	for i, t := range a {
		parts = append(parts, fmt.Sprintf("%d %s", i, t))
	}
	p := strings.Join(parts, "; ")
	if len(p) > 255 {
		p = p[:255]
	}
	return p
}

// WriteScoringSheet writes the reviewer's scoring sheet to w: the Scores
// sheet (one row a note, the note's text wrapped to read, an input cell
// per criterion with whole-number validation and the anchors as its input
// message, a comment and a yes/no submit cell), the Rubric, and the very
// hidden, protected SheetKeys.
func WriteScoringSheet(w io.Writer, s *ScoringSheet) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", SheetScores); err != nil {
		return err
	}
	for _, name := range []string{SheetRubric, SheetKeys} {
		if _, err := f.NewSheet(name); err != nil {
			return err
		}
	}
	st, err := newStyles(f)
	if err != nil {
		return err
	}
	input, err := f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{Vertical: "top", WrapText: true},
		Fill:       excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"FFF9DB"}},
		Border:     []excelize.Border{{Type: "left", Color: "B7B7B7", Style: 1}, {Type: "right", Color: "B7B7B7", Style: 1}, {Type: "top", Color: "B7B7B7", Style: 1}, {Type: "bottom", Color: "B7B7B7", Style: 1}},
		Protection: &excelize.Protection{Locked: false}})
	if err != nil {
		return err
	}
	cols := s.columns()
	if err := printSetup(f, SheetScores); err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(SheetScores)
	if err != nil {
		return err
	}
	for i, c := range cols {
		if err := sw.SetColWidth(i+1, i+1, c.width); err != nil {
			return err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, XSplit: 2, YSplit: 1, TopLeftCell: "C2", ActivePane: "bottomRight"}); err != nil {
		return err
	}
	head := make([]any, len(cols))
	for i, c := range cols {
		head[i] = excelize.Cell{StyleID: st.head, Value: c.head}
	}
	if err := sw.SetRow("A1", head, excelize.RowOpts{Height: 45}); err != nil {
		return err
	}
	var keys [][]string
	row := 1
	for n := range s.Notes {
		row++
		vals := make([]any, len(cols))
		height := 1
		for i, c := range cols {
			var v any
			style := st.wrap
			switch {
			case strings.HasPrefix(c.key, "score:"):
				style = input
				if sc, ok := n.Scores[strings.TrimPrefix(c.key, "score:")]; ok {
					v = sc
				}
			case c.key == "comment":
				style, v = input, n.Comment
			case c.key == "submit":
				style, v = input, SubmitNo
				if n.ReviewState == "submitted" {
					v = SubmitYes
				}
			default:
				t := noteText(&n, c.key)
				height = max(height, lines(t, c.width))
				v = cellText(t)
			}
			vals[i] = excelize.Cell{StyleID: style, Value: v}
		}
		if err := sw.SetRow(fmt.Sprintf("A%d", row), vals, excelize.RowOpts{Height: min(409, float64(max(height, 2))*15)}); err != nil {
			return err
		}
		keys = append(keys, []string{n.Ref, n.NoteID, strconv.Itoa(n.Version)})
	}
	last := max(row, 2)
	for i, c := range cols {
		col := colName(i + 1)
		ref := fmt.Sprintf("%s2:%s%d", col, col, last)
		switch {
		case strings.HasPrefix(c.key, "score:"):
			key := strings.TrimPrefix(c.key, "score:")
			dv := excelize.NewDataValidation(true)
			dv.SetSqref(ref)
			if err := dv.SetRange(0, review.MaxScore, excelize.DataValidationTypeWhole, excelize.DataValidationOperatorBetween); err != nil {
				return err
			}
			title := strings.TrimSuffix(c.head, " (0–4)")
			if len(title) > 32 {
				title = title[:32]
			}
			dv.SetInput(title, anchorsPrompt(key))
			dv.SetError(excelize.DataValidationErrorStyleStop, "Score from 0 to 4", "Enter a whole number from 0 to 4, or leave the cell empty.")
			if err := f.AddDataValidation(SheetScores, dv); err != nil {
				return err
			}
		case c.key == "submit":
			dv := excelize.NewDataValidation(true)
			dv.SetSqref(ref)
			if err := dv.SetDropList([]string{SubmitYes, SubmitNo}); err != nil {
				return err
			}
			dv.SetInput("Submit this review?", "yes: submit it (every criterion needs a score); no: keep it as a draft.")
			dv.SetError(excelize.DataValidationErrorStyleStop, "yes or no", "Choose yes or no.")
			if err := f.AddDataValidation(SheetScores, dv); err != nil {
				return err
			}
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	if err := s.writeScoringRubric(f, st); err != nil {
		return err
	}
	if err := s.writeKeys(f, cols, keys); err != nil {
		return err
	}
	return f.Write(w)
}

// noteText is the text of column key for n.
func noteText(n *SheetNote, key string) string {
	switch key {
	case "ref":
		return n.Ref
	case "title":
		return n.Title
	case "state":
		return map[string]string{"assigned": "Not started", "draft": "Draft saved", "submitted": "Submitted"}[n.ReviewState]
	case "summary":
		return n.Summary
	case "problem":
		return n.Problem
	case "commitment":
		return n.Commitment
	case "change":
		return n.Change
	case "values":
		out := make([]string, len(n.Values))
		for i, v := range n.Values {
			out[i] = enum.Values.Label(v)
		}
		return strings.Join(out, "; ")
	case "values_explanation":
		return n.ValuesExplanation
	case "milestones":
		out := make([]string, 0, len(n.Milestones))
		for i, m := range n.Milestones {
			out = append(out, fmt.Sprintf("%d. %s (%s, due %s)", i+1, m.Deliverable, m.Responsible, m.Due))
		}
		return strings.Join(out, "\n")
	case "lead_agency":
		return n.LeadAgency
	case "partners":
		return n.Partners
	case "resources":
		return n.Resources
	case "policy_area":
		return enum.PolicyAreas.Label(n.PolicyArea)
	case "submitter":
		if n.Submitter == "" {
			return "Not shown: blind review"
		}
		return n.Submitter
	}
	return ""
}

func (s *ScoringSheet) writeScoringRubric(f *excelize.File, st *styles) error {
	sh := &Shortlist{Criteria: s.Criteria}
	if err := sh.writeRubricTable(f, st); err != nil {
		return err
	}
	at := s.GeneratedAt.In(s.Zone)
	help := []string{
		"",
		"How to use this sheet",
		"Score each note on the Scores sheet: a whole number from 0 to 4 per criterion (the anchors above; each input cell shows them too), and a comment if you like.",
		"Set Submit to yes to submit the review (every criterion then needs a score), or leave it at no to keep a draft. A submitted review stays submitted: changing it is a revision.",
		"Rows you leave as they were are not touched. You may sort the rows or add blank ones, but keep the Reference column and the headings as they are.",
		"Upload the file on the Your reviews page. If any row has a problem, nothing is imported and every problem is listed; a review you changed on the web after downloading this sheet is left as it is and reported.",
		fmt.Sprintf("Made for %s, %s, at %s (%s).", s.Reviewer, s.CallTitle, at.Format("2 January 2006 15:04"), s.ZoneName),
	}
	row := len(s.Criteria) + 2
	for i, t := range help {
		if err := f.SetCellStr(SheetRubric, fmt.Sprintf("A%d", row+i), t); err != nil {
			return err
		}
	}
	return f.SetCellStyle(SheetRubric, fmt.Sprintf("A%d", row+1), fmt.Sprintf("A%d", row+1), st.head)
}

// writeKeys fills the hidden sheet that ties the Scores rows to notes.
func (s *ScoringSheet) writeKeys(f *excelize.File, cols []sheetColumn, keys [][]string) error {
	colKeys := []any{"columns"}
	for _, c := range cols {
		colKeys = append(colKeys, c.key)
	}
	rows := [][]any{
		{"format", scoringFormat},
		{"call", s.CallID},
		{"reviewer", s.ReviewerID},
		{"generated", s.GeneratedAt.UTC().Format(time.RFC3339)},
		colKeys,
		{"reference", "note", "version"},
	}
	for _, k := range keys {
		r := make([]any, len(k))
		for i, v := range k {
			r[i] = v
		}
		rows = append(rows, r)
	}
	for i, r := range rows {
		if err := f.SetSheetRow(SheetKeys, fmt.Sprintf("A%d", i+1), &r); err != nil {
			return err
		}
	}
	if err := f.SetSheetVisible(SheetKeys, false, true); err != nil {
		return err
	}
	// A random password nobody is told: the sheet is not for editing.
	return f.ProtectSheet(SheetKeys, &excelize.SheetProtectionOptions{AlgorithmName: "SHA-512",
		Password: rand.Text(), SelectLockedCells: true})
}
