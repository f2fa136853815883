package app

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"cocreate/internal/apperr"
	"cocreate/internal/enum"
	"cocreate/internal/store"
)

// ChecklistField is the field key of checklist item key in validation errors and forms.
func ChecklistField(key string) string { return "checklist." + key }

// ItemCommentField is the field key of item key's comment in validation errors and forms.
func ItemCommentField(key string) string { return "item_comments." + key }

// validateScreening applies the outcome rules to in for note n of call c at
// now: unknown checklist keys are a bad request (400); a missing item, an
// outcome that contradicts the checklist, a return without instructions or
// a revise-by date after today, or a duplicate that is not another note of
// the same call are field errors (422).
func (a *App) validateScreening(ctx context.Context, in ScreenInput, n *store.Note, c *store.Call, now time.Time) error {
	for k := range in.Checklist {
		if !enum.Checklist.Has(k) {
			return &apperr.BadRequest{Message: fmt.Sprintf("Checklist item %q is unknown: the items are %s.", k, strings.Join(enum.Checklist.Values(), ", "))}
		}
	}
	for k := range in.ItemComments {
		if !enum.Checklist.Has(k) {
			return &apperr.BadRequest{Message: fmt.Sprintf("item_comments names %q, which is not a checklist item.", k)}
		}
	}
	errs := apperr.Fields{}
	missing := false
	for _, o := range enum.Checklist {
		if _, ok := in.Checklist[o.Value]; !ok {
			errs[ChecklistField(o.Value)] = "Choose pass or fail for “" + o.Label + "”"
			missing = true
		}
		if len([]rune(in.ItemComments[o.Value])) > maxItemComment {
			errs[ItemCommentField(o.Value)] = fmt.Sprintf("The comment on “%s” must be %d characters or fewer", o.Label, maxItemComment)
		}
	}
	if len([]rune(in.Comment)) > maxScreenText {
		errs["comment"] = fmt.Sprintf("The comment must be %d characters or fewer", maxScreenText)
	}
	failed := len(FailedItems(in.Checklist))
	switch in.Outcome {
	case "":
		errs["outcome"] = "Choose an outcome: pass, return for revision, or fail"
	case OutcomePass:
		if !missing && failed > 0 {
			errs["outcome"] = fmt.Sprintf("A note passes only when every item passes, and %s marked as failing: choose return or fail, or change the items", countItems(failed))
		}
	case OutcomeFail:
		if !missing && failed == 0 {
			errs["outcome"] = "To fail a note, mark at least one item as failing: the failed items are the reasons the participant is given"
		}
	case OutcomeReturn:
		if !missing && failed == 0 {
			errs["outcome"] = "To return a note, mark the items the participant must fix as failing"
		}
		checkReturn(errs, in, c, now)
	}
	if in.DuplicateOf != "" {
		if msg, err := a.checkOtherNote(ctx, n, in.DuplicateOf, "a duplicate of"); err != nil {
			return err
		} else if msg != "" {
			errs["duplicate_of"] = msg
		}
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

// checkReturn adds the errors of a return's instructions and revise-by date,
// which must be a day after today in the call's zone.
func checkReturn(errs apperr.Fields, in ScreenInput, c *store.Call, now time.Time) {
	instr := strings.TrimSpace(in.Instructions)
	switch {
	case instr == "":
		errs["instructions"] = "Say what the participant must change before they resubmit"
	case len([]rune(instr)) > maxScreenText:
		errs["instructions"] = fmt.Sprintf("The instructions must be %d characters or fewer", maxScreenText)
	}
	day := strings.TrimSpace(in.ReviseBy)
	today := now.In(c.Location()).Format("2006-01-02")
	if day == "" {
		errs["revise_by"] = "Enter the date by which the participant must resubmit, for example " + exampleDay(now, c)
		return
	}
	d, err := time.ParseInLocation("2006-01-02", day, c.Location())
	if err != nil || d.Format("2006-01-02") != day {
		errs["revise_by"] = "Enter the revise-by date as year-month-day, for example " + exampleDay(now, c)
		return
	}
	if day <= today {
		errs["revise_by"] = fmt.Sprintf("The revise-by date must be after today (%s, %s)", today, zoneName(c.TimeZone))
	}
}

// exampleDay is a plausible revise-by date for a hint: a week from today in the call's zone.
func exampleDay(now time.Time, c *store.Call) string {
	return now.In(c.Location()).AddDate(0, 0, 7).Format("2006-01-02")
}

// zoneName is how messages name a call's zone: "Belize time".
func zoneName(zone string) string {
	if zone == "America/Belize" {
		return "Belize time"
	}
	if zone == "" || zone == "UTC" {
		return "UTC"
	}
	return zone + " time"
}

func countItems(n int) string {
	if n == 1 {
		return "1 item is"
	}
	return fmt.Sprintf("%d items are", n)
}

// checkOtherNote checks that otherID names another note of n's call that
// the committee can see (submitted at least once); what names the relation
// for the message. It returns a message for the field, or an error for a
// failure to read.
func (a *App) checkOtherNote(ctx context.Context, n *store.Note, otherID, what string) (string, error) {
	if otherID == n.ID {
		return "A note cannot be " + what + " itself: choose another note", nil
	}
	o, err := a.Store.NoteByID(ctx, otherID)
	if errors.Is(err, apperr.ErrNotFound) {
		return "Choose another note of the same call", nil
	}
	if err != nil {
		return "", err
	}
	if o.CallID != n.CallID || neverSubmitted(o.State, o.SubmittedAt != nil) {
		return "Choose another note of the same call", nil
	}
	return "", nil
}
