package export

import (
	"bytes"
	"encoding/csv"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"cocreate/internal/review"
)

func f64(v float64) *float64 { return &v }

// sampleShortlist has three ranked rows (one of them with text that a
// spreadsheet would run as a formula) and an unscored one.
func sampleShortlist(submitter bool) *Shortlist {
	crit := review.DefaultCriteria()
	rows := []Row{
		{Rank: 1, Ref: "BZ-0002", Title: "=HYPERLINK(\"http://evil\",\"click\")", PolicyArea: "justice", Values: []string{"transparency", "inclusion"},
			LeadAgency: "+Ministry", Organisation: "@Org", Sector: "civil_society",
			Score: &review.Score{Reviews: 3, Mean: 81.25, Median: 80, NormalisedMean: f64(79.04), GovernmentMean: f64(85),
				NonGovernmentMean: f64(79.375), PerCriterion: map[string]float64{"problem": 3, "relevance": 3.333, "ambition": 3, "verifiability": 3, "feasibility": 4},
				Flags: []string{"relevance"}, SuggestedClass: "A"},
			Decided: "A", ReasonCode: "included", Rationale: "-2 reasons\tand a tab", State: "classified"},
		{Rank: 2, Ref: "BZ-0001", Title: "Open budgets", PolicyArea: "fiscal_openness", Values: []string{"accountability"},
			LeadAgency: "Ministry of Finance", Organisation: "Budget Watch", Sector: "civil_society",
			Score: &review.Score{Reviews: 2, Mean: 55, Median: 55, PerCriterion: map[string]float64{"problem": 2}, Flags: []string{}, SuggestedClass: "B"},
			State: "screened"},
		{Ref: "BZ-0003", Title: "Not yet scored", PolicyArea: "justice", State: "submitted"},
	}
	at := time.Date(2026, 6, 20, 15, 4, 0, 0, time.UTC)
	reviews := []ReviewRow{
		{Ref: "BZ-0002", Reviewer: "Ann", ReviewerSector: "government", Scores: map[string]int{"problem": 3, "relevance": 4}, Total: 90, Comment: "=cmd|' /C calc'!A0", SubmittedAt: at},
		{Ref: "BZ-0002", Reviewer: "Ben", ReviewerSector: "academia", Scores: map[string]int{"problem": 2}, Total: 40.5, Comment: "Fine.", SubmittedAt: at},
	}
	loc, _ := time.LoadLocation("America/Belize")
	return &Shortlist{CallTitle: "Plan 2026", CallSlug: "plan-2026", Zone: loc, ZoneName: "Belize time", Criteria: crit, MinReviews: 2,
		Submitter: submitter, Filters: "none", GeneratedAt: at, GeneratedBy: "Cora", Notes: len(rows), ReviewCount: len(reviews),
		Rows: slices.Values(rows), Reviews: slices.Values(reviews)}
}

