package training

import (
	"fmt"
	"io"
	"strconv"

	"github.com/go-pdf/fpdf"

	"cocreate/internal/notes"
)

// TemplateData is what the blank concept-note template prints.
type TemplateData struct {
	CallTitle  string
	WordLimits map[string]int // the call's limits; missing keys use the defaults
	Compress   bool
}

// WriteTemplate writes the blank one-page concept-note template: every
// field of the note in form order, with its help text, its word limit and
// room to write, on one A4 page.
func WriteTemplate(w io.Writer, d TemplateData) error {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetCompression(d.Compress)
	pdf.SetTitle("Concept note template", true)
	pdf.SetMargins(12, 10, 12)
	pdf.SetAutoPageBreak(false, 8)
	tr := pdf.UnicodeTranslatorFromDescriptor("")
	pdf.AddPage()
	pdf.SetFont("Helvetica", "B", 13)
	pdf.CellFormat(0, 6, tr("Concept note: "+d.CallTitle), "", 1, "L", false, 0, "")
	pdf.SetFont("Helvetica", "", 7)
	pdf.CellFormat(0, 4, tr("One page. Name, organisation and e-mail: ______________________________________________"), "", 1, "L", false, 0, "")
	limits := notes.DefaultWordLimits()
	for k, v := range d.WordLimits {
		limits[k] = v
	}
	specs := notes.Specs()
	// What remains of the page is shared by the fields, long ones getting more.
	const top, bottom = 22.0, 289.0
	weight := 0.0
	for _, s := range specs {
		weight += fieldWeight(s)
	}
	unit := (bottom - top) / weight
	y := top
	for _, s := range specs {
		h := unit * fieldWeight(s)
		pdf.SetXY(12, y)
		label := s.Label
		if !s.Required {
			label += " (optional)"
		}
		key := s.Key
		if key == "milestones" {
			key = "milestone"
		}
		if lim := limits[key]; lim > 0 {
			per := ""
			if s.Key == "milestones" {
				per = " each"
			}
			label += fmt.Sprintf(" - up to %s words%s", strconv.Itoa(lim), per)
		}
		pdf.SetFont("Helvetica", "B", 8)
		pdf.CellFormat(0, 3.6, tr(label), "", 1, "L", false, 0, "")
		pdf.SetFont("Helvetica", "", 6.5)
		pdf.SetX(12)
		pdf.MultiCell(0, 2.8, tr(s.Hint), "", "L", false)
		boxTop := pdf.GetY() + 0.5
		if rest := y + h - 1 - boxTop; rest > 2 {
			pdf.SetDrawColor(150, 150, 150)
			pdf.Rect(12, boxTop, 186, rest, "D")
		}
		y += h
	}
	if err := pdf.Output(w); err != nil {
		return fmt.Errorf("write the template: %w", err)
	}
	return nil
}

func fieldWeight(s notes.FieldSpec) float64 {
	switch {
	case s.Key == "milestones":
		return 3
	case s.Key == "consent_publish":
		return 0.8
	case s.Long:
		return 2.4
	}
	return 1.1
}
