package web

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"cocreate/internal/app"
	"cocreate/internal/store"
)

// homePage is `/`: the programme in a paragraph for everyone, and for a
// signed-in person one part per role they hold (app.HomeFor).
type homePage struct {
	Layout
	Published   []*store.Call // calls whose results are published, for links to their repositories
	Open        []callCard    // calls accepting notes now, closing soonest first
	Participant bool
	Notes       []noteTaskRow
	MoreNotes   int // notes beyond the first homeNotes, on My notes
	Committee   []committeeCard
	Coordinator *app.CoordinatorWork
	Unavailable bool // the work could not be read just now
}

// homeNotes is how many of a participant's notes the home page lists before "see all".
const homeNotes = 5

// committeeCard is app.CommitteeWork with its dates in words.
type committeeCard struct {
	app.CommitteeWork
	PublishedOn string
}

func (h *Handler) home(c *gin.Context) {
	ctx, u := c.Request.Context(), currentUser(c)
	p := &homePage{Layout: Layout{Title: "Concept notes for the open government action plan"}}
	calls, err := h.app.Calls(ctx)
	if err != nil {
		// The home page still answers; only the links to calls and results are missing.
		h.log.Warn("home: list calls", "request_id", requestID(c), "err", err)
	}
	for _, call := range calls {
		if call.PublishedAt != nil {
			p.Published = append(p.Published, call)
		}
	}
	home, err := h.app.HomeFor(ctx, u, calls)
	if err != nil {
		// As for the calls: the page answers, and says the work is missing.
		h.log.Warn("home: gather the work", "request_id", requestID(c), "err", err)
		home, p.Unavailable = &app.Home{}, true
	}
	for _, call := range home.Open {
		p.Open = append(p.Open, h.callCard(call))
	}
	if u != nil {
		p.Title = "Your work"
		p.Participant = u.Has("participant") && !p.Unavailable // an empty list would say "no notes", which is not known
		for i, t := range home.Notes {
			if i == homeNotes {
				p.MoreNotes = len(home.Notes) - homeNotes
				break
			}
			p.Notes = append(p.Notes, taskRow(t, h.now()))
		}
		for _, w := range home.Committee {
			card := committeeCard{CommitteeWork: w}
			if w.Call.PublishedAt != nil {
				card.PublishedOn = formatInZone(*w.Call.PublishedAt, w.Call.TimeZone)
			}
			p.Committee = append(p.Committee, card)
		}
		p.Coordinator = home.Coordinator
	}
	h.render(c, http.StatusOK, "home", p)
}

// noteTaskRow is a participant's note as home and My notes list it: what it
// is, where it stands and the one thing it asks of them now.
type noteTaskRow struct {
	ID, Ref, Title, State, Changed string
	CallID, CallTitle              string
	Action, ActionHref, Due        string // the button, where it leads, and by when ("Revise by 8 December")
	Primary                        bool   // the action is the one thing to do now (a button, not a link)
}

// taskRow words t for the pages, times in the call's zone.
func taskRow(t app.NoteTask, now time.Time) noteTaskRow {
	r := noteTaskRow{ID: t.ID, Ref: t.Ref, Title: t.Title, State: t.State, CallID: t.CallID}
	zone := "UTC"
	if t.Call != nil {
		zone, r.CallTitle = t.Call.TimeZone, t.Call.Title
	}
	r.Changed = formatInZone(t.UpdatedAt, zone)
	switch t.Do {
	case app.TaskDraft:
		r.Action, r.ActionHref, r.Primary = "Continue draft", "/notes/"+t.ID+"/edit", true
		r.Due = "Submit by " + formatInZone(t.Call.ClosesAt, zone)
	case app.TaskRevise:
		r.Action, r.ActionHref, r.Primary = "Revise", "/notes/"+t.ID+"/edit", true
		r.Due = "Revise by " + shortDay(t.ReviseBy, now)
	case app.TaskResult:
		r.Action, r.ActionHref = "Read the decision", "/notes/"+t.ID+"#decision-title"
	default:
		r.Due = nothingToDo[t.State]
	}
	return r
}

// nothingToDo says why a note asks nothing of its owner now, by the state they see.
var nothingToDo = map[string]string{
	"draft":      "The call has closed: this draft can no longer be submitted",
	"submitted":  "Nothing to do: the committee is screening it",
	"returned":   "The revise-by day has passed",
	"screened":   "Nothing to do: the committee is scoring it",
	"ineligible": "Did not pass screening: see why on its page",
	"withdrawn":  "Withdrawn: nothing more to do",
}

// shortDay writes a YYYY-MM-DD day as "8 December", with the year when it
// is not the year of now ("8 December 2027").
func shortDay(day string, now time.Time) string {
	d, err := time.Parse("2006-01-02", day)
	if err != nil {
		return day
	}
	if d.Year() != now.Year() {
		return d.Format("2 January 2006")
	}
	return d.Format("2 January")
}
