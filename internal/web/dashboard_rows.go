package web

import (
	"html"
	"html/template"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"cocreate/internal/app"
	"cocreate/internal/enum"
	"cocreate/internal/review"
	"cocreate/internal/store"
)

// dashColumn is one column of the dashboard's notes table: its header,
// sortable when Sort names one of app.DashboardSorts, and its cell. The
// table is this list: a new column is one more entry. The rows are written
// in Go rather than by the template: a call of 1,000 notes on one page is
// 10,000 cells, and the template's reflective calls per cell cost several
// times the rest of the request.
type dashColumn struct {
	Label string
	Sort  string // "" for a column that does not sort
	Num   bool   // right-aligned figures
	// Cell writes the cell's content, escaped, for row r.
	Cell func(b *strings.Builder, r *app.DashboardRow, x *dashRowsCtx)
}

// dashRowsCtx is what the cells need besides the row.
type dashRowsCtx struct {
	call  *store.Call
	user  *store.User
	chair bool
	from  string // "?from=…" with the view, escaped for an attribute
}

// dashColumns are the dashboard's columns, in order.
var dashColumns = []dashColumn{
	{Label: "Reference", Sort: "ref", Cell: func(b *strings.Builder, r *app.DashboardRow, x *dashRowsCtx) {
		ref := r.Ref
		if ref == "" {
			ref = "—"
		}
		b.WriteString(`<a href="/committee/notes/` + html.EscapeString(r.ID) + x.from + `">` + html.EscapeString(ref) + `</a>`)
	}},
	{Label: "Title", Sort: "title", Cell: func(b *strings.Builder, r *app.DashboardRow, x *dashRowsCtx) {
		b.WriteString(html.EscapeString(r.Title))
		ref := `<span class="visually-hidden"> ` + html.EscapeString(r.Ref) + `</span>`
		if st := r.ReviewStates[x.user.ID]; st != "" && r.State == "screened" {
			what := "Score this note"
			if st == store.ReviewSubmitted {
				what = "Revise your review"
			}
			b.WriteString(`<br><a href="/notes/` + html.EscapeString(r.ID) + `/review` + x.from + `">` + what + ref + `</a>`)
		}
		if x.chair && r.State == "screened" {
			b.WriteString(`<br><a href="/notes/` + html.EscapeString(r.ID) + `/classify` + x.from + `">Classify` + ref + `</a>`)
		}
	}},
	{Label: "Policy area", Sort: "area", Cell: func(b *strings.Builder, r *app.DashboardRow, _ *dashRowsCtx) {
		b.WriteString(html.EscapeString(enum.PolicyAreas.Label(r.PolicyArea)))
	}},
	{Label: "State", Sort: "state", Cell: func(b *strings.Builder, r *app.DashboardRow, _ *dashRowsCtx) {
		b.WriteString(`<span class="tag ` + stateTags[r.State] + `">` + html.EscapeString(enum.CommitteeStates.Label(r.State)) + `</span>`)
	}},
	{Label: "Reviews done", Sort: "reviews", Num: true, Cell: func(b *strings.Builder, r *app.DashboardRow, _ *dashRowsCtx) {
		if r.Needed == 0 {
			b.WriteString("—")
			return
		}
		b.WriteString(strconv.Itoa(r.Done) + " of " + strconv.Itoa(r.Needed))
	}},
	{Label: "Mean", Sort: "mean", Num: true, Cell: scoreCell(func(s *review.Score) *float64 { return &s.Mean })},
	{Label: "Median", Sort: "median", Num: true, Cell: scoreCell(func(s *review.Score) *float64 { return &s.Median })},
	{Label: "Normalised mean", Sort: "normalised", Num: true, Cell: scoreCell(func(s *review.Score) *float64 { return s.NormalisedMean })},
	{Label: "Disagreement", Sort: "flags", Cell: func(b *strings.Builder, r *app.DashboardRow, x *dashRowsCtx) {
		switch s := r.Score; {
		case s == nil:
			b.WriteString("—")
		case len(s.Flags) > 0:
			b.WriteString(`<span class="tag tag-yellow">Yes: ` + html.EscapeString(review.CriteriaLabels(s.Flags, x.call.Criteria)) + `</span>`)
		default:
			b.WriteString("No")
		}
	}},
	{Label: "Suggested class", Sort: "class", Cell: func(b *strings.Builder, r *app.DashboardRow, _ *dashRowsCtx) {
		if r.Score == nil || r.Score.SuggestedClass == "" {
			b.WriteString("—")
			return
		}
		b.WriteString(html.EscapeString(enum.Classes.Label(r.Score.SuggestedClass)))
	}},
}

// scoreCell writes one figure of the row's score to one decimal, or a dash.
func scoreCell(field func(*review.Score) *float64) func(*strings.Builder, *app.DashboardRow, *dashRowsCtx) {
	return func(b *strings.Builder, r *app.DashboardRow, _ *dashRowsCtx) {
		if r.Score == nil || field(r.Score) == nil {
			b.WriteString("—")
			return
		}
		b.WriteString(strconv.FormatFloat(*field(r.Score), 'f', 1, 64))
	}
}

// trainingColumn is the last column of a call with a training programme:
// whether the note's submitter completed it.
var trainingColumn = dashColumn{Label: "Completed the training", Cell: func(b *strings.Builder, r *app.DashboardRow, _ *dashRowsCtx) {
	if r.Trained {
		b.WriteString(`<span class="tag tag-green">Yes</span>`)
		return
	}
	b.WriteString("No")
}}

// dashColumnsFor are the dashboard's columns for a call: dashColumns, and
// trainingColumn when the call has a training programme.
func dashColumnsFor(training bool) []dashColumn {
	if !training {
		return dashColumns
	}
	return append(slices.Clip(dashColumns), trainingColumn)
}

// dashRows writes the table's rows, one <tr> per note with cols' cells, each escaped by its column.
func dashRows(cols []dashColumn, rows []app.DashboardRow, x *dashRowsCtx) template.HTML {
	var b strings.Builder
	b.Grow(len(rows) * 700)
	for i := range rows {
		b.WriteString("\n    <tr>")
		for _, col := range cols {
			if col.Num {
				b.WriteString(`<td class="num">`)
			} else {
				b.WriteString("<td>")
			}
			col.Cell(&b, &rows[i], x)
			b.WriteString("</td>")
		}
		b.WriteString("</tr>")
	}
	return template.HTML(b.String()) // every cell escapes what it writes
}

// fromAttr is "?from=<view>" escaped for an href attribute.
func fromAttr(view string) string {
	return html.EscapeString("?from=" + url.QueryEscape(view))
}
