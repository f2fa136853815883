package web

import (
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"cocreate/internal/app"
	"cocreate/internal/enum"
)

// The checklist control of the screening page (items): every item passes,
// or some fail and the failing ones are ticked. A form without it (the
// confirmation page) sends each item as pass or fail.
const (
	itemsAll  = "all"
	itemsSome = "some"
)

// screenPost is what the screening page posted.
type screenPost struct {
	in       app.ScreenInput
	items    string // itemsAll, itemsSome or "" (each item sent as pass or fail)
	openedAt string // when the screener opened the page (RFC 3339), to say what changed since
}

// screenFromForm reads the screening form. With "all items pass" every item
// passes; with "some items fail" the ticked items fail and the rest pass;
// otherwise an item left unanswered stays out of the checklist, so the rules
// report it beside the item.
func screenFromForm(c *gin.Context) (screenPost, error) {
	in := app.ScreenInput{Outcome: c.PostForm("outcome"), Comment: c.PostForm("comment"),
		Instructions: c.PostForm("instructions"), ReviseBy: strings.TrimSpace(c.PostForm("revise_by")),
		DuplicateOf: c.PostForm("duplicate_of"), Checklist: map[string]bool{}, ItemComments: map[string]string{}}
	f := screenPost{items: c.PostForm("items"), openedAt: c.PostForm("opened_at")}
	if f.items != itemsAll && f.items != itemsSome {
		f.items = ""
	}
	v, err := strconv.Atoi(c.PostForm("version"))
	if err != nil {
		return f, badRequest("The form has lost the note's version: reload the page.")
	}
	in.Version = v
	for _, o := range enum.Checklist {
		val := c.PostForm(app.ChecklistField(o.Value))
		switch {
		case f.items == itemsAll:
			in.Checklist[o.Value] = true
		case f.items == itemsSome:
			in.Checklist[o.Value] = val != "fail"
		case val == "pass":
			in.Checklist[o.Value] = true
		case val == "fail":
			in.Checklist[o.Value] = false
		}
		if t := c.PostForm(app.ItemCommentField(o.Value)); t != "" {
			in.ItemComments[o.Value] = t
		}
	}
	f.in = in
	return f, nil
}

// deriveOutcome is the outcome the checklist gives where it can: every
// item passing passes the note; a failing item fails it when the note may
// not be returned (allowed lacks return); otherwise the screener's choice
// between return and fail stands.
func deriveOutcome(f screenPost, allowed []string) string {
	if f.items == "" {
		return f.in.Outcome
	}
	if len(app.FailedItems(f.in.Checklist)) == 0 {
		if f.items == itemsAll {
			return app.OutcomePass
		}
		return f.in.Outcome
	}
	if f.in.Outcome == app.OutcomePass {
		return f.in.Outcome // a contradiction the rules report beside the outcome
	}
	if !slices.Contains(allowed, app.OutcomeReturn) && slices.Contains(allowed, app.OutcomeFail) {
		return app.OutcomeFail
	}
	return f.in.Outcome
}

// checklistErrors are the errors of the checklist control itself, beside it.
func checklistErrors(f screenPost, allowed []string) map[string]string {
	switch {
	case f.items == "" && len(f.in.Checklist) == 0:
		if !slices.Contains(allowed, app.OutcomePass) {
			return map[string]string{"items": "Tick the items that fail: this note can now only be failed"}
		}
		return map[string]string{"items": "Choose “All eight items pass”, or “Some items fail” and tick the items that fail"}
	case f.items == itemsSome && len(app.FailedItems(f.in.Checklist)) == 0:
		return map[string]string{"items": "You chose “Some items fail”: tick the items that fail, or choose “All eight items pass”"}
	}
	return nil
}

// itemsChoice is the checklist control's value for what was typed: "" before any answer.
func itemsChoice(in *app.ScreenInput) string {
	if len(in.Checklist) < len(enum.Checklist) {
		if len(app.FailedItems(in.Checklist)) > 0 {
			return itemsSome
		}
		return ""
	}
	if len(app.FailedItems(in.Checklist)) > 0 {
		return itemsSome
	}
	return itemsAll
}
