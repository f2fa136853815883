package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"cocreate/internal/apperr"
	"cocreate/internal/enum"
	"cocreate/internal/export"
	"cocreate/internal/store"
	"cocreate/internal/workflow"
)

// ScoringSheet gathers u's offline scoring sheet of call callKey: each
// note u may score now (assigned, screened, no conflict of interest), as
// ScoringFor shows it, with u's review as it stands and its version. With
// blind review the submitter is not named.
func (a *App) ScoringSheet(ctx context.Context, u *store.User, callKey string) (*export.ScoringSheet, error) {
	if !u.IsCommittee() {
		return nil, denied("scoring sheets are for committee members")
	}
	c, err := a.CallByKey(ctx, callKey)
	if err != nil {
		return nil, err
	}
	items, _, err := a.ReviewQueue(ctx, u, c)
	if err != nil {
		return nil, err
	}
	var sheet []export.SheetNote
	for _, it := range items {
		if it.State != string(workflow.Screened) {
			continue
		}
		sc, err := a.ScoringFor(ctx, u, it.ID)
		if errors.Is(err, workflow.ErrForbidden) || store.IsNotFound(err) {
			continue // a conflict of interest, or unassigned since the queue was read
		}
		var con *apperr.Conflict
		if errors.As(err, &con) {
			continue // no longer screened
		}
		if err != nil {
			return nil, err
		}
		n := export.SheetNote{NoteID: sc.Note.ID, Ref: sc.Note.Ref, Fields: sc.Note.Fields, ReviewState: it.ReviewState}
		if sc.Owner != nil && !Blind(u, sc.Note, c) {
			n.Submitter = fmt.Sprintf("%s, %s (%s)", sc.Owner.Name, sc.Owner.Organization, enum.Sectors.Label(sc.Owner.Sector))
		}
		if r := sc.Review; r != nil {
			n.Scores, n.Comment, n.Version, n.ReviewState = r.Scores, r.Comment, r.Version, r.State
		}
		sheet = append(sheet, n)
	}
	return &export.ScoringSheet{CallID: c.ID, CallSlug: c.Slug, CallTitle: c.Title, ReviewerID: u.ID, Reviewer: u.Name, Criteria: c.Criteria,
		GeneratedAt: a.Now(), Zone: c.Location(), ZoneName: zoneName(c.TimeZone), Notes: slices.Values(sheet)}, nil
}

// ImportResult is what an uploaded scoring sheet changed.
type ImportResult struct {
	Imported  int              `json:"imported"`
	Unchanged int              `json:"unchanged"`
	Conflicts []ImportConflict `json:"conflicts"`
}

// ImportConflict is a row left as it is because its review changed on the
// web after the sheet was downloaded (or while the upload was saved).
type ImportConflict struct {
	Row     int    `json:"row"`
	Ref     string `json:"reference"`
	NoteID  string `json:"note_id"`
	Message string `json:"message"`
}

// ImportError refuses an uploaded scoring sheet: every problem found, and
// nothing was imported.
type ImportError struct {
	Problems []export.CellError
}

// Error says how many problems refused the sheet.
func (e *ImportError) Error() string {
	return fmt.Sprintf("the scoring sheet has %d problems; nothing was imported", len(e.Problems))
}

// ErrNotWorkbook refuses an upload that is not an xlsx workbook.
var ErrNotWorkbook = export.ErrNotWorkbook

// planned is one row to save.
type planned struct {
	row export.SheetRow
	in  ReviewInput
}

