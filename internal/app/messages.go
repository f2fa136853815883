package app

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"cocreate/internal/apperr"
	"cocreate/internal/enum"
	"cocreate/internal/store"
	"cocreate/internal/workflow"
)

// Messages configures the e-mail the operations queue in the outbox.
type Messages struct {
	// BaseURL starts every link in a message (COCREATE_BASE_URL), without a trailing slash.
	BaseURL string
	// Wake, when set, tells the sender a message was just queued.
	Wake func(id string)
}

// Events of the outbox: the first part of a message's idempotency key
// (event:recipient:object).
const (
	MsgReceipt        = "receipt"
	MsgResubmitted    = "resubmitted"
	MsgReturned       = "returned"
	MsgReviseReminder = "revise-reminder"
	MsgIneligible     = "ineligible"
	MsgResults        = "results"
	MsgAssigned       = "assigned"
	MsgReviewReminder = "review-reminder"
)

// sweepWindow is how far back the periodic job looks for an event whose
// message is missing: the process may have died between an operation's
// write and its message's insert.
const sweepWindow = 48 * time.Hour

// sweeping marks the context of the periodic job (MessageJobs).
type sweeping struct{}

// MessageKey is the idempotency key of a message: event, recipient, object.
func MessageKey(event, userID string, object ...string) string {
	return event + ":" + userID + ":" + strings.Join(object, ":")
}

// queue puts one message in the outbox unless its key is there already. It
// runs after the operation's own write has succeeded, on a context the
// request's end does not cancel, so the message is stored before the
// request answers. A failure is logged, not returned: the operation did
// happen, and the periodic job (MessageJobs) queues what is missing.
func (a *App) queue(ctx context.Context, key string, to *store.User, callID, subject, body string) {
	if to == nil || to.Disabled || to.Email == "" {
		return
	}
	ctx = context.WithoutCancel(ctx)
	if ctx.Value(sweeping{}) != nil {
		// The periodic job looks first (a read by _id): most of what it
		// tries is queued already.
		if ok, err := a.Store.HasMessage(ctx, key); err == nil && ok {
			return
		}
	}
	m := &store.Message{ID: key, Event: strings.SplitN(key, ":", 2)[0], UserID: to.ID, To: to.Email, CallID: callID,
		Subject: subject, Body: body, CreatedAt: a.Now().UTC().Truncate(time.Millisecond)}
	added, err := a.Store.EnqueueMessage(ctx, m)
	if err != nil {
		a.Log.Error("queue a message", "key", key, "err", err)
		return
	}
	if added && a.Messages.Wake != nil {
		a.Messages.Wake(key)
	}
}

func (a *App) link(path string) string { return strings.TrimRight(a.Messages.BaseURL, "/") + path }

// inZone formats t in the call's zone, naming the zone.
func inZone(t time.Time, c *store.Call) string {
	return t.In(c.Location()).Format("Monday 2 January 2006, 15:04") + " (" + c.Location().String() + ")"
}

// dayOf formats a YYYY-MM-DD day for people.
func dayOf(day string) string {
	d, err := time.Parse("2006-01-02", day)
	if err != nil {
		return day
	}
	return d.Format("Monday 2 January 2006")
}

func greeting(u *store.User) string {
	if u.Name == "" {
		return "Hello,\n\n"
	}
	return "Dear " + u.Name + ",\n\n"
}

const signOff = "\n\nThis message was sent by the co-creation platform; replies are not read."

// noteMessageParts loads what a message about note n needs: its call and owner.
func (a *App) noteMessageParts(ctx context.Context, n *store.Note) (*store.Call, *store.User, bool) {
	c, err := a.Store.CallByID(ctx, n.CallID)
	if err != nil {
		a.Log.Error("message: read the call", "note", n.ID, "err", err)
		return nil, nil, false
	}
	u, err := a.Store.UserByID(ctx, n.Owner)
	if err != nil {
		if !store.IsNotFound(err) {
			a.Log.Error("message: read the owner", "note", n.ID, "err", err)
		}
		return nil, nil, false
	}
	return c, u, true
}

