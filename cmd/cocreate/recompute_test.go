package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"

	"cocreate/internal/config"
	"cocreate/internal/review"
	"cocreate/internal/store"
)

// withStore opens the data directory of env as a stopped server would, runs fn and closes it.
func withStore(t *testing.T, env map[string]string, fn func(st *store.Store)) {
	t.Helper()
	cfg, err := config.Load(nil, envOf(env), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	st, closeDB, err := openStore(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer closeDB()
	fn(st)
}

func TestRecomputeRebuildsACallsScores(t *testing.T) {
	env := baseEnv(t.TempDir())
	ctx := context.Background()
	scores := []map[string]int{
		{"problem": 4, "relevance": 4, "ambition": 2, "verifiability": 3, "feasibility": 1},
		{"problem": 1, "relevance": 3, "ambition": 4, "verifiability": 3, "feasibility": 2},
	}
	var noteID string
	withStore(t, env, func(st *store.Store) {
		c := &store.Call{Slug: "bz-2026", Title: "Test", RefPrefix: "BZ", TimeZone: "UTC", ReviewersPerNote: 2, MinReviews: 2,
			Criteria: review.DefaultCriteria()}
		if err := st.CreateCall(ctx, c); err != nil {
			t.Fatal(err)
		}
		wrong := &review.Score{Reviews: 7, Mean: 3, PerCriterion: map[string]float64{}, Flags: []string{}}
		n := &store.Note{CallID: c.ID, Ref: "BZ-0001", State: "screened", Owner: "o", Score: wrong, Assignments: []store.Assignment{
			{ReviewerID: "r1", Sector: "government", ReviewState: store.ReviewSubmitted},
			{ReviewerID: "r2", Sector: "academia", ReviewState: store.ReviewSubmitted}}}
		if err := st.InsertNotes(ctx, []*store.Note{n}); err != nil {
			t.Fatal(err)
		}
		noteID = n.ID
		rs := []*store.Review{
			{NoteID: n.ID, CallID: c.ID, ReviewerID: "r1", ReviewerSector: "government", Scores: scores[0], State: store.ReviewSubmitted},
			{NoteID: n.ID, CallID: c.ID, ReviewerID: "r2", ReviewerSector: "academia", Scores: scores[1], State: store.ReviewSubmitted},
			// A reviewer who is no longer assigned does not count.
			{NoteID: n.ID, CallID: c.ID, ReviewerID: "gone", Scores: scores[1], State: store.ReviewSubmitted},
		}
		if err := st.InsertReviews(ctx, rs); err != nil {
			t.Fatal(err)
		}
	})
	do := func(args ...string) (string, error) {
		var out bytes.Buffer
		err := run(ctx, append([]string{"recompute"}, args...), envOf(env), strings.NewReader(""), &out, io.Discard)
		return out.String(), err
	}
	out, err := do("--call", "bz-2026")
	if err != nil || !strings.Contains(out, "1 notes, 2 submitted reviews counted, 1 scores changed") {
		t.Fatalf("recompute: %q %v", out, err)
	}
	withStore(t, env, func(st *store.Store) {
		n, err := st.NoteByID(ctx, noteID)
		if err != nil {
			t.Fatal(err)
		}
		c := review.DefaultCriteria()
		want := review.Aggregate([]review.Input{{ReviewerID: "r1", ReviewerSector: "government", Scores: scores[0]},
			{ReviewerID: "r2", ReviewerSector: "academia", Scores: scores[1]}}, c, 2)
		if n.Score == nil || n.Score.Reviews != 2 || n.Score.Mean != want.Mean || n.Score.SuggestedClass != want.SuggestedClass ||
			n.Score.NormalisedMean == nil || *n.Score.NormalisedMean != review.Round1(want.Mean) {
			t.Fatalf("score after recompute %+v, want %+v", n.Score, want)
		}
		sums, err := st.Summaries(ctx, store.SummaryFilter{CallID: n.CallID})
		if err != nil || len(sums) != 1 || sums[0].Score == nil || sums[0].Score.Mean != want.Mean {
			t.Fatalf("summary after recompute: %+v %v", sums, err)
		}
	})
	if out, err := do("--call", "bz-2026"); err != nil || !strings.Contains(out, "0 scores changed") {
		t.Fatalf("second recompute: %q %v", out, err)
	}
	if _, err := do("--call", "nope"); err == nil || !strings.Contains(err.Error(), `"nope"`) {
		t.Fatalf("unknown call: %v", err)
	}
	if _, err := do(); err == nil || !strings.Contains(err.Error(), "--call") {
		t.Fatalf("no call: %v", err)
	}
}
