package demo

import (
	"context"
	"fmt"

	"cocreate/internal/app"
	"cocreate/internal/enum"
	"cocreate/internal/store"
)

// withdrawReason is what the demo participant says when withdrawing.
const withdrawReason = "We are joining a similar proposal on public participation instead."

// writeNotes writes every sample as its author, submits all but the drafts
// in order (so references are consecutive), then has the committee screen
// some and an author withdraw one.
func writeNotes(ctx context.Context, a *app.App, call *store.Call, staff, people []*store.User) error {
	written := make([]*store.Note, len(samples))
	for i, s := range samples {
		u := people[s.By]
		n, err := a.CreateNote(ctx, u, call.ID, s.fields(call))
		if err != nil {
			return fmt.Errorf("demo note %q: %w", s.Title, err)
		}
		if s.State != "draft" {
			if n, err = a.SubmitNote(ctx, u, n.ID, n.Version); err != nil {
				return fmt.Errorf("submit demo note %q: %w", s.Title, err)
			}
		}
		written[i] = n
	}
	reviseBy := a.Now().In(call.Location()).AddDate(0, 0, 7).Format("2006-01-02")
	screener := 0
	for i, s := range samples {
		n := written[i]
		var err error
		switch s.State {
		case "screened", "returned", "ineligible":
			in := app.ScreenInput{Version: n.Version, Outcome: app.OutcomePass, Checklist: checklist(s.Failed),
				Comment: "Meets every basic criterion."}
			switch s.State {
			case "returned":
				in.Outcome, in.Comment, in.Instructions, in.ReviseBy = app.OutcomeReturn, "", s.Why, reviseBy
			case "ineligible":
				in.Outcome, in.Comment = app.OutcomeFail, s.Why
			}
			// Two of the committee members take turns.
			_, err = a.Screen(ctx, staff[1+screener%2], n.ID, in)
			screener++
		case "withdrawn":
			_, err = a.WithdrawNote(ctx, people[s.By], n.ID, n.Version, withdrawReason)
		}
		if err != nil {
			return fmt.Errorf("demo note %q to %s: %w", s.Title, s.State, err)
		}
	}
	return nil
}

// checklist passes every screening item except those that fail.
func checklist(failed []string) map[string]bool {
	out := map[string]bool{}
	for _, o := range enum.Checklist {
		out[o.Value] = true
	}
	for _, k := range failed {
		out[k] = false
	}
	return out
}