// queueSubmitted queues the receipt of a submitted (or resubmitted) note.
func (a *App) queueSubmitted(ctx context.Context, n *store.Note) {
	if n == nil || n.State != string(workflow.Submitted) {
		return
	}
	c, u, ok := a.noteMessageParts(ctx, n)
	if !ok {
		return
	}
	at := a.Now()
	if n.SubmittedAt != nil {
		at = *n.SubmittedAt
	}
	event, subject, what := MsgReceipt, "Concept note received: "+n.Ref, "received"
	if n.ReturnedBefore {
		event, subject, what = MsgResubmitted, "Revised concept note received: "+n.Ref, "received again after revision"
		at = a.lastEntryAt(n, workflow.Resubmit, at)
	}
	body := greeting(u) + fmt.Sprintf("Your concept note %q was %s on %s.\n\nIts reference is %s; please quote it whenever you write to us about it.\n\nYou can follow it here:\n%s\n\nCall: %s",
		n.Title, what, inZone(at, c), n.Ref, a.link("/notes/"+n.ID), c.Title) + contactLine(c) + signOff
	a.queue(ctx, MessageKey(event, u.ID, n.ID), u, c.ID, subject, body)
}

// contactLine names the call's coordinator address for questions ("" when the call has none).
func contactLine(c *store.Call) string {
	if c.ContactEmail == "" {
		return ""
	}
	return "\nQuestions: write to the coordinator at " + c.ContactEmail
}

// lastEntryAt is when the note's history last recorded event ev (def when never).
func (a *App) lastEntryAt(n *store.Note, ev workflow.Event, def time.Time) time.Time {
	for i := len(n.History) - 1; i >= 0; i-- {
		if n.History[i].Event == string(ev) {
			return n.History[i].At
		}
	}
	return def
}

// queueScreened queues what the owner hears of a screening: a return with
// its instructions and revise-by date, or a failure with its reasons. A
// pass is not announced; the owner hears at publication.
func (a *App) queueScreened(ctx context.Context, n *store.Note) {
	if n == nil || n.Screening == nil {
		return
	}
	switch workflow.State(n.State) {
	case workflow.Returned, workflow.Ineligible:
	default:
		return
	}
	c, u, ok := a.noteMessageParts(ctx, n)
	if !ok {
		return
	}
	s := n.Screening
	if n.State == string(workflow.Returned) {
		body := greeting(u) + fmt.Sprintf("The screening committee has returned your concept note %s, %q, for revision.\n\nWhat to change:\n%s\n\nPlease revise and resubmit it by the end of %s (%s). A note that is not resubmitted by then cannot go on to review.\n\nRevise it here:\n%s",
			n.Ref, n.Title, indent(s.Instructions), dayOf(s.ReviseBy), c.Location().String(), a.link("/notes/"+n.ID)) + signOff
		a.queue(ctx, MessageKey(MsgReturned, u.ID, n.ID), u, c.ID, "Your concept note "+n.Ref+" needs changes by "+s.ReviseBy, body)
		return
	}
	var reasons []string
	for _, k := range FailedItems(s.Checklist) {
		r := "- " + enum.Checklist.Label(k)
		if cm := strings.TrimSpace(s.ItemComments[k]); cm != "" {
			r += ": " + cm
		}
		reasons = append(reasons, r)
	}
	if len(reasons) == 0 {
		reasons = append(reasons, "- It does not meet the call's eligibility requirements.")
	}
	body := greeting(u) + fmt.Sprintf("The screening committee found that your concept note %s, %q, is not eligible for this call.\n\nThe reasons:\n%s",
		n.Ref, n.Title, strings.Join(reasons, "\n"))
	if cm := strings.TrimSpace(s.Comment); cm != "" {
		body += "\n\nThe screener's comments:\n" + indent(cm)
	}
	body += "\n\nYour note and this outcome are here:\n" + a.link("/notes/"+n.ID) + signOff
	a.queue(ctx, MessageKey(MsgIneligible, u.ID, n.ID), u, c.ID, "Your concept note "+n.Ref+" was not eligible", body)
}

func indent(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	for i, l := range lines {
		lines[i] = "  " + strings.TrimRight(l, "\r ")
	}
	return strings.Join(lines, "\n")
}

// queuePublished queues one message per participant of call c whose notes
// have a published decision, pointing to each of their notes' pages.
func (a *App) queuePublished(ctx context.Context, c *store.Call) {
	sums, err := a.Store.Summaries(ctx, store.SummaryFilter{CallID: c.ID})
	if err != nil {
		a.Log.Error("message: results of a call", "call", c.ID, "err", err)
		return
	}
	byOwner := map[string][]store.Summary{}
	for _, s := range sums {
		if s.PublishedClass != "" {
			byOwner[s.Owner] = append(byOwner[s.Owner], s)
		}
	}
	owners := make([]string, 0, len(byOwner))
	for o := range byOwner {
		owners = append(owners, o)
	}
	sort.Strings(owners)
	for _, o := range owners {
		u, err := a.Store.UserByID(ctx, o)
		if err != nil {
			continue
		}
		list := byOwner[o]
		sort.Slice(list, func(i, j int) bool { return list[i].Ref < list[j].Ref })
		var lines []string
		for _, s := range list {
			lines = append(lines, fmt.Sprintf("- %s, %q:\n  %s", s.Ref, s.Title, a.link("/notes/"+s.ID)))
		}
		what := "your concept note"
		if len(list) > 1 {
			what = "your concept notes"
		}
		body := greeting(u) + fmt.Sprintf("The Steering Committee has published the results of %q.\n\nThe decision on %s, with its reasons, is on its page:\n%s\n\nThank you for taking part.",
			c.Title, what, strings.Join(lines, "\n")) + signOff
		a.queue(ctx, MessageKey(MsgResults, u.ID, c.ID), u, c.ID, "Results published: "+c.Title, body)
	}
}

