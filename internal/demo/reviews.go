package demo

import (
	"context"
	"fmt"

	"cocreate/internal/app"
	"cocreate/internal/store"
)

// scoreNotes assigns the committee to the screened notes (three reviewers a
// note) and has them score most of those notes, so the dashboard shows
// means, disagreements and suggested classes; the last screened note is
// left unscored, as in any call under way.
func scoreNotes(ctx context.Context, a *app.App, call *store.Call, staff []*store.User) error {
	if _, err := a.AutoAssign(ctx, staff[0], call.ID, 0); err != nil {
		return fmt.Errorf("assign the demo reviewers: %w", err)
	}
	sums, err := a.Store.Summaries(ctx, store.SummaryFilter{CallID: call.ID, States: []string{"screened"}})
	if err != nil {
		return err
	}
	reviewers := map[string]*store.User{}
	for _, u := range staff[1:] {
		reviewers[u.ID] = u
	}
	for i, s := range sums[:max(0, len(sums)-1)] {
		for j, id := range s.Reviewers {
			u := reviewers[id]
			if u == nil {
				continue
			}
			in := app.ReviewInput{Scores: demoScores(i, j), Submit: true,
				Comment: "Scored in the demo: a clear problem; the milestones could say who checks them."}
			if _, err := a.SaveReview(ctx, u, s.ID, in); err != nil {
				return fmt.Errorf("demo review of %s by %s: %w", s.Ref, u.Email, err)
			}
		}
	}
	a.WaitForScores()
	return nil
}

// demoScores gives note i's j-th reviewer a plausible, varied set of scores:
// some notes strong, some middling, one where reviewers disagree on ambition.
func demoScores(i, j int) map[string]int {
	base := [][5]int{{4, 4, 3, 3, 3}, {3, 3, 2, 2, 3}, {2, 2, 1, 2, 1}, {3, 4, 3, 4, 3}, {2, 3, 2, 1, 2}}[i%5]
	s := map[string]int{"problem": base[0], "relevance": base[1], "ambition": base[2], "verifiability": base[3], "feasibility": base[4]}
	if i%5 == 1 && j == 2 {
		s["ambition"] = 4 // a disagreement for the committee to discuss
	}
	if j == 1 && s["feasibility"] > 0 {
		s["feasibility"]-- // a slightly harsher reviewer
	}
	return s
}
