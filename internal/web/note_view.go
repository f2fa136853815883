package web

import (
	"context"
	"strings"
	"time"

	"cocreate/internal/app"
	"cocreate/internal/enum"
	"cocreate/internal/notes"
	"cocreate/internal/store"
	"cocreate/internal/workflow"
)

// historyItem is one line of a note's status timeline, in plain words.
type historyItem struct {
	At     string // in the call's zone, zone named
	What   string
	Who    string
	Reason string
}

// eventWords say what each workflow event did to the note.
var eventWords = map[string]string{
	"submit":        "Submitted",
	"screen_pass":   "Passed screening: it goes on to scoring by the committee",
	"screen_return": "Returned for revision",
	"resubmit":      "Resubmitted after revision",
	"screen_fail":   "Did not pass screening: not eligible",
	"classify":      "Classified",
	"reopen":        "Decision reopened",
	"reinstate":     "Reinstated for screening",
	"withdraw":      "Withdrawn",
}

// roleWords name who acted when the owner reads the history: never a person.
var roleWords = map[string]string{
	"owner": "You", "reviewer": "A Steering Committee member", "chair": "The Steering Committee chair",
	"coordinator": "The coordinator", "system": "The system",
}

// historyView is the note's timeline as viewer may see it (app.HistoryFor
// decides what), oldest first, starting with the draft.
func (h *Handler) historyView(ctx context.Context, viewer *store.User, n *store.Note, call *store.Call) []historyItem {
	entries := app.HistoryFor(viewer, n, call)
	owner := viewer.ID == n.Owner
	names := map[string]*store.User{}
	if !owner {
		ids := make([]string, 0, len(entries))
		for _, e := range entries {
			ids = append(ids, e.By)
		}
		if m, err := h.app.UsersByIDs(ctx, ids); err == nil {
			names = m
		}
	}
	if app.Blind(viewer, n, call) {
		delete(names, n.Owner) // blind review: the author stays unnamed
	}
	items := []historyItem{{At: formatInZone(n.CreatedAt, call.TimeZone), What: "Draft started", Who: who(owner, "owner", "", nil)}}
	for _, e := range entries {
		what := eventWords[e.Event]
		if what == "" {
			what = workflow.EventLabel(workflow.Event(e.Event))
		}
		items = append(items, historyItem{At: formatInZone(e.At, call.TimeZone), What: what,
			Who: who(owner, e.ByRole, e.By, names[e.By]), Reason: e.Reason})
	}
	return items
}

// who names the actor of a history entry: by role for the owner, by role
// and name for the committee.
func who(owner bool, role, id string, u *store.User) string {
	if owner {
		if w := roleWords[role]; w != "" {
			return w
		}
		return "The Steering Committee"
	}
	w := roleWords[role]
	switch {
	case role == "owner":
		w = "The author"
	case w == "":
		w = "Someone"
	}
	if u != nil {
		return w + " (" + u.Name + ")"
	}
	return w
}

// ownerStateWords is state as the note's owner reads it, in lower case ("under review").
func ownerStateWords(n *store.Note, state workflow.State) string {
	return lowerFirst(workflow.Label(workflow.State(app.OwnerState(&store.Note{State: string(state), Published: n.Published}))))
}

// lowerFirst lower-cases the first letter of a label used inside a sentence.
func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

// dayInZone writes a YYYY-MM-DD day as the end of that day in the zone:
// "Friday 3 July 2026 (until 23:59 Belize time)".
func dayInZone(day, zone string) string {
	loc, err := time.LoadLocation(zone)
	if err != nil {
		loc, zone = time.UTC, "UTC"
	}
	d, err := time.ParseInLocation("2006-01-02", day, loc)
	if err != nil {
		return day
	}
	name := zoneNames[zone]
	if name == "" {
		name = zone + " time"
	}
	return d.Format("Monday 2 January 2006") + " (until 23:59 " + name + ")"
}

// noteAnswer is one answer of a note as the check-your-answers page and the
// printable view show it.
type noteAnswer struct {
	Key    string
	Label  string
	Text   string   // the answer in words ("" when not given)
	Rows   []string // milestone rows, one line each
	Limit  int      // the call's word limit, 0 when none
	Count  int      // words in Text
	Errors []string // submit-time problems with this answer, in form order
}

// noteAnswers lays out n's fields in form order with errs beside the answer they concern.
func noteAnswers(n *store.Note, call *store.Call, errs notes.FieldErrors) []noteAnswer {
	f := n.Fields
	var out []noteAnswer
	for _, s := range notes.Specs() {
		a := noteAnswer{Key: s.Key, Label: s.Label}
		switch s.Key {
		case "values":
			labels := make([]string, 0, len(f.Values))
			for _, v := range f.Values {
				labels = append(labels, enum.Values.Label(v))
			}
			a.Text = strings.Join(labels, "; ")
		case "milestones":
			for _, m := range f.Milestones {
				due := monthName(m.Due)
				if due == "" {
					due = "no due month"
				}
				a.Rows = append(a.Rows, m.Deliverable+" — "+orNone(m.Responsible, "no one named")+" — "+due)
			}
		case "policy_area":
			a.Text = enum.PolicyAreas.Label(f.PolicyArea)
		case "consent_publish":
			a.Text = "No: keep it out of the public repository"
			if f.ConsentPublish {
				a.Text = "Yes: it may appear in the public repository"
			}
		default:
			if p := textOf(&f, s.Key); p != nil {
				a.Text, a.Limit, a.Count = *p, callLimit(call, s.Key), notes.CountWords(*p)
			}
		}
		for _, k := range errs.Keys() {
			if k == s.Key || strings.HasPrefix(k, s.Key+".") {
				a.Errors = append(a.Errors, errs[k])
			}
		}
		out = append(out, a)
	}
	return out
}

func orNone(s, none string) string {
	if s == "" {
		return none
	}
	return s
}
