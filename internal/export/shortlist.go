package export

import (
	"fmt"
	"io"
	"iter"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"cocreate/internal/enum"
	"cocreate/internal/review"
)

// Sheet names of the shortlist workbook.
const (
	SheetShortlist = "Shortlist"
	SheetReviews   = "Reviews"
	SheetAreas     = "By policy area"
	SheetRubric    = "Rubric"
	SheetAbout     = "About"
)

// Row is one note of the shortlist, as the committee reads it. Labels are
// already in words (policy area, values, sector, state, reason).
type Row struct {
	Rank         int // 0 for a note without a submitted review
	Ref, Title   string
	PolicyArea   string // the key; the writers print its label
	Values       []string
	LeadAgency   string
	Organisation string // submitter's; left out when Shortlist.Submitter is false
	Sector       string // submitter's sector key
	Score        *review.Score
	Decided      string // the chair's class, "" before a decision
	ReasonCode   string
	Rationale    string
	State        string
	Trained      bool // the submitter completed the call's training programme (shown when Shortlist.Training)
}

// ReviewRow is one submitted review.
type ReviewRow struct {
	Ref            string
	Reviewer       string
	ReviewerSector string
	Scores         map[string]int
	Total          float64
	Comment        string
	SubmittedAt    time.Time
}

// Shortlist is what a shortlist workbook or CSV shows: the call, the
// filters, who asked and when, and the rows (ranked) and reviews.
type Shortlist struct {
	CallTitle, CallSlug string
	Zone                *time.Location
	ZoneName            string // "Belize time"
	Criteria            []review.Criterion
	MinReviews          int
	Submitter           bool   // submitter organisation and sector are shown
	Training            bool   // the call has a training programme: a "Completed the training" column
	Filters             string // the filters in words, "none" when none
	GeneratedAt         time.Time
	GeneratedBy         string
	Notes, ReviewCount  int // rows and reviews the iterators yield
	Rows                iter.Seq[Row]
	Reviews             iter.Seq[ReviewRow]
}

// column is one column of the shortlist sheet (and of the CSV).
type column struct {
	head  string
	width float64
	wrap  bool
	num   bool // one decimal
}

// columns are the shortlist's columns, in order, for s.
func (s *Shortlist) columns() []column {
	cols := []column{{head: "Rank", width: 6}, {head: "Reference", width: 13}, {head: "Title", width: 40, wrap: true},
		{head: "Policy area", width: 20, wrap: true}, {head: "Values", width: 24, wrap: true},
		{head: "Proposed lead agency", width: 24, wrap: true}}
	if s.Submitter {
		cols = append(cols, column{head: "Submitter organisation", width: 24, wrap: true}, column{head: "Submitter sector", width: 16})
	}
	cols = append(cols, column{head: "Reviews submitted", width: 10}, column{head: "Mean", width: 8, num: true},
		column{head: "Median", width: 8, num: true}, column{head: "Normalised mean", width: 11, num: true})
	for _, cr := range s.Criteria {
		cols = append(cols, column{head: cr.Label + " (mean)", width: 11, num: true})
	}
	cols = append(cols, column{head: "Disagreement", width: 22, wrap: true}, column{head: "Government mean", width: 11, num: true},
		column{head: "Non-government mean", width: 13, num: true}, column{head: "Suggested class", width: 10},
		column{head: "Decided class", width: 10}, column{head: "Reason code", width: 18, wrap: true},
		column{head: "Rationale", width: 50, wrap: true}, column{head: "State", width: 12})
	if s.Training {
		cols = append(cols, column{head: "Completed the training", width: 12})
	}
	return cols
}

