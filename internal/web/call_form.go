package web

import (
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"cocreate/internal/app"
	"cocreate/internal/apperr"
	"cocreate/internal/enum"
	"cocreate/internal/notes"
	"cocreate/internal/review"
	"cocreate/internal/store"
)

// numberField is a labelled whole-number input keyed like its error ("criteria.problem").
type numberField struct {
	Key, Label, Hint, Value string
}

// callForm is the coordinator's call form exactly as typed, so a page with
// errors shows it back. Times are a date and a time in the call's zone.
type callForm struct {
	Slug, Title, Description, RefPrefix, TimeZone string
	ContactEmail                                  string
	OpensDate, OpensTime, ClosesDate, ClosesTime  string
	PlanStart, PlanEnd                            string
	ReviewersPerNote, MinReviews, ReminderDays    string
	ReviewDue                                     string
	BlindReview, RequiresTraining                 bool
	RequiresVerifiedEmail                         bool
	Weights, Limits                               []numberField
	Version                                       string
}

// limitKeys are the word-limited parts of a note in form order, keyed as a call stores them.
func callLimitKeys() []numberField {
	var out []numberField
	for _, s := range notes.Specs() {
		switch {
		case s.Key == "milestones":
			out = append(out, numberField{Key: "milestone", Label: "Each milestone", Hint: "Deliverable and responsible actor together"})
		case s.Limit > 0:
			out = append(out, numberField{Key: s.Key, Label: s.Label})
		}
	}
	return out
}

// formOfCall fills the form from a stored (or default) call.
func formOfCall(c *store.Call) callForm {
	loc := c.Location()
	f := callForm{Slug: c.Slug, Title: c.Title, Description: c.Description, RefPrefix: c.RefPrefix, TimeZone: c.TimeZone,
		PlanStart: c.PlanStart, PlanEnd: c.PlanEnd, ReviewersPerNote: strconv.Itoa(c.ReviewersPerNote),
		MinReviews: strconv.Itoa(c.MinReviews), ReminderDays: strconv.Itoa(c.ReminderDays),
		BlindReview: c.BlindReview, RequiresTraining: c.RequiresTraining, Version: strconv.Itoa(c.Version),
		ContactEmail: c.ContactEmail}
	f.RequiresVerifiedEmail = c.VerifiedEmailRequired()
	if !c.OpensAt.IsZero() {
		f.OpensDate, f.OpensTime = c.OpensAt.In(loc).Format("2006-01-02"), c.OpensAt.In(loc).Format("15:04")
	}
	if !c.ClosesAt.IsZero() {
		f.ClosesDate, f.ClosesTime = c.ClosesAt.In(loc).Format("2006-01-02"), c.ClosesAt.In(loc).Format("15:04")
	}
	if c.ReviewDue != nil {
		f.ReviewDue = c.ReviewDue.In(loc).Format("2006-01-02")
	}
	weights := map[string]int{}
	for _, cr := range c.Criteria {
		weights[cr.Key] = cr.Weight
	}
	for _, o := range enum.Criteria {
		f.Weights = append(f.Weights, numberField{Key: "criteria." + o.Value, Label: o.Label, Value: strconv.Itoa(weights[o.Value])})
	}
	for _, l := range callLimitKeys() {
		l.Value = strconv.Itoa(c.WordLimits[l.Key])
		l.Key = "word_limits." + l.Key
		f.Limits = append(f.Limits, l)
	}
	return f
}

// newCallForm is the form of a new call: the defaults, with the time zone set.
func newCallForm() callForm {
	f := formOfCall(&store.Call{TimeZone: app.DefaultTimeZone, ReviewersPerNote: 3, MinReviews: 3,
		Criteria: review.DefaultCriteria(), WordLimits: notes.DefaultWordLimits()})
	f.Version = ""
	return f
}

// parseCallForm reads the posted form.
func parseCallForm(c *gin.Context) callForm {
	f := newCallForm()
	f.Slug, f.Title, f.Description = c.PostForm("slug"), c.PostForm("title"), c.PostForm("description")
	f.RefPrefix, f.TimeZone = c.PostForm("ref_prefix"), c.PostForm("time_zone")
	f.ContactEmail = c.PostForm("contact_email")
	f.OpensDate, f.OpensTime = c.PostForm("opens_at_date"), c.PostForm("opens_at_time")
	f.ClosesDate, f.ClosesTime = c.PostForm("closes_at_date"), c.PostForm("closes_at_time")
	f.PlanStart, f.PlanEnd = c.PostForm("plan_start"), c.PostForm("plan_end")
	f.ReviewersPerNote, f.MinReviews = c.PostForm("reviewers_per_note"), c.PostForm("min_reviews")
	f.ReminderDays, f.ReviewDue = c.PostForm("reminder_days"), c.PostForm("review_due")
	f.BlindReview, f.RequiresTraining = c.PostForm("blind_review") != "", c.PostForm("requires_training") != ""
	f.RequiresVerifiedEmail = c.PostForm("requires_verified_email") != ""
	f.Version = c.PostForm("version")
	for i := range f.Weights {
		f.Weights[i].Value = c.PostForm(f.Weights[i].Key)
	}
	for i := range f.Limits {
		f.Limits[i].Value = c.PostForm(f.Limits[i].Key)
	}
	return f
}