// queueAssigned queues a message to each reviewer of n who has not yet
// submitted a review of it, once per reviewer and note.
func (a *App) queueAssigned(ctx context.Context, n *store.Note) {
	if n == nil || len(n.Assignments) == 0 {
		return
	}
	c, err := a.Store.CallByID(ctx, n.CallID)
	if err != nil {
		a.Log.Error("message: read the call", "note", n.ID, "err", err)
		return
	}
	for _, as := range n.Assignments {
		if as.ReviewState == store.ReviewSubmitted {
			continue
		}
		r, err := a.Store.UserByID(ctx, as.ReviewerID)
		if err != nil {
			continue
		}
		due := ""
		if c.ReviewDue != nil {
			due = "\n\nReviews are due by " + inZone(*c.ReviewDue, c) + "."
		}
		body := greeting(r) + fmt.Sprintf("You have been assigned concept note %s, %q, of the call %q to review.%s\n\nRead and score it here:\n%s",
			n.Ref, n.Title, c.Title, due, a.link("/notes/"+n.ID+"/review")) + signOff
		a.queue(ctx, MessageKey(MsgAssigned, r.ID, n.ID), r, c.ID, "A concept note to review: "+n.Ref, body)
	}
}

// queueAssignedIDs is queueAssigned for notes given by id (automatic assignment).
func (a *App) queueAssignedIDs(ctx context.Context, notes []*store.Note) {
	for _, n := range notes {
		cur, err := a.Store.NoteByID(ctx, n.ID)
		if err == nil {
			a.queueAssigned(ctx, cur)
		}
	}
}

// MessageJobs queues what is due at now without a request to cause it: the
// reminder two days before a returned note's revise-by date, the reminder
// to reviewers with unsubmitted reviews the call's reminder_days before its
// review_due, and any message of a recent event that is missing from the
// outbox (the process stopped between an operation's write and the
// message's insert). The sender loop runs it periodically; each message's
// key makes a repeated run queue nothing new.
func (a *App) MessageJobs(ctx context.Context, now time.Time) error {
	ctx = context.WithValue(ctx, sweeping{}, true)
	calls, err := a.Store.ListCalls(ctx)
	if err != nil {
		return fmt.Errorf("message jobs: %w", err)
	}
	for _, c := range calls {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := a.callJobs(ctx, c, now); err != nil {
			return fmt.Errorf("message jobs for call %s: %w", c.Slug, err)
		}
	}
	return nil
}

func (a *App) callJobs(ctx context.Context, c *store.Call, now time.Time) error {
	sums, err := a.Store.Summaries(ctx, store.SummaryFilter{CallID: c.ID})
	if err != nil {
		return err
	}
	recent := now.Add(-sweepWindow)
	reviewWindow := c.ReviewDue != nil && c.ReminderDays > 0 &&
		!now.Before(c.ReviewDue.AddDate(0, 0, -c.ReminderDays)) && now.Before(*c.ReviewDue)
	pending := map[string][]*store.Note{} // reviewer → notes with a review not submitted
	for _, s := range sums {
		st := workflow.State(s.State)
		submittedRecently := s.SubmittedAt != nil && s.SubmittedAt.After(recent) && st == workflow.Submitted
		touched := s.UpdatedAt.After(recent)
		needNote := st == workflow.Returned || submittedRecently ||
			(touched && (st == workflow.Ineligible || st == workflow.Screened)) ||
			(reviewWindow && st == workflow.Screened)
		if !needNote {
			continue
		}
		n, err := a.Store.NoteByID(ctx, s.ID)
		if store.IsNotFound(err) {
			continue
		} else if err != nil {
			return err
		}
		switch st {
		case workflow.Submitted:
			a.queueSubmitted(ctx, n)
		case workflow.Returned:
			if n.Screening != nil && n.Screening.At.After(recent) {
				a.queueScreened(ctx, n)
			}
			a.reviseReminder(ctx, n, c, now)
		case workflow.Ineligible:
			if n.Screening != nil && n.Screening.At.After(recent) {
				a.queueScreened(ctx, n)
			}
		case workflow.Screened:
			if touched {
				a.queueAssigned(ctx, n)
			}
			for _, as := range n.Assignments {
				if reviewWindow && as.ReviewState != store.ReviewSubmitted {
					pending[as.ReviewerID] = append(pending[as.ReviewerID], n)
				}
			}
		}
	}
	if c.PublishedAt != nil && c.PublishedAt.After(recent) {
		a.queuePublished(ctx, c)
	}
	for rid, list := range pending {
		a.reviewReminder(ctx, c, rid, list)
	}
	return nil
}