// cells are r's values in the order of columns(): strings, ints, float64s
// rounded to one decimal, or nil for an empty cell.
func (s *Shortlist) cells(r *Row) []any {
	out := make([]any, 0, 24)
	if r.Rank > 0 {
		out = append(out, r.Rank)
	} else {
		out = append(out, nil)
	}
	vals := make([]string, len(r.Values))
	for i, v := range r.Values {
		vals[i] = enum.Values.Label(v)
	}
	out = append(out, r.Ref, r.Title, enum.PolicyAreas.Label(r.PolicyArea), strings.Join(vals, "; "), r.LeadAgency)
	if s.Submitter {
		out = append(out, r.Organisation, sectorLabel(r.Sector))
	}
	sc := r.Score
	num := func(p *float64) any {
		if p == nil {
			return nil
		}
		return review.Round1(*p)
	}
	if sc == nil || sc.Reviews == 0 {
		out = append(out, 0, nil, nil, nil)
		for range s.Criteria {
			out = append(out, nil)
		}
		out = append(out, nil, nil, nil, nil)
	} else {
		out = append(out, sc.Reviews, review.Round1(sc.Mean), review.Round1(sc.Median), num(sc.NormalisedMean))
		for _, cr := range s.Criteria {
			v, ok := sc.PerCriterion[cr.Key]
			if ok {
				out = append(out, review.Round1(v))
			} else {
				out = append(out, nil)
			}
		}
		flag := "No"
		if len(sc.Flags) > 0 {
			flag = "Yes: " + s.criteriaLabels(sc.Flags)
		}
		out = append(out, flag, num(sc.GovernmentMean), num(sc.NonGovernmentMean), emptyNil(sc.SuggestedClass))
	}
	out = append(out, emptyNil(r.Decided), emptyNil(labelOr(enum.ReasonCodes, r.ReasonCode)), emptyNil(r.Rationale),
		enum.CommitteeStates.Label(r.State))
	if s.Training {
		out = append(out, map[bool]string{true: "Yes", false: "No"}[r.Trained])
	}
	return out
}

func (s *Shortlist) criteriaLabels(keys []string) string {
	return review.CriteriaLabels(keys, s.Criteria)
}

func sectorLabel(s string) string {
	if s == "" {
		return ""
	}
	return enum.Sectors.Label(s)
}

func labelOr(l enum.List, v string) string {
	if v == "" {
		return ""
	}
	return l.Label(v)
}

func emptyNil(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// classFill are the class colours, light enough for black text.
var classFill = map[string]string{"A": "C6EFCE", "B": "FFEB9C", "C": "DDEBF7", "D": "F4CCCC"}

// styles are the shortlist workbook's styles, made once.
type styles struct {
	head, text, wrap, num, int, date int
	class                            map[string]int
}

func newStyles(f *excelize.File) (*styles, error) {
	s := &styles{class: map[string]int{}}
	one := "0.0"
	top := &excelize.Alignment{Vertical: "top"}
	wrapTop := &excelize.Alignment{Vertical: "top", WrapText: true}
	dateFmt := "yyyy-mm-dd hh:mm"
	defs := []struct {
		dst *int
		st  excelize.Style
	}{
		{&s.head, excelize.Style{Font: &excelize.Font{Bold: true, Color: "FFFFFF"},
			Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"1F4E79"}},
			Alignment: &excelize.Alignment{Vertical: "center", WrapText: true}}},
		{&s.text, excelize.Style{Alignment: top}},
		{&s.wrap, excelize.Style{Alignment: wrapTop}},
		{&s.num, excelize.Style{Alignment: top, CustomNumFmt: &one}},
		{&s.int, excelize.Style{Alignment: top, NumFmt: 1}},
		{&s.date, excelize.Style{Alignment: top, CustomNumFmt: &dateFmt}},
	}
	for _, d := range defs {
		id, err := f.NewStyle(&d.st)
		if err != nil {
			return nil, err
		}
		*d.dst = id
	}
	for k, c := range classFill {
		id, err := f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{Vertical: "top", Horizontal: "center"},
			Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{c}}, Font: &excelize.Font{Bold: true}})
		if err != nil {
			return nil, err
		}
		s.class[k] = id
	}
	return s, nil
}

