package web

import (
	"context"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"

	"cocreate/internal/review"
	"cocreate/internal/store"
)

// scoredWorld is a call with four reviewers and one screened note assigned to three of them.
func scoredWorld(t *testing.T) (*reviewWorld, *store.Note, []string, *store.User) {
	t.Helper()
	w := newReviewWorld(t, map[string]any{"min_reviews": 2}, seat{"Ann", "Org A", "government"}, seat{"Ben", "Org B", "civil_society"},
		seat{"Cid", "Org C", "academia"}, seat{"Dee", "Org D", "government"})
	n := w.screenedNote("Pat", "Org P")
	if r := w.auto(nil); r.Status != 200 {
		t.Fatalf("auto: %d %s", r.Status, r.Raw)
	}
	ids := reviewerIDs(w.note(n.ID))
	var out *store.User
	for _, u := range w.revs {
		if !slices.Contains(ids, u.ID) {
			out = u
		}
	}
	return w, n, ids, out
}

func TestScoresAreCheckedAndOnlyAssignedReviewersScore(t *testing.T) {
	w, n, ids, unassigned := scoredWorld(t)
	_, partTok := w.ts.user("Pete", "Elsewhere", "individual", "participant")
	me := w.tok[ids[0]]
	full := fullReview(3, true)["scores"].(map[string]int)
	missing := map[string]int{"problem": 1, "relevance": 2, "ambition": 3, "verifiability": 4}
	cases := []struct {
		name   string
		tok    string
		body   string
		status int
		code   string
		field  string
	}{
		{"a fraction", me, `{"scores": {"problem": 4.5}, "submit": false}`, 400, "bad_request", ""},
		{"a string", me, `{"scores": {"problem": "3"}, "submit": false}`, 400, "bad_request", ""},
		{"above 4", me, `{"scores": {"problem": 5}, "submit": false}`, 422, "validation_failed", "problem"},
		{"below 0", me, `{"scores": {"ambition": -1}, "submit": false}`, 422, "validation_failed", "ambition"},
		{"an unknown criterion", me, `{"scores": {"beauty": 2}, "submit": false}`, 422, "validation_failed", "beauty"},
		{"submit needs every criterion", me, jsonOf(t, map[string]any{"scores": missing, "submit": true}), 422, "validation_failed", "feasibility"},
		{"a comment too long", me, jsonOf(t, map[string]any{"scores": full, "comment": strings.Repeat("x", 4001)}), 422, "validation_failed", "comment"},
		{"an unknown field", me, `{"scores": {}, "score": 3}`, 400, "bad_request", ""},
		{"not assigned", w.tok[unassigned.ID], jsonOf(t, fullReview(2, true)), 403, "forbidden", ""},
		{"the chair is not assigned", w.chairTok, jsonOf(t, fullReview(2, true)), 403, "forbidden", ""},
		{"a participant", partTok, jsonOf(t, fullReview(2, true)), 403, "forbidden", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := w.ts.api("PUT", "/api/v1/notes/"+n.ID+"/review", tc.tok, tc.body)
			if r.Status != tc.status || r.errCode() != tc.code || (tc.field != "" && r.errFields()[tc.field] == nil) {
				t.Fatalf("%d %s", r.Status, r.Raw)
			}
		})
	}
	if r := w.ts.api("PUT", "/api/v1/notes/"+n.ID+"/review", w.tok[unassigned.ID], fullReview(2, true)); !strings.Contains(r.Raw2(), "not assigned") {
		t.Errorf("the refusal does not say why: %s", r.Raw)
	}
	if got := w.note(n.ID); got.Score != nil || got.AssignedTo(ids[0]).ReviewState != store.ReviewAssigned {
		t.Fatalf("refused reviews changed the note: %+v", got)
	}
}

