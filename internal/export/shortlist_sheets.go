package export

import (
	"fmt"
	"time"

	"github.com/xuri/excelize/v2"

	"cocreate/internal/enum"
	"cocreate/internal/review"
)

// writeAreas writes the By policy area sheet from the figures gathered
// while the rows streamed, with its chart.
func (s *Shortlist) writeAreas(f *excelize.File, st *styles, areas map[string]*areaStat) error {
	const sh = SheetAreas
	var states []string
	for _, o := range enum.States {
		if o.Value != "draft" {
			states = append(states, o.Value)
		}
	}
	head := []string{"Policy area", "Notes"}
	for _, v := range states {
		head = append(head, enum.States.Label(v))
	}
	classes := []string{"A", "B", "C", "D"}
	for _, c := range classes {
		head = append(head, "Class "+c)
	}
	head = append(head, "No class yet", "Mean score")
	for i, h := range head {
		cell := colName(i+1) + "1"
		if err := f.SetCellValue(sh, cell, h); err != nil {
			return err
		}
	}
	if err := f.SetCellStyle(sh, "A1", colName(len(head))+"1", st.head); err != nil {
		return err
	}
	if err := f.SetColWidth(sh, "A", "A", 28); err != nil {
		return err
	}
	if err := f.SetColWidth(sh, "B", colName(len(head)), 11); err != nil {
		return err
	}
	row := 1
	for _, o := range enum.PolicyAreas {
		a := areas[o.Value]
		if a == nil {
			continue
		}
		row++
		vals := []any{o.Label, a.notes}
		for _, v := range states {
			vals = append(vals, a.states[v])
		}
		for _, c := range classes {
			vals = append(vals, a.classes[c])
		}
		vals = append(vals, a.classes[""])
		if a.scored > 0 {
			vals = append(vals, review.Round1(a.sum/float64(a.scored)))
		} else {
			vals = append(vals, nil)
		}
		if err := f.SetSheetRow(sh, fmt.Sprintf("A%d", row), &vals); err != nil {
			return err
		}
	}
	if row == 1 {
		return f.SetCellValue(sh, "A2", "No notes match the filters.")
	}
	last := colName(len(head))
	if err := f.SetCellStyle(sh, last+"2", fmt.Sprintf("%s%d", last, row), st.num); err != nil {
		return err
	}
	if err := f.SetPanes(sh, &excelize.Panes{Freeze: true, XSplit: 1, YSplit: 1, TopLeftCell: "B2", ActivePane: "bottomRight"}); err != nil {
		return err
	}
	var series []excelize.ChartSeries
	first := 3 + len(states) // column of class A
	for i, c := range classes {
		col := colName(first + i)
		series = append(series, excelize.ChartSeries{Name: fmt.Sprintf("'%s'!$%s$1", sh, col),
			Categories: fmt.Sprintf("'%s'!$A$2:$A$%d", sh, row), Values: fmt.Sprintf("'%s'!$%s$2:$%s$%d", sh, col, col, row),
			Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{darker[c]}}})
	}
	return f.AddChart(sh, fmt.Sprintf("A%d", row+3), &excelize.Chart{Type: excelize.ColStacked, Series: series,
		Title:     excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: "Notes per class (decided, or suggested before a decision), by policy area"}}},
		Legend:    excelize.ChartLegend{Position: "bottom"},
		Dimension: excelize.ChartDimension{Width: 900, Height: 420}})
}

// darker are the class colours for the chart's bars.
var darker = map[string]string{"A": "2E7D32", "B": "F9A825", "C": "1565C0", "D": "C62828"}

// writeRubricTable writes the criteria, weights and anchors at the top of the Rubric sheet.
func (s *Shortlist) writeRubricTable(f *excelize.File, st *styles) error {
	const sh = SheetRubric
	head := []any{"Criterion", "Weight", "0", "1", "2", "3", "4"}
	if err := f.SetSheetRow(sh, "A1", &head); err != nil {
		return err
	}
	if err := f.SetCellStyle(sh, "A1", "G1", st.head); err != nil {
		return err
	}
	row := 1
	for _, cr := range s.Criteria {
		row++
		a := review.Anchors(cr.Key)
		vals := []any{cr.Label, cr.Weight, a[0], a[1], a[2], a[3], a[4]}
		if err := f.SetSheetRow(sh, fmt.Sprintf("A%d", row), &vals); err != nil {
			return err
		}
	}
	if err := f.SetCellStyle(sh, "C2", fmt.Sprintf("G%d", max(row, 2)), st.wrap); err != nil {
		return err
	}
	if err := f.SetColWidth(sh, "A", "A", 22); err != nil {
		return err
	}
	if err := f.SetColWidth(sh, "B", "B", 8); err != nil {
		return err
	}
	return f.SetColWidth(sh, "C", "G", 24)
}