// reviseReminder queues the reminder to resubmit n, two days before its
// revise-by date (in the call's zone), unless it was returned after that.
func (a *App) reviseReminder(ctx context.Context, n *store.Note, c *store.Call, now time.Time) {
	if n.Screening == nil || n.Screening.ReviseBy == "" {
		return
	}
	loc := c.Location()
	by, err := time.ParseInLocation("2006-01-02", n.Screening.ReviseBy, loc)
	if err != nil {
		return
	}
	from := by.AddDate(0, 0, -2)
	if now.Before(from) || now.After(ReviseByEnd(n.Screening.ReviseBy, loc)) || !n.Screening.At.Before(from) {
		return
	}
	u, err := a.Store.UserByID(ctx, n.Owner)
	if err != nil {
		return
	}
	body := greeting(u) + fmt.Sprintf("A reminder: your concept note %s, %q, was returned for revision and must be resubmitted by the end of %s (%s).\n\nWhat to change:\n%s\n\nRevise it here:\n%s",
		n.Ref, n.Title, dayOf(n.Screening.ReviseBy), loc.String(), indent(n.Screening.Instructions), a.link("/notes/"+n.ID)) + signOff
	a.queue(ctx, MessageKey(MsgReviseReminder, u.ID, n.ID, n.Screening.ReviseBy), u, c.ID,
		"Reminder: resubmit "+n.Ref+" by "+n.Screening.ReviseBy, body)
}

// reviewReminder queues one reminder to reviewer rid of the notes of c they
// have not submitted a review of, once per call and review due date.
func (a *App) reviewReminder(ctx context.Context, c *store.Call, rid string, list []*store.Note) {
	r, err := a.Store.UserByID(ctx, rid)
	if err != nil {
		return
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Ref < list[j].Ref })
	var lines []string
	for _, n := range list {
		lines = append(lines, fmt.Sprintf("- %s, %q:\n  %s", n.Ref, n.Title, a.link("/notes/"+n.ID+"/review")))
	}
	day := c.ReviewDue.In(c.Location()).Format("2006-01-02")
	body := greeting(r) + fmt.Sprintf("A reminder: reviews for the call %q are due by %s. You have not yet submitted a review of:\n%s",
		c.Title, inZone(*c.ReviewDue, c), strings.Join(lines, "\n")) + signOff
	a.queue(ctx, MessageKey(MsgReviewReminder, r.ID, c.ID, day), r, c.ID,
		fmt.Sprintf("Reminder: %d review(s) due %s", len(list), day), body)
}

// afterNote wraps an operation's result: when it succeeded, queue runs on
// the note it wrote before the result is returned.
func (a *App) afterNote(ctx context.Context, queue func(context.Context, *store.Note)) func(*store.Note, error) (*store.Note, error) {
	return func(n *store.Note, err error) (*store.Note, error) {
		if err == nil {
			queue(ctx, n)
		}
		return n, err
	}
}

// OutboxStates are the states an outbox list may be filtered by.
var OutboxStates = []string{store.MessageQueued, store.MessageSending, store.MessageSent, store.MessageFailed}

// outboxLimit is how many messages one outbox list shows, newest first.
const outboxLimit = 500

// Outbox lists the outbox for a coordinator, newest first (at most 500), in
// one state when state is not empty, with how many match in all.
func (a *App) Outbox(ctx context.Context, u *store.User, state string) ([]*store.Message, int64, error) {
	if !u.Has("coordinator") {
		return nil, 0, denied("only a coordinator reads the outbox")
	}
	if state != "" && !slices.Contains(OutboxStates, state) {
		return nil, 0, &apperr.BadRequest{Message: fmt.Sprintf("state must be one of %s.", strings.Join(OutboxStates, ", "))}
	}
	return a.Store.Messages(ctx, state, outboxLimit)
}