// WriteShortlistXLSX writes the shortlist workbook to w: the Shortlist,
// Reviews, By policy area, Rubric and About sheets. The rows are streamed;
// the workbook is written only once it is complete, so an error leaves w
// untouched (the caller buffers w when it is a response).
func WriteShortlistXLSX(w io.Writer, s *Shortlist) error {
	f := excelize.NewFile()
	defer f.Close()
	st, err := newStyles(f)
	if err != nil {
		return err
	}
	if err := f.SetSheetName("Sheet1", SheetShortlist); err != nil {
		return err
	}
	for _, name := range []string{SheetReviews, SheetAreas, SheetRubric, SheetAbout} {
		if _, err := f.NewSheet(name); err != nil {
			return err
		}
	}
	areas, err := s.writeRows(f, st)
	if err != nil {
		return fmt.Errorf("shortlist sheet: %w", err)
	}
	if err := s.writeReviews(f, st); err != nil {
		return fmt.Errorf("reviews sheet: %w", err)
	}
	if err := s.writeAreas(f, st, areas); err != nil {
		return fmt.Errorf("policy area sheet: %w", err)
	}
	if err := s.writeRubric(f, st); err != nil {
		return fmt.Errorf("rubric sheet: %w", err)
	}
	if err := s.writeAbout(f, st); err != nil {
		return fmt.Errorf("about sheet: %w", err)
	}
	return f.Write(w)
}

// printSetup makes sheet print landscape, one page wide, with its header
// row repeated; it must run before the sheet's stream writer is made.
func printSetup(f *excelize.File, sheet string) error {
	yes, land, one, any := true, "landscape", 1, 0
	if err := f.SetSheetProps(sheet, &excelize.SheetPropsOptions{FitToPage: &yes}); err != nil {
		return err
	}
	if err := f.SetPageLayout(sheet, &excelize.PageLayoutOptions{Orientation: &land, FitToWidth: &one, FitToHeight: &any}); err != nil {
		return err
	}
	return f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Titles", RefersTo: "'" + sheet + "'!$1:$1", Scope: sheet})
}

// areaStat gathers one policy area's figures while the rows stream by.
type areaStat struct {
	states  map[string]int
	classes map[string]int // the decided class, else the suggested one; "" for neither yet
	notes   int
	sum     float64
	scored  int
}

func (s *Shortlist) writeRows(f *excelize.File, st *styles) (map[string]*areaStat, error) {
	if err := printSetup(f, SheetShortlist); err != nil {
		return nil, err
	}
	sw, err := f.NewStreamWriter(SheetShortlist)
	if err != nil {
		return nil, err
	}
	cols := s.columns()
	for i, c := range cols {
		if err := sw.SetColWidth(i+1, i+1, c.width); err != nil {
			return nil, err
		}
		// Column styles style every cell of the column, so rows carry bare
		// values (no Cell wrapper a cell), which keeps the writing near a bare
		// StreamWriter's cost.
		style := st.text
		switch {
		case c.num:
			style = st.num
		case c.wrap:
			style = st.wrap
		}
		if err := sw.SetColStyle(i+1, i+1, style); err != nil {
			return nil, err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, XSplit: 3, YSplit: 1, TopLeftCell: "D2", ActivePane: "bottomRight"}); err != nil {
		return nil, err
	}
	head := make([]any, len(cols))
	for i, c := range cols {
		head[i] = excelize.Cell{StyleID: st.head, Value: c.head}
	}
	if err := sw.SetRow("A1", head, excelize.RowOpts{Height: 32}); err != nil {
		return nil, err
	}
	meanCol, suggestedCol, decidedCol := 0, 0, 0
	for i, c := range cols {
		switch c.head {
		case "Mean":
			meanCol = i
		case "Suggested class":
			suggestedCol = i
		case "Decided class":
			decidedCol = i
		}
	}
	areas := map[string]*areaStat{}
	row := 1
	for r := range s.Rows {
		row++
		vals := s.cells(&r)
		height := 1
		for i, v := range vals {
			t, ok := v.(string)
			if !ok {
				continue
			}
			switch {
			case i == suggestedCol || i == decidedCol:
				vals[i] = excelize.Cell{StyleID: st.class[t], Value: t}
			case cols[i].wrap:
				height = max(height, lines(t, cols[i].width))
			}
			if len(t) > maxCell {
				vals[i] = cellText(t)
			}
		}
		opts := excelize.RowOpts{}
		if height > 1 {
			opts.Height = min(409, float64(height)*15)
		}
		if err := sw.SetRow(fmt.Sprintf("A%d", row), vals, opts); err != nil {
			return nil, err
		}
		a := areas[r.PolicyArea]
		if a == nil {
			a = &areaStat{states: map[string]int{}, classes: map[string]int{}}
			areas[r.PolicyArea] = a
		}
		a.notes++
		a.states[r.State]++
		class := r.Decided
		if class == "" && r.Score != nil {
			class = r.Score.SuggestedClass
		}
		a.classes[class]++
		if r.Score != nil && r.Score.Reviews > 0 {
			a.sum += r.Score.Mean
			a.scored++
		}
	}
	last := colName(len(cols))
	if err := f.AutoFilter(SheetShortlist, fmt.Sprintf("A1:%s%d", last, max(row, 2)), nil); err != nil {
		return nil, err
	}
	if row >= 2 {
		m := colName(meanCol + 1)
		if err := f.SetConditionalFormat(SheetShortlist, fmt.Sprintf("%s2:%s%d", m, m, row), []excelize.ConditionalFormatOptions{{
			Type: "3_color_scale", Criteria: "=", MinType: "min", MidType: "percentile", MidValue: "50", MaxType: "max",
			MinColor: "#F8696B", MidColor: "#FFEB84", MaxColor: "#63BE7B"}}); err != nil {
			return nil, err
		}
	}
	return areas, sw.Flush()
}

