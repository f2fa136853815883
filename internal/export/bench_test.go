package export

import (
	"bytes"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"cocreate/internal/review"
)

// BenchmarkWriteShortlistXLSX writes the workbook of n notes with three
// reviews each from memory: the writer alone, without the database, and
// beside it the same cells of the Shortlist and Reviews sheets written
// with a bare StreamWriter (no styles, widths, panes, filters, chart or
// other sheets).
func BenchmarkWriteShortlistXLSX(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		s := sampleShortlist(true)
		base := s
		var rows []Row
		var revs []ReviewRow
		r0 := sampleRow()
		for i := range n {
			r := r0
			r.Ref, r.Rank = fmt.Sprintf("BN-%05d", i), i+1
			rows = append(rows, r)
			for k := range 3 {
				revs = append(revs, ReviewRow{Ref: r.Ref, Reviewer: fmt.Sprintf("Reviewer %d", k), ReviewerSector: "government",
					Scores: map[string]int{"problem": 3, "relevance": 2, "ambition": 4, "verifiability": 1, "feasibility": 2}, Total: 60.5,
					Comment: "A clear problem with a baseline; the milestones need owners.", SubmittedAt: time.Now()})
			}
		}
		base.Rows, base.Reviews, base.Notes, base.ReviewCount = slices.Values(rows), slices.Values(revs), n, 3*n
		b.Run(fmt.Sprintf("notes=%d", n), func(b *testing.B) {
			for b.Loop() {
				var buf bytes.Buffer
				if err := WriteShortlistXLSX(&buf, base); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("bare-notes=%d", n), func(b *testing.B) {
			for b.Loop() {
				f := excelize.NewFile()
				sw, _ := f.NewStreamWriter("Sheet1")
				for i := range rows {
					cell, _ := excelize.CoordinatesToCellName(1, i+1)
					sw.SetRow(cell, base.cells(&rows[i]))
				}
				sw.Flush()
				f.NewSheet("Sheet2")
				sw, _ = f.NewStreamWriter("Sheet2")
				for i, r := range revs {
					cell, _ := excelize.CoordinatesToCellName(1, i+1)
					sw.SetRow(cell, []any{r.Ref, r.Reviewer, r.ReviewerSector, r.Scores["problem"], r.Scores["relevance"],
						r.Scores["ambition"], r.Scores["verifiability"], r.Scores["feasibility"], r.Total, r.Comment, r.SubmittedAt})
				}
				sw.Flush()
				var buf bytes.Buffer
				f.Write(&buf)
				f.Close()
			}
		})
	}
}

func sampleRow() Row {
	return Row{Title: "Open budget data for every district council", PolicyArea: "fiscal_openness", Values: []string{"transparency"},
		LeadAgency: "Ministry of Finance", Organisation: "Budget Watch", Sector: "civil_society",
		Score: &review.Score{Reviews: 3, Mean: 61.25, Median: 60, NormalisedMean: f64(59.4), GovernmentMean: f64(65), NonGovernmentMean: f64(59.4),
			PerCriterion: map[string]float64{"problem": 3, "relevance": 2.33, "ambition": 3, "verifiability": 2, "feasibility": 2}, Flags: []string{"ambition"}, SuggestedClass: "B"},
		State: "screened"}
}