// input converts the form to app.CallInput; what cannot be read (a date, a
// whole number) is returned as field messages.
func (f callForm) input() (app.CallInput, apperr.Fields) {
	errs := apperr.Fields{}
	loc, err := time.LoadLocation(strings.TrimSpace(f.TimeZone))
	if err != nil || strings.TrimSpace(f.TimeZone) == "" {
		loc = time.UTC // the zone itself is reported by the app's checks
	}
	in := app.CallInput{Slug: f.Slug, Title: f.Title, Description: f.Description, RefPrefix: f.RefPrefix,
		TimeZone: f.TimeZone, PlanStart: f.PlanStart, PlanEnd: f.PlanEnd, ReviewDue: f.ReviewDue,
		BlindReview: &f.BlindReview, RequiresTraining: &f.RequiresTraining, ContactEmail: f.ContactEmail}
	in.RequiresVerifiedEmail = &f.RequiresVerifiedEmail
	in.OpensAt = zonedInstant(errs, "opens_at", "opening", f.OpensDate, f.OpensTime, loc)
	in.ClosesAt = zonedInstant(errs, "closes_at", "closing", f.ClosesDate, f.ClosesTime, loc)
	in.ReviewersPerNote = wholeField(errs, "reviewers_per_note", "Reviewers per note", f.ReviewersPerNote)
	in.MinReviews = wholeField(errs, "min_reviews", "Minimum reviews", f.MinReviews)
	in.ReminderDays = wholeField(errs, "reminder_days", "Reminder days", f.ReminderDays)
	for _, w := range f.Weights {
		n := wholeField(errs, w.Key, "Weight for "+w.Label, w.Value)
		if n == nil {
			n = new(int)
		}
		in.Criteria = append(in.Criteria, review.Criterion{Key: strings.TrimPrefix(w.Key, "criteria."), Weight: *n})
	}
	in.WordLimits = map[string]int{}
	for _, l := range f.Limits {
		if n := wholeField(errs, l.Key, "The word limit for "+l.Label, l.Value); n != nil {
			in.WordLimits[strings.TrimPrefix(l.Key, "word_limits.")] = *n
		}
	}
	return in, errs
}

// patch is the form as a change to every field of a call.
func (f callForm) patch() (app.CallPatch, apperr.Fields) {
	in, errs := f.input()
	p := app.CallPatch{Slug: &in.Slug, Title: &in.Title, Description: &in.Description, RefPrefix: &in.RefPrefix,
		OpensAt: &in.OpensAt, ClosesAt: &in.ClosesAt, PlanStart: &in.PlanStart, PlanEnd: &in.PlanEnd,
		TimeZone: &in.TimeZone, ReviewersPerNote: in.ReviewersPerNote, MinReviews: in.MinReviews,
		BlindReview: in.BlindReview, Criteria: in.Criteria, WordLimits: in.WordLimits, ReviewDue: &in.ReviewDue,
		ReminderDays: in.ReminderDays, RequiresTraining: in.RequiresTraining, ContactEmail: &in.ContactEmail}
	p.RequiresVerifiedEmail = in.RequiresVerifiedEmail
	if v, err := strconv.Atoi(f.Version); err == nil {
		p.Version = &v
	}
	return p, errs
}

// zonedInstant reads a date (YYYY-MM-DD) and a time (HH:MM) in loc as RFC 3339.
func zonedInstant(errs apperr.Fields, key, what, date, clock string, loc *time.Location) string {
	date, clock = strings.TrimSpace(date), strings.TrimSpace(clock)
	if date == "" || clock == "" {
		errs[key] = "Enter the " + what + " date and time"
		return ""
	}
	if len(clock) == 8 { // browsers may add seconds
		clock = clock[:5]
	}
	t, err := time.ParseInLocation("2006-01-02 15:04", date+" "+clock, loc)
	if err != nil {
		errs[key] = "Enter the " + what + " date as YYYY-MM-DD and the time as HH:MM, like 2026-07-01 and 17:00"
		return ""
	}
	return t.Format(time.RFC3339)
}

// wholeField reads a whole number; nil (and a message) when it is not one.
func wholeField(errs apperr.Fields, key, label, v string) *int {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil {
		errs[key] = label + " must be a whole number"
		return nil
	}
	return &n
}

// mergeErrors lays the form's own messages over the app's: they name the first thing to fix.
func mergeErrors(appErrs, formErrs apperr.Fields) apperr.Fields {
	out := apperr.Fields{}
	for k, v := range appErrs {
		out[k] = v
	}
	for k, v := range formErrs {
		out[k] = v
	}
	return out
}

// callErrorKeys orders a form's messages as the fields appear on it.
func callErrorKeys(f callForm, errs apperr.Fields) []string {
	order := []string{"form", "title", "slug", "description", "ref_prefix", "contact_email", "time_zone", "opens_at", "closes_at",
		"plan_start", "plan_end", "criteria"}
	for _, w := range f.Weights {
		order = append(order, w.Key)
	}
	order = append(order, "reviewers_per_note", "min_reviews", "review_due", "reminder_days")
	for _, l := range f.Limits {
		order = append(order, l.Key)
	}
	var keys []string
	seen := map[string]bool{}
	for _, k := range order {
		if errs[k] != "" {
			keys, seen[k] = append(keys, k), true
		}
	}
	for k := range errs {
		if !seen[k] {
			keys = append(keys, k)
		}
	}
	return keys
}