func (s *Shortlist) writeReviews(f *excelize.File, st *styles) error {
	if err := printSetup(f, SheetReviews); err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(SheetReviews)
	if err != nil {
		return err
	}
	head := []string{"Reference", "Reviewer", "Reviewer sector"}
	widths := []float64{13, 24, 16}
	for _, cr := range s.Criteria {
		head, widths = append(head, cr.Label), append(widths, 10)
	}
	head = append(head, "Weighted total", "Comment", "Submitted at ("+s.ZoneName+")")
	widths = append(widths, 10, 60, 17)
	styles := []int{st.text, st.text, st.text}
	for range s.Criteria {
		styles = append(styles, st.int)
	}
	styles = append(styles, st.num, st.wrap, st.date)
	for i, w := range widths {
		if err := sw.SetColWidth(i+1, i+1, w); err != nil {
			return err
		}
		if err := sw.SetColStyle(i+1, i+1, styles[i]); err != nil {
			return err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, XSplit: 1, YSplit: 1, TopLeftCell: "B2", ActivePane: "bottomRight"}); err != nil {
		return err
	}
	cells := make([]any, len(head))
	for i, h := range head {
		cells[i] = excelize.Cell{StyleID: st.head, Value: h}
	}
	if err := sw.SetRow("A1", cells, excelize.RowOpts{Height: 32}); err != nil {
		return err
	}
	row := 1
	commentWidth := widths[len(widths)-2]
	for r := range s.Reviews {
		row++
		vals := make([]any, 0, len(head))
		vals = append(vals, r.Ref, r.Reviewer, sectorLabel(r.ReviewerSector))
		for _, cr := range s.Criteria {
			if v, ok := r.Scores[cr.Key]; ok {
				vals = append(vals, v)
			} else {
				vals = append(vals, nil)
			}
		}
		at := r.SubmittedAt.In(s.Zone)
		// Excel dates carry no zone: write the wall time of the call's zone.
		local := time.Date(at.Year(), at.Month(), at.Day(), at.Hour(), at.Minute(), at.Second(), 0, time.UTC)
		comment := r.Comment
		if len(comment) > maxCell {
			comment = cellText(comment)
		}
		vals = append(vals, review.Round1(r.Total), comment, local)
		opts := excelize.RowOpts{}
		if n := lines(r.Comment, commentWidth); n > 1 {
			opts.Height = min(409, float64(n)*15)
		}
		if err := sw.SetRow(fmt.Sprintf("A%d", row), vals, opts); err != nil {
			return err
		}
	}
	if err := f.AutoFilter(SheetReviews, fmt.Sprintf("A1:%s%d", colName(len(head)), max(row, 2)), nil); err != nil {
		return err
	}
	return sw.Flush()
}