func (s *Shortlist) writeRubric(f *excelize.File, st *styles) error {
	const sh = SheetRubric
	if err := s.writeRubricTable(f, st); err != nil {
		return err
	}
	row := 1 + len(s.Criteria)
	notes := []string{
		"",
		"How the figures are calculated",
		"Each reviewer scores every criterion from 0 to 4 (the anchors above). A review's weighted total is the sum of weight × score ÷ 4, on 0–100.",
		"A note's mean and median are those of its submitted reviews' totals; each criterion's mean is kept too.",
		fmt.Sprintf("Disagreement flags a criterion whose scores on a note are %d or more points apart.", review.DisagreementSpan),
		"The normalised mean corrects for harsh and generous reviewers: each total becomes a z-score against its reviewer's own mean and spread, mapped back onto the call's mean and spread.",
		"",
		"Class thresholds (the system suggests, the chair decides)",
		fmt.Sprintf("A: prioritise. Suggested when the mean is %.0f or more and ambition, relevance and verifiability each average %.0f or more.", review.ClassAMean, review.ClassACriterionMin),
		fmt.Sprintf("B: develop or merge. Suggested from a mean of %.0f up to %.0f, or %.0f and more with one of those three below %.0f.", review.ClassBMean, review.ClassAMean, review.ClassAMean, review.ClassACriterionMin),
		"C: refer elsewhere. Never suggested: the chair's judgement.",
		fmt.Sprintf("D: not selected. Suggested when the mean is below %.0f.", review.ClassBMean),
		fmt.Sprintf("No class is suggested before the call's %d reviews of a note are in.", s.MinReviews),
	}
	for i, t := range notes {
		if err := f.SetCellStr(sh, fmt.Sprintf("A%d", row+1+i), t); err != nil {
			return err
		}
	}
	for _, i := range []int{1, 7} {
		if err := f.SetCellStyle(sh, fmt.Sprintf("A%d", row+1+i), fmt.Sprintf("A%d", row+1+i), st.head); err != nil {
			return err
		}
	}
	return nil
}

func (s *Shortlist) writeAbout(f *excelize.File, st *styles) error {
	const sh = SheetAbout
	at := s.GeneratedAt.In(s.Zone)
	local := time.Date(at.Year(), at.Month(), at.Day(), at.Hour(), at.Minute(), at.Second(), 0, time.UTC)
	submitter := "shown"
	if !s.Submitter {
		submitter = "left out: the call runs blind review and only coordinators see who submitted"
	}
	rows := [][]any{
		{"Call", s.CallTitle},
		{"Call short name", s.CallSlug},
		{"Filters applied", s.Filters},
		{"Generated at (" + s.ZoneName + ")", local},
		{"Generated by", s.GeneratedBy},
		{"Notes", s.Notes},
		{"Submitted reviews", s.ReviewCount},
		{"Submitter organisation and sector", submitter},
		{"Ranking", "By mean score, highest first; ties by median, then by reference. Notes without a submitted review come last, unranked."},
		{"Classes", "The class filter and the By policy area sheet count the chair's decided class, or the suggested class while there is no decision."},
	}
	for i, r := range rows {
		if err := f.SetSheetRow(sh, fmt.Sprintf("A%d", i+1), &r); err != nil {
			return err
		}
	}
	if err := f.SetCellStyle(sh, "A1", fmt.Sprintf("A%d", len(rows)), st.head); err != nil {
		return err
	}
	if err := f.SetCellStyle(sh, "B1", fmt.Sprintf("B%d", len(rows)), st.wrap); err != nil {
		return err
	}
	if err := f.SetCellStyle(sh, "B4", "B4", st.date); err != nil {
		return err
	}
	if err := f.SetColWidth(sh, "A", "A", 30); err != nil {
		return err
	}
	return f.SetColWidth(sh, "B", "B", 80)
}