func TestReviewLifecycleAndAggregates(t *testing.T) {
	w, n, ids, outsider := scoredWorld(t)
	put := func(who string, body any) apiResp {
		t.Helper()
		r := w.ts.api("PUT", "/api/v1/notes/"+n.ID+"/review", w.tok[who], body)
		if r.Status != 200 {
			t.Fatalf("save review: %d %s", r.Status, r.Raw)
		}
		checkAggregate(t, w, n.ID)
		return r
	}
	// A partial draft is kept but does not count.
	r := put(ids[0], map[string]any{"scores": map[string]int{"problem": 2}, "comment": "first thoughts"})
	if rv := r.obj("review"); rv["state"] != "draft" || rv["total"] != 7.5 || rv["submitted_at"] != nil {
		t.Fatalf("draft: %s", r.Raw)
	}
	if got := w.note(n.ID); got.Score != nil || got.AssignedTo(ids[0]).ReviewState != store.ReviewDraft {
		t.Fatalf("a draft counted: %+v", got.Score)
	}
	put(ids[0], map[string]any{"scores": map[string]int{"problem": 4, "relevance": 4, "ambition": 4, "verifiability": 3, "feasibility": 2}, "submit": true})
	put(ids[1], map[string]any{"scores": map[string]int{"problem": 1, "relevance": 2, "ambition": 2, "verifiability": 2, "feasibility": 2}, "submit": true})
	got := w.note(n.ID)
	if got.Score == nil || got.Score.Reviews != 2 || got.Score.SuggestedClass == "" || !slices.Contains(got.Score.Flags, "problem") {
		t.Fatalf("after two submissions: %+v", got.Score)
	}
	if got.Version != n.Version {
		t.Errorf("scoring moved the note's version %d → %d", n.Version, got.Version)
	}

	// Others' reviews: after one's own submission only; always for the chair and coordinators.
	if r := w.ts.api("GET", "/api/v1/notes/"+n.ID+"/reviews", w.tok[ids[2]], nil); r.Status != 403 || !strings.Contains(r.Raw2(), "submitted your own review") {
		t.Errorf("before submitting: %d %s", r.Status, r.Raw)
	}
	if r := w.ts.api("GET", "/api/v1/notes/"+n.ID+"/reviews", w.tok[outsider.ID], nil); r.Status != 403 {
		t.Errorf("an unassigned reviewer: %d %s", r.Status, r.Raw)
	}
	for _, tok := range []string{w.tok[ids[0]], w.chairTok, w.coordTok} {
		if r := w.ts.api("GET", "/api/v1/notes/"+n.ID+"/reviews", tok, nil); r.Status != 200 || len(r.Body["items"].([]any)) != 2 {
			t.Errorf("reviews: %d %s", r.Status, r.Raw)
		}
	}

	// A revision stays submitted, must be complete, and keeps the earlier version.
	if r := w.ts.api("PUT", "/api/v1/notes/"+n.ID+"/review", w.tok[ids[1]], map[string]any{"scores": map[string]int{"problem": 3}}); r.Status != 422 {
		t.Errorf("an incomplete revision: %d %s", r.Status, r.Raw)
	}
	r = put(ids[1], map[string]any{"scores": map[string]int{"problem": 3, "relevance": 3, "ambition": 3, "verifiability": 3, "feasibility": 3}, "comment": "on reflection"})
	if rv := r.obj("review"); rv["state"] != "submitted" || len(rv["revisions"].([]any)) != 1 || rv["total"] != 75.0 {
		t.Fatalf("revision: %s", r.Raw)
	}
	if got := w.note(n.ID); slices.Contains(got.Score.Flags, "problem") || got.Score.PerCriterion["problem"] != 3.5 {
		t.Fatalf("after the revision: %+v", got.Score)
	}

	// A conflict declared after submitting withdraws that review from the figures.
	if r := w.ts.api("POST", "/api/v1/notes/"+n.ID+"/conflict", w.tok[ids[1]], map[string]any{"reason": "My employer funds the proposal"}); r.Status != 204 {
		t.Fatalf("conflict: %d %s", r.Status, r.Raw)
	}
	checkAggregate(t, w, n.ID)
	if got := w.note(n.ID); got.Score.Reviews != 1 {
		t.Fatalf("the conflicted review still counts: %+v", got.Score)
	}
	put(ids[2], fullReview(1, true))

	// Once classified, reviews no longer change.
	cur := w.note(n.ID)
	if r := w.ts.api("POST", "/api/v1/notes/"+n.ID+"/classify", w.chairTok, classifyBodyFor(cur, "D", "lower_priority")); r.Status != 200 {
		t.Fatalf("classify: %d %s", r.Status, r.Raw)
	}
	r2 := w.ts.api("PUT", "/api/v1/notes/"+n.ID+"/review", w.tok[ids[0]], fullReview(4, true))
	if r2.Status != 409 || r2.errCode() != "invalid_transition" || !strings.Contains(r2.Raw2(), "classified") {
		t.Fatalf("revise after classification: %d %s", r2.Status, r2.Raw)
	}
}

// checkAggregate compares the note's stored score with review.Aggregate of
// the submitted reviews of its assigned reviewers (the normalised mean,
// which needs the whole call, is checked in TestNormalisedMeans).
func checkAggregate(t *testing.T, w *reviewWorld, id string) {
	t.Helper()
	ctx := context.Background()
	n := w.note(id)
	c, err := w.ts.store.CallByID(ctx, n.CallID)
	if err != nil {
		t.Fatal(err)
	}
	rs, err := w.ts.store.ReviewsOf(ctx, id, reviewerIDs(n))
	if err != nil {
		t.Fatal(err)
	}
	var in []review.Input
	for _, r := range rs {
		if r.State == store.ReviewSubmitted {
			in = append(in, r.Input())
		}
	}
	if len(in) == 0 {
		if n.Score != nil {
			t.Fatalf("no submitted review, yet a score %+v", n.Score)
		}
		return
	}
	want := review.Aggregate(in, c.Criteria, c.MinReviews)
	got := *n.Score
	got.NormalisedMean = nil
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("stored score %+v, want %+v", got, want)
	}
}

