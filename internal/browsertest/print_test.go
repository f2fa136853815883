package browsertest

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"cocreate/internal/notes"
)

// vocabulary is the prose a long note is made of: policy words of ordinary length.
var vocabulary = strings.Fields("the ministry will publish budget data for every district so citizens can follow public spending and ask questions about procurement contracts before decisions")

// prose returns exactly n words of vocabulary.
func prose(n, offset int) string {
	w := make([]string, n)
	for i := range w {
		w[i] = vocabulary[(i+offset)%len(vocabulary)]
	}
	return strings.Join(w, " ")
}

// pageRe finds page objects in a PDF ("/Type /Page", never "/Type /Pages").
var pageRe = regexp.MustCompile(`/Type\s*/Page[^s]`)

func pdfPages(pdf []byte) int { return len(pageRe.FindAll(pdf, -1)) }

// atLimits is a note with every field at its default word limit and five full milestone rows.
func atLimits(planStart string) notes.Fields {
	l := notes.DefaultWordLimits()
	f := notes.Fields{Title: prose(l["title"], 0), Summary: prose(l["summary"], 1), Problem: prose(l["problem"], 2),
		Commitment: prose(l["commitment"], 3), Change: prose(l["change"], 4), Values: []string{"transparency", "participation", "accountability", "technology", "inclusion"},
		ValuesExplanation: prose(l["values_explanation"], 5), LeadAgency: prose(l["lead_agency"], 6), Partners: prose(l["partners"], 7),
		PolicyArea: "fiscal_openness", Resources: prose(l["resources"], 8), ConsentPublish: true, ConflictDeclaration: prose(l["conflict_declaration"], 9)}
	for i := range 5 {
		f.Milestones = append(f.Milestones, notes.Milestone{Deliverable: prose(14, i), Responsible: prose(6, i+3), Due: planStart})
	}
	return f
}

// TestPrintedNoteAtItsLimitsFitsOnePage prints a submitted note whose every
// field is at its limit, with five milestones, and counts the PDF's pages on
// A4 and on Letter.
func TestPrintedNoteAtItsLimitsFitsOnePage(t *testing.T) {
	s := newSite(t)
	u := s.participant("marisol@example.org")
	f := atLimits(s.call.PlanStart)
	if errs := notes.ValidateSubmit(f, s.call.WordLimits, s.call.PlanStart, s.call.PlanEnd); errs != nil {
		t.Fatalf("the note is not at its limits but over them: %v", errs)
	}
	n := s.draft(u, f)
	if _, err := s.app.SubmitNote(context.Background(), u, n.ID, n.Version); err != nil {
		t.Fatal(err)
	}
	ctx := browser(t)
	s.signIn(ctx, u.Email)
	load(t, ctx, s.url+"/notes/"+n.ID+"/print")
	if text := run(t, ctx, chromedp.TextContent(chromedp.CSS("article"))); !strings.Contains(text, "BZ2020-0001") || !strings.Contains(text, u.Email) {
		t.Fatalf("the printable view lacks the reference or the submitter:\n%s", text)
	}
	for _, paper := range []struct {
		name string
		size chromedp.PaperSize
	}{{"A4", chromedp.PaperA4}, {"Letter", chromedp.PaperLetter}} {
		pdf := run(t, ctx, chromedp.PrintToPDF(chromedp.PDFPaper(paper.size)))
		if got := pdfPages(pdf); got != 1 {
			out := filepath.Join(t.TempDir(), "note-"+paper.name+".pdf")
			os.WriteFile(out, pdf, 0o644)
			t.Errorf("%s: the note prints on %d pages, want 1 (PDF kept at %s)", paper.name, got, out)
		}
	}
	// The page counter itself counts: the long form prints on several pages.
	load(t, ctx, s.url+"/notes/"+n.ID)
	if got := pdfPages(run(t, ctx, chromedp.PrintToPDF(chromedp.PDFPaper(chromedp.PaperA4)))); got < 2 {
		t.Errorf("the note's status page printed on %d page; the page count cannot be trusted", got)
	}
}