func openXLSX(t *testing.T, b []byte) *excelize.File {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func TestShortlistWorkbook(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteShortlistXLSX(&buf, sampleShortlist(true)); err != nil {
		t.Fatal(err)
	}
	f := openXLSX(t, buf.Bytes())
	if got, want := f.GetSheetList(), []string{SheetShortlist, SheetReviews, SheetAreas, SheetRubric, SheetAbout}; !slices.Equal(got, want) {
		t.Fatalf("sheets %v, want %v", got, want)
	}
	rows, err := f.GetRows(SheetShortlist)
	if err != nil {
		t.Fatal(err)
	}
	head := rows[0]
	col := func(name string) int {
		t.Helper()
		i := slices.Index(head, name)
		if i < 0 {
			t.Fatalf("no column %q in %v", name, head)
		}
		return i
	}
	for _, h := range []string{"Rank", "Reference", "Title", "Policy area", "Values", "Proposed lead agency", "Submitter organisation",
		"Submitter sector", "Reviews submitted", "Mean", "Median", "Normalised mean", "Problem: clarity and evidence (mean)",
		"Disagreement", "Government mean", "Non-government mean", "Suggested class", "Decided class", "Reason code", "Rationale", "State"} {
		_ = col(h)
	}
	if len(rows) != 4 || rows[1][col("Reference")] != "BZ-0002" || rows[2][col("Reference")] != "BZ-0001" || rows[3][col("Rank")] != "" {
		t.Fatalf("rows: %q", rows)
	}
	cellOf := func(sheet string, c, r int) string {
		name, _ := excelize.CoordinatesToCellName(c+1, r)
		return name
	}
	// Numbers are numbers, shown to one decimal.
	mean := cellOf(SheetShortlist, col("Mean"), 2)
	if typ, _ := f.GetCellType(SheetShortlist, mean); typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
		t.Errorf("mean cell type %v", typ)
	}
	if v, _ := f.GetCellValue(SheetShortlist, mean); v != "81.3" {
		t.Errorf("mean shown as %q, want 81.3", v)
	}
	if v, _ := f.GetCellValue(SheetShortlist, mean, excelize.Options{RawCellValue: true}); v != "81.3" {
		t.Errorf("mean stored as %q", v)
	}
	if v := rows[1][col("Disagreement")]; !strings.HasPrefix(v, "Yes: Relevance") {
		t.Errorf("disagreement %q", v)
	}
	// No formula from user text: stored as text, exactly as written.
	for _, c := range []struct{ col, want string }{{"Title", `=HYPERLINK("http://evil","click")`}, {"Proposed lead agency", "+Ministry"},
		{"Submitter organisation", "@Org"}, {"Rationale", "-2 reasons\tand a tab"}} {
		ref := cellOf(SheetShortlist, col(c.col), 2)
		if fm, _ := f.GetCellFormula(SheetShortlist, ref); fm != "" {
			t.Errorf("%s has a formula %q", c.col, fm)
		}
		if typ, _ := f.GetCellType(SheetShortlist, ref); typ != excelize.CellTypeInlineString && typ != excelize.CellTypeSharedString {
			t.Errorf("%s is of type %v, not text", c.col, typ)
		}
		if v, _ := f.GetCellValue(SheetShortlist, ref); v != c.want {
			t.Errorf("%s = %q, want %q", c.col, v, c.want)
		}
	}
	// Frozen panes, autofilter, the colour scale and print titles.
	panes, err := f.GetPanes(SheetShortlist)
	if err != nil || !panes.Freeze || panes.YSplit != 1 {
		t.Errorf("panes %+v %v", panes, err)
	}
	cf, err := f.GetConditionalFormats(SheetShortlist)
	if err != nil || len(cf) != 1 {
		t.Errorf("conditional formats %v %v", cf, err)
	}
	names := f.GetDefinedName()
	var filter, titles bool
	for _, n := range names {
		filter = filter || (n.Name == "_xlnm._FilterDatabase" && n.Scope == SheetShortlist)
		titles = titles || (n.Name == "_xlnm.Print_Titles" && n.Scope == SheetShortlist)
	}
	if !filter || !titles {
		t.Errorf("defined names %+v", names)
	}
	layout, err := f.GetPageLayout(SheetShortlist)
	if err != nil || layout.Orientation == nil || *layout.Orientation != "landscape" || layout.FitToWidth == nil || *layout.FitToWidth != 1 {
		t.Errorf("page layout %+v %v", layout, err)
	}

	// Reviews: a row per review, dates as dates.
	rv, _ := f.GetRows(SheetReviews)
	if len(rv) != 3 || rv[0][0] != "Reference" || rv[1][1] != "Ann" || rv[1][2] != "Government" {
		t.Fatalf("reviews: %q", rv)
	}
	dateCell := cellOf(SheetReviews, len(rv[0])-1, 2)
	if raw, _ := f.GetCellValue(SheetReviews, dateCell, excelize.Options{RawCellValue: true}); !strings.HasPrefix(raw, "46193.") {
		t.Errorf("submitted at is not a date serial: %q", raw)
	}
	if v, _ := f.GetCellValue(SheetReviews, dateCell); v != "2026-06-20 09:04" {
		t.Errorf("submitted at shown as %q (want the Belize wall time)", v)
	}
	if fm, _ := f.GetCellFormula(SheetReviews, cellOf(SheetReviews, len(rv[0])-2, 2)); fm != "" {
		t.Errorf("a comment became a formula: %q", fm)
	}

	// By policy area: counts and a chart.
	ar, _ := f.GetRows(SheetAreas)
	if len(ar) < 3 || ar[1][0] != "Fiscal openness" || ar[2][0] != "Justice" || ar[2][1] != "2" {
		t.Errorf("areas: %q", ar)
	}
	if !bytes.Contains(unzipped(t, buf.Bytes(), "xl/charts/chart1.xml"), []byte("barChart")) {
		t.Error("no chart in the workbook")
	}
	// Rubric and About.
	rb, _ := f.GetRows(SheetRubric)
	if len(rb) < 6 || rb[1][1] != "15" || rb[1][2] != "none" {
		t.Errorf("rubric: %q", rb)
	}
	ab, _ := f.GetRows(SheetAbout)
	if len(ab) < 7 || ab[0][1] != "Plan 2026" || ab[5][1] != "3" || ab[4][1] != "Cora" {
		t.Errorf("about: %q", ab)
	}
}

func TestShortlistLeavesOutTheSubmitterWhenBlind(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteShortlistXLSX(&buf, sampleShortlist(false)); err != nil {
		t.Fatal(err)
	}
	f := openXLSX(t, buf.Bytes())
	rows, _ := f.GetRows(SheetShortlist)
	for _, h := range rows[0] {
		if strings.HasPrefix(h, "Submitter") {
			t.Fatalf("blind shortlist has %q", h)
		}
	}
	for _, r := range rows {
		for _, v := range r {
			if v == "@Org" || v == "Budget Watch" {
				t.Fatalf("blind shortlist names the organisation: %q", r)
			}
		}
	}
}

func TestShortlistCSV(t *testing.T) {
	var buf bytes.Buffer
	s := sampleShortlist(true)
	if err := WriteShortlistCSV(&buf, s); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	if !bytes.HasPrefix(b, []byte("\xEF\xBB\xBF")) {
		t.Fatal("no byte-order mark")
	}
	if !bytes.Contains(b, []byte("\r\n")) {
		t.Error("lines do not end in CRLF")
	}
	recs, err := csv.NewReader(bytes.NewReader(b[3:])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	cols := sampleShortlist(true).columns()
	if len(recs) != 4 || len(recs[0]) != len(cols) || recs[0][0] != "Rank" {
		t.Fatalf("csv: %q", recs)
	}
	i := slices.Index(recs[0], "Title")
	if recs[1][i] != `'=HYPERLINK("http://evil","click")` {
		t.Errorf("title not neutralised: %q", recs[1][i])
	}
	if j := slices.Index(recs[0], "Rationale"); recs[1][j] != "'-2 reasons\tand a tab" {
		t.Errorf("rationale: %q", recs[1][j])
	}
	if j := slices.Index(recs[0], "Mean"); recs[1][j] != "81.3" || recs[3][j] != "" {
		t.Errorf("mean: %q %q", recs[1][j], recs[3][j])
	}
	if recs[2][1] != "BZ-0001" || recs[2][2] != "Open budgets" {
		t.Errorf("second row %q", recs[2])
	}
}
