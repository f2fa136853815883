// Package demo seeds a demonstration call for concept notes: Belize's first
// Open Government Partnership action plan, open now, with a coordinator who
// chairs the Steering Committee, three committee members, participants from
// Belizean organisations, about thirty concept notes in every early state,
// and the training programme that preceded the call (training.go).
//
// Everything goes through the app's own operations (the same ones the pages
// and the API use), so the demo data obeys every rule real data does.
package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"cocreate/internal/app"
	"cocreate/internal/apperr"
	"cocreate/internal/notes"
	"cocreate/internal/store"
)

// The demo call.
const (
	Slug      = "bz2020"
	RefPrefix = "BZ2020"
	Title     = "Belize's first Open Government Partnership action plan"
	zone      = "America/Belize"
)

const description = `Belize is preparing its first national action plan as a member of the Open Government Partnership. ` +
	`Everyone can propose a commitment: civil society, government officials, academia, the private sector, the media and individual citizens. ` +
	`Send your idea as a one-page concept note. The multi-stakeholder Steering Committee checks every note against basic criteria, ` +
	`scores those that pass and tells every participant what became of their proposal and why.`

// Seed creates the demo data when the database has no call (accounts alone,
// such as the first coordinator, do not count) and prints the demo sign-ins
// to out. It reports whether it seeded; on a database with a call it does
// nothing at all.
func Seed(ctx context.Context, a *app.App, now time.Time, out io.Writer) (bool, error) {
	n, err := a.Store.CountCalls(ctx)
	if err != nil {
		return false, err
	}
	if n > 0 {
		return false, nil
	}
	staff := make([]*store.User, len(committee))
	for i, p := range committee {
		if staff[i], err = account(ctx, a, p); err != nil {
			return false, err
		}
	}
	people := make([]*store.User, len(participants))
	for i, p := range participants {
		if people[i], err = account(ctx, a, p); err != nil {
			return false, err
		}
	}
	call, err := a.CreateCall(ctx, staff[0], callInput(now))
	if err != nil {
		return false, fmt.Errorf("create the demo call: %w", err)
	}
	if err := writeNotes(ctx, a, call, staff, people); err != nil {
		return false, err
	}
	if err := scoreNotes(ctx, a, call, staff); err != nil {
		return false, err
	}
	if err := seedTraining(ctx, a, call, staff[0], people); err != nil {
		return false, err
	}
	printSignIns(out, call)
	return true, nil
}

// account creates p, or finds it when an earlier, interrupted seed made it.
func account(ctx context.Context, a *app.App, p person) (*store.User, error) {
	u, err := a.CreateMember(ctx, app.NewMember{Email: p.Email, Name: p.Name, Organization: p.Org, Sector: p.Sector,
		District: p.District, Roles: p.Roles, Password: Password})
	var con *apperr.Conflict
	if errors.As(err, &con) || errors.Is(err, apperr.ErrDuplicate) {
		return a.Store.UserByEmail(ctx, p.Email)
	}
	if err != nil {
		return nil, fmt.Errorf("create demo account %s: %w", p.Email, err)
	}
	return u, nil
}

// callInput is the demo call: opened two weeks ago at 08:00, closing three
// weeks from now at 17:00 Belize time, for a plan over the next two years.
func callInput(now time.Time) app.CallInput {
	loc, err := time.LoadLocation(zone)
	if err != nil {
		loc = time.UTC
	}
	local := now.In(loc)
	day := func(days, hour int) time.Time {
		d := local.AddDate(0, 0, days)
		return time.Date(d.Year(), d.Month(), d.Day(), hour, 0, 0, 0, loc)
	}
	start := time.Date(local.Year(), local.Month()+1, 1, 0, 0, 0, 0, loc)
	return app.CallInput{Slug: Slug, Title: Title, Description: description, RefPrefix: RefPrefix,
		OpensAt: day(-14, 8).Format(time.RFC3339), ClosesAt: day(21, 17).Format(time.RFC3339),
		PlanStart: start.Format("2006-01"), PlanEnd: start.AddDate(0, 23, 0).Format("2006-01"), TimeZone: zone,
		ReviewDue: day(63, 0).Format("2006-01-02")}
}

// fields is s's text with its milestones dated inside the call's plan period.
func (s sample) fields(call *store.Call) notes.Fields {
	f := notes.Fields{Title: s.Title, Summary: s.Summary, Problem: s.Problem, Commitment: s.Commitment, Change: s.Change,
		Values: s.Values, ValuesExplanation: s.Explain, LeadAgency: s.Lead, Partners: s.Partners, PolicyArea: s.Area,
		Resources: s.Resources, ConsentPublish: s.Consent, ConflictDeclaration: s.Conflict}
	start, _ := time.Parse("2006-01", call.PlanStart)
	for _, m := range s.Milestones {
		f.Milestones = append(f.Milestones, notes.Milestone{Deliverable: m.D, Responsible: m.R, Due: start.AddDate(0, m.At, 0).Format("2006-01")})
	}
	return f
}

// printSignIns tells the person who started the demo how to sign in.
func printSignIns(out io.Writer, call *store.Call) {
	zoneName := call.TimeZone + " time"
	if call.TimeZone == zone {
		zoneName = "Belize time"
	}
	fmt.Fprintf(out, "Demo data: %q is open at /calls/%s until %s %s.\n", call.Title, call.Slug,
		call.ClosesAt.In(call.Location()).Format("Monday 2 January 2006, 15:04"), zoneName)
	fmt.Fprintf(out, "Its training programme (three webinars, with attendance) is at /calls/%s/programme.\n", call.Slug)
	fmt.Fprintf(out, "Sign in with any of these accounts; every one has the password %s\n", Password)
	w := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	for _, p := range committee {
		role := "committee member (reviewer)"
		if p.Roles[0] == "coordinator" {
			role = "coordinator and chair"
		}
		fmt.Fprintf(w, "  %s\t%s\t%s, %s\n", p.Email, role, p.Name, p.Org)
	}
	for _, p := range participants {
		fmt.Fprintf(w, "  %s\tparticipant\t%s, %s\n", p.Email, p.Name, p.Org)
	}
	w.Flush()
}
