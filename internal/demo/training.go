package demo

import (
	"context"
	"fmt"
	"strings"
	"time"

	"cocreate/internal/app"
	"cocreate/internal/store"
	"cocreate/internal/training"
)

// The demo programme: the first case's three weekly 90-minute webinars,
// 10:30 to 12:00 Belize time, followed online or at two venues, in the
// weeks before the call opened.
var demoSessions = []app.SessionInput{
	{Title: "An overview of open government and the Open Government Partnership",
		Experts:     "OGP Support Unit, Americas team",
		Topics:      "What open government is; the OGP, its values and how a national action plan is made; the role of the Steering Committee",
		Description: "The first webinar: why Belize joined the Open Government Partnership and what an action plan commitment is."},
	{Title: "Developing national action plans: the Uruguay case",
		Experts:     "Government of Uruguay, Agency for e-Government and the Information Society (AGESIC)",
		Topics:      "Four action plans in Uruguay: how commitments were proposed, chosen and followed up",
		Description: "How a country in the region writes its plans, and what makes a commitment specific and verifiable."},
	{Title: "Co-creation and ambitious commitments: the Estonia case",
		Experts:     "Government Office of Estonia, strategy unit",
		Topics:      "Co-creating with civil society; from a good idea to an ambitious commitment; writing your concept note",
		Description: "The last webinar, with a walk through the one-page concept note this call asks for."},
}

const (
	demoVenue   = "BTEC, Belize City, or the University of Belize auditorium, Belmopan (and online)"
	demoMeeting = "https://meet.demo.example/ogp-belize"
)

// seedTraining gives the demo call its programme and the demo participants
// their attendance, through the app's operations (the online minutes by
// importing a webinar platform's report, the venues by check-in): the
// first five completed it in a mix of modes, the last three did not (one
// missed a session, one stayed online too briefly, one never came).
func seedTraining(ctx context.Context, a *app.App, call *store.Call, coord *store.User, people []*store.User) error {
	loc := call.Location()
	open := call.OpensAt.In(loc)
	in := app.ProgrammeInput{Title: "Open government webinars: preparing Belize's first action plan",
		Issuers: "the Open Government Unit of the Ministry of the Public Service and the OGP Steering Committee of Belize"}
	for i, s := range demoSessions {
		d := open.AddDate(0, 0, -7*(len(demoSessions)-i)-1) // weekly, the last a week and a day before opening
		s.StartsAt = time.Date(d.Year(), d.Month(), d.Day(), 10, 30, 0, 0, loc).Format("2006-01-02T15:04")
		s.Minutes, s.MinMinutes, s.Venue, s.OnlineURL = 90, training.DefaultMinMinutes, demoVenue, demoMeeting
		in.Sessions = append(in.Sessions, s)
	}
	p, err := a.SaveProgramme(ctx, coord, call.ID, in)
	if err != nil {
		return fmt.Errorf("create the demo programme: %w", err)
	}
	// Per participant and session: minutes online, or -1 for checked in at a venue, 0 for absent.
	plan := [][3]int{
		{90, 88, 85}, // online throughout
		{-1, -1, -1}, // in person throughout
		{75, -1, 90}, // mixed
		{-1, 62, -1}, // mixed
		{90, 90, 61}, // online, just enough the last time
		{90, 0, 90},  // missed the second session
		{90, 45, 90}, // online too briefly at the second
		{0, 0, 0},    // registered, never came
	}
	present := true
	for si, s := range p.Sessions {
		var csv strings.Builder
		csv.WriteString("Attendee Report\r\nWebinar," + s.Title + "\r\n\r\nName (Original Name),User Email,Duration (Minutes)\r\n")
		for pi, u := range people {
			if pi >= len(plan) {
				break
			}
			mode := training.ModeOnline
			if plan[pi][si] < 0 {
				mode = training.ModeInPerson
			}
			if err := a.RegisterInterest(ctx, u, s.ID, mode); err != nil {
				return fmt.Errorf("demo interest: %w", err)
			}
			switch m := plan[pi][si]; {
			case m > 0:
				fmt.Fprintf(&csv, "%s,%s,%d\r\n", u.Name, strings.ToUpper(u.Email), m)
			case m < 0:
				if _, err := a.CheckIn(ctx, coord, s.ID, u.ID, app.CheckInInput{Present: &present}); err != nil {
					return fmt.Errorf("demo check-in: %w", err)
				}
			}
		}
		if _, err := a.ImportAttendance(ctx, coord, s.ID, []byte(csv.String()), nil, nil); err != nil {
			return fmt.Errorf("demo attendance of %q: %w", s.Title, err)
		}
	}
	return nil
}