// ImportScoringSheet saves the rows of u's scoring sheet of call callKey
// as u's reviews, each through SaveReview (the scoring form's operation).
// Every row is checked first; any problem refuses the whole file
// (*ImportError) and nothing is saved. A row equal to the review as stored
// is left alone; a row whose review moved since the download is reported as
// a conflict and left alone.
func (a *App) ImportScoringSheet(ctx context.Context, u *store.User, callKey string, r io.Reader) (*ImportResult, error) {
	if !u.IsCommittee() {
		return nil, denied("scoring sheets are for committee members")
	}
	c, err := a.CallByKey(ctx, callKey)
	if err != nil {
		return nil, err
	}
	up, problems, err := export.ReadScoringSheet(r)
	if err != nil {
		return nil, err
	}
	if len(problems) > 0 {
		return nil, &ImportError{Problems: problems}
	}
	whole := func(msg string) error { return &ImportError{Problems: []export.CellError{{Message: msg}}} }
	if up.CallID != c.ID {
		other := "another call"
		if oc, err := a.Store.CallByID(ctx, up.CallID); err == nil {
			other = fmt.Sprintf("another call (%s)", oc.Title)
		}
		return nil, whole(fmt.Sprintf("This sheet was made for %s, not %s. Upload it on that call's page, or download this call's sheet.", other, c.Title))
	}
	if up.ReviewerID != u.ID {
		return nil, whole("This sheet was made for another committee member: each member uploads the sheet they downloaded themselves.")
	}
	res := &ImportResult{Conflicts: []ImportConflict{}}
	var plan []planned
	for _, row := range up.Rows {
		stored, err := a.Store.ReviewOf(ctx, row.NoteID, u.ID)
		if err != nil && !store.IsNotFound(err) {
			return nil, err
		}
		if sameReview(row, stored) {
			res.Unchanged++
			continue
		}
		at := func(col, msg string) {
			problems = append(problems, export.CellError{Sheet: export.SheetScores, Row: row.Row, Column: col, Message: msg})
		}
		sc, err := a.ScoringFor(ctx, u, row.NoteID)
		if err != nil {
			msg, ok := refusal(err)
			if !ok {
				return nil, err
			}
			at(row.Columns["ref"], fmt.Sprintf("%s cannot be imported: %s.", row.Ref, strings.TrimSuffix(msg, ".")))
			continue
		}
		current := 0
		if sc.Review != nil {
			current = sc.Review.Version
		}
		if current != row.Version {
			res.Conflicts = append(res.Conflicts, ImportConflict{Row: row.Row, Ref: row.Ref, NoteID: row.NoteID,
				Message: "Your review of " + row.Ref + " was changed on the web after this sheet was downloaded, so this row was left as it is. Download a fresh sheet to score it offline again."})
			continue
		}
		base := row.Version
		in := ReviewInput{Scores: row.Scores, Comment: row.Comment, Submit: row.Submit, BaseVersion: &base}
		revising := sc.Review != nil && sc.Review.State == store.ReviewSubmitted
		for k, msg := range CheckReview(in, c, in.Submit || revising) {
			col := row.Columns[k]
			if revising && !in.Submit && strings.Contains(msg, "before submitting") {
				msg = strings.Replace(msg, "before submitting", "(the review is submitted, so a change to it must score every criterion)", 1)
			}
			at(col, msg)
		}
		plan = append(plan, planned{row: row, in: in})
	}
	if len(problems) > 0 {
		return nil, &ImportError{Problems: problems}
	}
	for _, p := range plan {
		_, err := a.SaveReview(ctx, u, p.row.NoteID, p.in)
		if err == nil {
			res.Imported++
			continue
		}
		msg, ok := refusal(err)
		if !ok {
			return res, fmt.Errorf("import the scoring sheet (%d rows saved): %w", res.Imported, err)
		}
		if errors.Is(err, apperr.ErrStaleVersion) {
			msg = "your review was changed on the web while the sheet was being imported"
		}
		res.Conflicts = append(res.Conflicts, ImportConflict{Row: p.row.Row, Ref: p.row.Ref, NoteID: p.row.NoteID,
			Message: fmt.Sprintf("%s was not saved: %s. The row was left as it is.", p.row.Ref, msg)})
	}
	return res, nil
}

// sameReview reports whether row says what the stored review says (a
// withdrawn or missing review says nothing), so re-uploading a sheet, or
// leaving a row untouched, changes nothing. A submitted review cannot be
// taken back to a draft, so its submit cell does not matter.
func sameReview(row export.SheetRow, r *store.Review) bool {
	if r == nil || r.State == store.ReviewWithdrawn {
		return len(row.Scores) == 0 && strings.TrimSpace(row.Comment) == "" && !row.Submit
	}
	if !maps.Equal(row.Scores, r.Scores) || strings.TrimSpace(row.Comment) != r.Comment {
		return false
	}
	return r.State == store.ReviewSubmitted || !row.Submit
}

// refusal is the words of an error a reviewer must hear (not assigned, a
// conflict of interest, not screened, gone), and false for anything else.
func refusal(err error) (string, bool) {
	var con *apperr.Conflict
	var fe apperr.Fields
	switch {
	case errors.Is(err, workflow.ErrForbidden):
		return err.Error(), true
	case errors.As(err, &con):
		return con.Message, true
	case store.IsNotFound(err):
		return "this note no longer exists, or you may no longer see it", true
	case errors.Is(err, apperr.ErrStaleVersion):
		return "your review changed in the meantime", true
	case errors.As(err, &fe):
		return "the scores were refused", true
	}
	return "", false
}