func TestNormalisedMeans(t *testing.T) {
	w := newReviewWorld(t, map[string]any{"min_reviews": 1}, seat{"Ann", "Org A", "government"}, seat{"Ben", "Org B", "civil_society"},
		seat{"Cid", "Org C", "academia"})
	a := w.screenedNote("Pat", "Org P")
	b := w.screenedNote("Quin", "Org Q")
	w.auto(nil)
	scores := map[string][3]int{a.ID: {2, 3, 4}, b.ID: {1, 1, 4}}
	for id, s := range scores {
		for i, u := range w.revs {
			if r := w.ts.api("PUT", "/api/v1/notes/"+id+"/review", w.tok[u.ID], fullReview(s[i], true)); r.Status != 200 {
				t.Fatalf("review: %d %s", r.Status, r.Raw)
			}
		}
	}
	w.ts.app.WaitForScores()
	before := checkNormalised(t, w, a.ID, b.ID)
	// Ann turns generous on b: her spread changes, so a's normalised mean moves.
	if r := w.ts.api("PUT", "/api/v1/notes/"+b.ID+"/review", w.tok[w.revs[0].ID], fullReview(4, true)); r.Status != 200 {
		t.Fatalf("revise: %d %s", r.Status, r.Raw)
	}
	w.ts.app.WaitForScores()
	after := checkNormalised(t, w, a.ID, b.ID)
	if after[a.ID] == before[a.ID] {
		t.Errorf("a's normalised mean did not move when b's review changed: %v", before[a.ID])
	}

	// Recomputation is idempotent and repairs a damaged figure.
	ctx := context.Background()
	if res, err := w.ts.app.RecomputeCall(ctx, w.callID, false); err != nil || res.Written != 0 || res.Reviews != 6 {
		t.Fatalf("recompute with nothing to do: %+v %v", res, err)
	}
	bogus := &review.Score{Reviews: 9, Mean: 1, PerCriterion: map[string]float64{}, Flags: []string{}}
	if _, err := w.ts.store.SetScores(ctx, w.callID, map[string]*review.Score{a.ID: bogus}); err != nil {
		t.Fatal(err)
	}
	if res, err := w.ts.app.RecomputeCall(ctx, w.callID, true); err != nil || res.Written != 1 {
		t.Fatalf("recompute: %+v %v", res, err)
	}
	checkAggregate(t, w, a.ID)
	checkNormalised(t, w, a.ID, b.ID)
	if res, err := w.ts.app.RecomputeCall(ctx, w.callID, true); err != nil || res.Written != 0 {
		t.Fatalf("second full recompute wrote %+v %v", res, err)
	}
}

// checkNormalised compares each note's stored normalised mean with
// review.Normalise over every submitted review of the call, to one decimal.
func checkNormalised(t *testing.T, w *reviewWorld, ids ...string) map[string]float64 {
	t.Helper()
	ctx := context.Background()
	c, _ := w.ts.store.CallByID(ctx, w.callID)
	all, err := w.ts.store.CallReviews(ctx, w.callID)
	if err != nil {
		t.Fatal(err)
	}
	var in []review.Input
	for _, r := range all {
		if r.State == store.ReviewSubmitted {
			in = append(in, r.Input())
		}
	}
	want := review.Normalise(in, c.Criteria)
	out := map[string]float64{}
	for _, id := range ids {
		n := w.note(id)
		if n.Score == nil || n.Score.NormalisedMean == nil || *n.Score.NormalisedMean != review.Round1(want[id]) {
			t.Fatalf("note %s: stored %+v, want normalised mean %.1f", n.Ref, n.Score, want[id])
		}
		out[id] = *n.Score.NormalisedMean
	}
	return out
}

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestReassignedReviewerStartsAgain(t *testing.T) {
	w, n, ids, _ := scoredWorld(t)
	me := ids[0]
	if r := w.ts.api("PUT", "/api/v1/notes/"+n.ID+"/review", w.tok[me], map[string]any{"scores": map[string]int{"problem": 1}}); r.Status != 200 {
		t.Fatalf("draft: %d %s", r.Status, r.Raw)
	}
	set := func(list []string) {
		t.Helper()
		if r := w.ts.api("PUT", "/api/v1/notes/"+n.ID+"/assignments", w.coordTok, map[string]any{"reviewer_ids": list}); r.Status != 200 {
			t.Fatalf("assignments: %d %s", r.Status, r.Raw)
		}
	}
	set(ids[1:])
	if r, err := w.ts.store.ReviewOf(t.Context(), n.ID, me); err != nil || r.State != store.ReviewWithdrawn {
		t.Fatalf("the unassigned reviewer's draft: %+v %v", r, err)
	}
	set(ids)
	r := w.ts.api("PUT", "/api/v1/notes/"+n.ID+"/review", w.tok[me], fullReview(2, true))
	if r.Status != 200 || r.obj("review")["state"] != "submitted" {
		t.Fatalf("review after reassignment: %d %s", r.Status, r.Raw)
	}
	checkAggregate(t, w, n.ID)
}
