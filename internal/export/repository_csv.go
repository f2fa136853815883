package export

import (
	"io"
	"iter"
	"strings"

	"cocreate/internal/enum"
)

// RepositoryRow is one note of a call's public repository: only what the
// public may read (no names, e-mails, phones or anything of the
// committee's scoring), and only the decision as published.
type RepositoryRow struct {
	ID           string // the note's id, for links; not written
	Ref, Title   string
	Summary      string
	PolicyArea   string   // the key; the writer prints its label
	Values       []string // keys
	Organisation string   // the submitter's organisation
	Sector       string   // the submitter's sector key
	Status       string   // the public status key (see RepositoryStatus)
	Class        string   // the published class, "" when none
	ReasonCode   string
	Rationale    string
	MergedInto   string // the reference of the note it joined, for a merge or duplicate
	MergedShown  bool   // that note is in the repository too (pages link to it); not written
	// Withheld: a coordinator withheld the note's text (moderation). The row
	// keeps its reference, submitter's organisation, status and decision;
	// its Title is WithheldTitle and Summary and Values are empty.
	Withheld bool
}

// WithheldTitle stands for the title of a note whose text a coordinator
// withheld from the public repository.
const WithheldTitle = "Text withheld by the programme's coordinators"

// Public status keys of a repository row.
const (
	StatusDecided     = "decided"
	StatusIneligible  = "ineligible"
	StatusUnderReview = "under_review"
)

// RepositoryStatus is the words the public reads for a status key.
func RepositoryStatus(key string) string {
	switch key {
	case StatusDecided:
		return "Decided"
	case StatusIneligible:
		return "Did not pass screening"
	}
	return "Under review"
}

// repositoryHead are the CSV's columns.
var repositoryHead = []string{"Reference", "Title", "Summary", "Policy area", "Values", "Organisation", "Sector",
	"Status", "Class", "Reason", "Rationale", "Merged into"}

// WriteRepositoryCSV writes a call's public repository as CSV (RFC 4180,
// UTF-8 with a byte-order mark, CRLF line ends, a header row), labels for
// the coded values, and text that a spreadsheet could take for a formula
// prefixed with an apostrophe, as the shortlist CSV does.
func WriteRepositoryCSV(w io.Writer, rows iter.Seq[RepositoryRow]) error {
	return writeCSV(w, repositoryHead, func(write func([]string) error) error {
		rec := make([]string, len(repositoryHead))
		for r := range rows {
			vals := make([]string, len(r.Values))
			for i, v := range r.Values {
				vals[i] = enum.Values.Label(v)
			}
			class := ""
			if r.Class != "" {
				class = enum.Classes.Label(r.Class)
			}
			for i, v := range []string{r.Ref, r.Title, r.Summary, enum.PolicyAreas.Label(r.PolicyArea), strings.Join(vals, "; "),
				r.Organisation, sectorLabel(r.Sector), RepositoryStatus(r.Status), class, labelOr(enum.ReasonCodes, r.ReasonCode),
				r.Rationale, r.MergedInto} {
				rec[i] = csvSafe(v)
			}
			if err := write(rec); err != nil {
				return err
			}
		}
		return nil
	})
}
