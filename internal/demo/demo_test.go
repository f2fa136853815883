package demo

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"strings"
	"testing"
	"time"

	"cocreate/internal/app"
	"cocreate/internal/auth"
	"cocreate/internal/notes"
	"cocreate/internal/store"
	"cocreate/internal/testdb"
)

func TestMain(m *testing.M) { testdb.Main(m) }

// demoNow is a moment in Belize's 2020 co-creation, as the demo is meant to be run.
var demoNow = time.Date(2020, 3, 2, 15, 30, 0, 0, time.UTC)

func newApp(t *testing.T) (*app.App, *store.Store) {
	st := testdb.Open(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	return app.New(st, auth.Hasher{MemoryKiB: 64, Time: 1}, func() time.Time { return demoNow }, log), st
}

func TestSeedOnceWithValidNotesAndConsecutiveReferences(t *testing.T) {
	ctx := context.Background()
	a, st := newApp(t)
	var out bytes.Buffer
	seeded, err := Seed(ctx, a, demoNow, &out)
	if err != nil || !seeded {
		t.Fatalf("Seed = %v, %v; want true, nil", seeded, err)
	}
	for _, p := range append(append([]person{}, committee...), participants...) {
		if !strings.Contains(out.String(), p.Email) {
			t.Errorf("the sign-ins do not list %s", p.Email)
		}
		if _, err := a.SignIn(ctx, p.Email, Password, "192.0.2.1"); err != nil {
			t.Errorf("sign in as %s: %v", p.Email, err)
		}
	}
	if !strings.Contains(out.String(), Password) || !strings.Contains(out.String(), "/calls/"+Slug) {
		t.Errorf("the output lacks the password or the call's address:\n%s", out.String())
	}

	call, err := st.CallBySlug(ctx, Slug)
	if err != nil {
		t.Fatal(err)
	}
	if call.Status(demoNow) != "open" || call.RefPrefix != RefPrefix || call.TimeZone != "America/Belize" {
		t.Fatalf("demo call: status %s, prefix %s, zone %s", call.Status(demoNow), call.RefPrefix, call.TimeZone)
	}
	if got := call.OpensAt.Sub(demoNow).Hours() / 24; got > -13 || got < -15 {
		t.Errorf("the call opened %.1f days from now, want about two weeks before", got)
	}
	if got := call.ClosesAt.Sub(demoNow).Hours() / 24; got < 20 || got > 22 {
		t.Errorf("the call closes in %.1f days, want about three weeks", got)
	}
	if call.PlanStart != "2020-04" || call.PlanEnd != "2022-03" {
		t.Errorf("plan period %s to %s, want the next two years", call.PlanStart, call.PlanEnd)
	}

	states := map[string]int{}
	areas := map[string]bool{}
	var refs []string
	err = st.EachNote(ctx, call.ID, nil, func(n *store.Note) error {
		states[n.State]++
		areas[n.PolicyArea] = true
		if n.SubmittedAt == nil {
			return nil
		}
		refs = append(refs, n.Ref)
		if errs := notes.ValidateSubmit(n.Fields, call.WordLimits, call.PlanStart, call.PlanEnd); errs != nil {
			t.Errorf("submitted note %s %q breaks the rules: %v", n.Ref, n.Title, errs)
		}
		if len(n.History) == 0 || n.History[0].Event != "submit" {
			t.Errorf("note %s has no submission in its history", n.Ref)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, n := range states {
		total += n
	}
	if total < 25 || total > 35 {
		t.Errorf("%d notes, want about 30", total)
	}
	for _, s := range []string{"draft", "submitted", "returned", "screened", "ineligible", "withdrawn"} {
		if states[s] == 0 {
			t.Errorf("no demo note is %s (states: %v)", s, states)
		}
	}
	if len(areas) < 8 {
		t.Errorf("notes cover %d policy areas, want a spread", len(areas))
	}
	sort.Strings(refs)
	for i, r := range refs {
		if want := fmt.Sprintf("%s-%04d", RefPrefix, i+1); r != want {
			t.Fatalf("references %v are not consecutive from %s-0001", refs, RefPrefix)
		}
	}

	// A second run finds the call and changes nothing.
	users, _ := st.CountUsers(ctx)
	out.Reset()
	seeded, err = Seed(ctx, a, demoNow, &out)
	if err != nil || seeded || out.Len() != 0 {
		t.Fatalf("second Seed = %v, %v, output %q; want false, nil, nothing", seeded, err, out.String())
	}
	after, _ := st.CountUsers(ctx)
	sums, _ := st.Summaries(ctx, store.SummaryFilter{})
	if after != users || len(sums) != total {
		t.Fatalf("the second run changed the data: %d→%d users, %d→%d notes", users, after, total, len(sums))
	}
}

func TestSeedLeavesADatabaseWithACallAlone(t *testing.T) {
	ctx := context.Background()
	a, st := newApp(t)
	coord, _, err := a.EnsureAdmin(ctx, "admin@example.org", "a long enough password")
	if err != nil {
		t.Fatal(err)
	}
	in := callInput(demoNow)
	in.Slug, in.RefPrefix = "existing", "EX2020"
	if _, err := a.CreateCall(ctx, coord, in); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	seeded, err := Seed(ctx, a, demoNow, &out)
	if err != nil || seeded {
		t.Fatalf("Seed on a database with a call = %v, %v", seeded, err)
	}
	if n, _ := st.CountUsers(ctx); n != 1 {
		t.Fatalf("Seed created accounts on a database with a call: %d users", n)
	}
	if _, err := st.CallBySlug(ctx, Slug); !store.IsNotFound(err) {
		t.Fatalf("the demo call exists: %v", err)
	}
}

func TestSeedCountsOnlyCallsNotTheFirstCoordinator(t *testing.T) {
	ctx := context.Background()
	a, _ := newApp(t)
	if _, _, err := a.EnsureAdmin(ctx, "admin@example.org", "a long enough password"); err != nil {
		t.Fatal(err)
	}
	seeded, err := Seed(ctx, a, demoNow, io.Discard)
	if err != nil || !seeded {
		t.Fatalf("Seed beside the first coordinator = %v, %v; want true", seeded, err)
	}
}

// TestSeedScoresScreenedNotes checks the committee's side of the demo: every
// screened note has three reviewers, all but one are scored with a
// suggested class, and at least one shows a disagreement.
func TestSeedScoresScreenedNotes(t *testing.T) {
	ctx := context.Background()
	a, st := newApp(t)
	if _, err := Seed(ctx, a, demoNow, io.Discard); err != nil {
		t.Fatal(err)
	}
	sums, err := st.Summaries(ctx, store.SummaryFilter{States: []string{"screened"}})
	if err != nil {
		t.Fatal(err)
	}
	scored, flagged := 0, 0
	for _, s := range sums {
		if len(s.Reviewers) != 3 {
			t.Errorf("%s has %d reviewers, want 3", s.Ref, len(s.Reviewers))
		}
		if s.Score == nil || s.Score.Reviews == 0 {
			continue
		}
		scored++
		if s.Score.Reviews != 3 || s.Score.SuggestedClass == "" || s.Score.NormalisedMean == nil {
			t.Errorf("%s: %d reviews, suggested %q, normalised %v", s.Ref, s.Score.Reviews, s.Score.SuggestedClass, s.Score.NormalisedMean)
		}
		if len(s.Score.Flags) > 0 {
			flagged++
		}
	}
	if len(sums) < 2 || scored != len(sums)-1 || flagged == 0 {
		t.Fatalf("%d screened notes, %d scored, %d with a disagreement", len(sums), scored, flagged)
	}
}

func TestSeedTrainingProgramme(t *testing.T) {
	a, _ := newApp(t)
	ctx := context.Background()
	now := time.Date(2020, 3, 2, 15, 0, 0, 0, time.UTC)
	if _, err := Seed(ctx, a, now, io.Discard); err != nil {
		t.Fatal(err)
	}
	call, p, err := a.Programme(ctx, Slug)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Sessions) != 3 || !strings.Contains(p.Sessions[1].Title, "Uruguay") || !strings.Contains(p.Sessions[2].Title, "Estonia") {
		t.Fatalf("sessions %+v", p.Sessions)
	}
	loc := call.Location()
	for i, s := range p.Sessions {
		st := s.StartsAt.In(loc)
		if st.Hour() != 10 || st.Minute() != 30 || s.Minutes != 90 || !s.StartsAt.Before(call.OpensAt) {
			t.Errorf("session %d at %v for %d minutes", i, st, s.Minutes)
		}
		if i > 0 && s.StartsAt.Sub(p.Sessions[i-1].StartsAt) != 7*24*time.Hour {
			t.Errorf("session %d is not a week after the one before", i)
		}
	}
	done, err := a.CompletedTraining(ctx, call.ID)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, pp := range participants {
		u, _ := a.Store.UserByEmail(ctx, pp.Email)
		if done[u.ID] {
			names = append(names, pp.Name)
		}
	}
	if len(names) != 5 || names[0] != "Marisol Cal" || names[4] != "Shanice Arnold" {
		t.Fatalf("completed: %v", names)
	}
}
