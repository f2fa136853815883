package app

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"cocreate/internal/apperr"
	"cocreate/internal/enum"
	"cocreate/internal/notes"
	"cocreate/internal/review"
	"cocreate/internal/store"
)

// DefaultTimeZone is the zone of a call that names none.
const DefaultTimeZone = "America/Belize"

// CallInput is the body of POST /api/v1/calls and what the create form
// gives. Times are RFC 3339 (pages convert their date and time fields from
// the call's zone first); months are YYYY-MM. Nil and empty fields take
// their defaults.
type CallInput struct {
	Slug             string             `json:"slug"`
	Title            string             `json:"title"`
	Description      string             `json:"description"`
	RefPrefix        string             `json:"ref_prefix"`
	OpensAt          string             `json:"opens_at"`
	ClosesAt         string             `json:"closes_at"`
	PlanStart        string             `json:"plan_start"`
	PlanEnd          string             `json:"plan_end"`
	TimeZone         string             `json:"time_zone"`
	ReviewersPerNote *int               `json:"reviewers_per_note"`
	MinReviews       *int               `json:"min_reviews"`
	BlindReview      *bool              `json:"blind_review"`
	Criteria         []review.Criterion `json:"criteria"`
	WordLimits       map[string]int     `json:"word_limits"`
	ReviewDue        string             `json:"review_due"` // RFC 3339, or YYYY-MM-DD meaning the end of that day in the call's zone
	ReminderDays     *int               `json:"reminder_days"`
	RequiresTraining *bool              `json:"requires_training"`
	ContactEmail     string             `json:"contact_email"` // the coordinator's address for questions; optional
	// RequiresVerifiedEmail is on when not given.
	RequiresVerifiedEmail *bool `json:"requires_verified_email"`
}

// CallPatch is the body of PATCH /api/v1/calls/{id}: nil fields stay as
// they are. Version, when given, must be the call's current version.
type CallPatch struct {
	Slug                  *string            `json:"slug"`
	Title                 *string            `json:"title"`
	Description           *string            `json:"description"`
	RefPrefix             *string            `json:"ref_prefix"`
	OpensAt               *string            `json:"opens_at"`
	ClosesAt              *string            `json:"closes_at"`
	PlanStart             *string            `json:"plan_start"`
	PlanEnd               *string            `json:"plan_end"`
	TimeZone              *string            `json:"time_zone"`
	ReviewersPerNote      *int               `json:"reviewers_per_note"`
	MinReviews            *int               `json:"min_reviews"`
	BlindReview           *bool              `json:"blind_review"`
	Criteria              []review.Criterion `json:"criteria"`
	WordLimits            map[string]int     `json:"word_limits"`
	ReviewDue             *string            `json:"review_due"` // "" clears it
	ReminderDays          *int               `json:"reminder_days"`
	RequiresTraining      *bool              `json:"requires_training"`
	RequiresVerifiedEmail *bool              `json:"requires_verified_email"`
	ContactEmail          *string            `json:"contact_email"` // "" clears it
	Version               *int               `json:"version"`
}

var (
	slugRe   = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	prefixRe = regexp.MustCompile(`^[A-Z0-9]{2,12}$`)
)

// callDraft is a call being built from input: the parsed call plus the raw
// texts of the fields that need the call's zone to be read.
type callDraft struct {
	c                *store.Call
	opens, closes    string
	reviewDue        string
	reviewDueTouched bool
	errs             apperr.Fields
}

// CreateCall validates in and stores a new call (coordinator only). A taken
// slug is a 409 duplicate naming the slug field.
func (a *App) CreateCall(ctx context.Context, by *store.User, in CallInput) (*store.Call, error) {
	if !by.Has("coordinator") {
		return nil, fmt.Errorf("create call: %w", apperr.ErrForbidden)
	}
	d := draftFromInput(in)
	if err := d.finish(); err != nil {
		return nil, err
	}
	if err := a.Store.CreateCall(ctx, d.c); err != nil {
		return nil, slugTaken(fmt.Errorf("create call %s: %w", d.c.Slug, err))
	}
	return d.c, nil
}

// CheckCallInput returns what CreateCall would refuse in in, storing
// nothing, so a form can list every problem at once beside its own.
func CheckCallInput(in CallInput) apperr.Fields {
	return fieldsOf(draftFromInput(in).finish())
}

// CheckCallPatch returns what UpdateCall would refuse in p applied to c, storing nothing.
func CheckCallPatch(c *store.Call, p CallPatch) apperr.Fields {
	return fieldsOf(draftFromPatch(c, p).finish())
}

func fieldsOf(err error) apperr.Fields {
	var f apperr.Fields
	if errors.As(err, &f) {
		return f
	}
	return apperr.Fields{}
}

// draftFromInput applies the defaults and in to a new call.
func draftFromInput(in CallInput) *callDraft {
	c := &store.Call{TimeZone: DefaultTimeZone, ReviewersPerNote: 3, MinReviews: 3,
		Criteria: review.DefaultCriteria(), WordLimits: notes.DefaultWordLimits()}
	d := &callDraft{c: c, opens: in.OpensAt, closes: in.ClosesAt, reviewDue: in.ReviewDue, reviewDueTouched: true, errs: apperr.Fields{}}
	c.Slug, c.Title, c.Description, c.RefPrefix = in.Slug, in.Title, in.Description, in.RefPrefix
	c.PlanStart, c.PlanEnd = in.PlanStart, in.PlanEnd
	c.ContactEmail = in.ContactEmail
	if strings.TrimSpace(in.TimeZone) != "" {
		c.TimeZone = in.TimeZone
	}
	setInt(&c.ReviewersPerNote, in.ReviewersPerNote)
	setInt(&c.MinReviews, in.MinReviews)
	setInt(&c.ReminderDays, in.ReminderDays)
	setBool(&c.BlindReview, in.BlindReview)
	setBool(&c.RequiresTraining, in.RequiresTraining)
	c.RequiresVerifiedEmail = ptr(in.RequiresVerifiedEmail == nil || *in.RequiresVerifiedEmail)
	d.criteria(in.Criteria)
	d.limits(in.WordLimits)
	return d
}

// UpdateCall applies p to call id (coordinator only) and validates the
// result as a whole.
func (a *App) UpdateCall(ctx context.Context, by *store.User, id string, p CallPatch) (*store.Call, error) {
	if !by.Has("coordinator") {
		return nil, fmt.Errorf("update call: %w", apperr.ErrForbidden)
	}
	old, err := a.CallByKey(ctx, id)
	if err != nil {
		return nil, err
	}
	if p.Version != nil && *p.Version != old.Version {
		return nil, fmt.Errorf("update call %s: %w", old.Slug, apperr.ErrStaleVersion)
	}
	d := draftFromPatch(old, p)
	if err := d.finish(); err != nil {
		return nil, err
	}
	out, err := a.Store.UpdateCall(ctx, old.ID, old.Version, d.c)
	if err != nil {
		return nil, slugTaken(fmt.Errorf("update call %s: %w", old.Slug, err))
	}
	return out, nil
}

// draftFromPatch applies p to a copy of old.
func draftFromPatch(old *store.Call, p CallPatch) *callDraft {
	c := *old
	c.Criteria = append([]review.Criterion(nil), old.Criteria...)
	c.WordLimits = map[string]int{}
	for k, v := range old.WordLimits {
		c.WordLimits[k] = v
	}
	d := &callDraft{c: &c, opens: rfc(old.OpensAt), closes: rfc(old.ClosesAt), errs: apperr.Fields{}}
	if old.ReviewDue != nil {
		d.reviewDue = rfc(*old.ReviewDue)
	}
	setString(&c.Slug, p.Slug)
	setString(&c.Title, p.Title)
	setString(&c.Description, p.Description)
	setString(&c.RefPrefix, p.RefPrefix)
	setString(&d.opens, p.OpensAt)
	setString(&d.closes, p.ClosesAt)
	setString(&c.PlanStart, p.PlanStart)
	setString(&c.PlanEnd, p.PlanEnd)
	setString(&c.TimeZone, p.TimeZone)
	setString(&c.ContactEmail, p.ContactEmail)
	if p.ReviewDue != nil {
		d.reviewDue, d.reviewDueTouched = *p.ReviewDue, true
	}
	setInt(&c.ReviewersPerNote, p.ReviewersPerNote)
	setInt(&c.MinReviews, p.MinReviews)
	setInt(&c.ReminderDays, p.ReminderDays)
	setBool(&c.BlindReview, p.BlindReview)
	setBool(&c.RequiresTraining, p.RequiresTraining)
	if p.RequiresVerifiedEmail != nil {
		c.RequiresVerifiedEmail = ptr(*p.RequiresVerifiedEmail)
	}
	if p.Criteria != nil {
		d.criteria(p.Criteria)
	}
	if p.WordLimits != nil {
		d.limits(p.WordLimits)
	}
	return d
}

// CallByKey returns the call with that id or, failing that, that slug.
func (a *App) CallByKey(ctx context.Context, key string) (*store.Call, error) {
	c, err := a.Store.CallByID(ctx, key)
	if errors.Is(err, apperr.ErrNotFound) {
		return a.Store.CallBySlug(ctx, key)
	}
	return c, err
}

// Calls returns every call, newest opening first.
func (a *App) Calls(ctx context.Context) ([]*store.Call, error) {
	return a.Store.ListCalls(ctx)
}

// slugTaken turns a duplicate-key error into a 409 naming the slug field.
func slugTaken(err error) error {
	if errors.Is(err, apperr.ErrDuplicate) {
		return &apperr.Conflict{Code: "duplicate", Message: "Another call already uses this short name (slug).",
			Extra: map[string]any{"fields": map[string]string{"slug": "Another call already uses this short name: choose a different one"}}}
	}
	return err
}

func rfc(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func setString(dst *string, v *string) {
	if v != nil {
		*dst = *v
	}
}

func setInt(dst *int, v *int) {
	if v != nil {
		*dst = *v
	}
}

func setBool(dst *bool, v *bool) {
	if v != nil {
		*dst = *v
	}
}

// criteria replaces the rubric with in, filling labels from the defaults.
func (d *callDraft) criteria(in []review.Criterion) {
	if in == nil {
		return
	}
	out := make([]review.Criterion, len(in))
	for i, cr := range in {
		cr.Key = strings.TrimSpace(cr.Key)
		if strings.TrimSpace(cr.Label) == "" {
			cr.Label = enum.Criteria.Label(cr.Key)
		}
		out[i] = cr
	}
	// Keep the rubric in its usual order whatever order it was sent in.
	order := map[string]int{}
	for i, o := range enum.Criteria {
		order[o.Value] = i
	}
	sort.SliceStable(out, func(i, j int) bool { return order[out[i].Key] < order[out[j].Key] })
	d.c.Criteria = out
}

// limits merges in over the current word limits; unknown keys and limits
// below 1 are errors.
func (d *callDraft) limits(in map[string]int) {
	known := notes.DefaultWordLimits()
	for k, v := range in {
		if _, ok := known[k]; !ok {
			d.errs["word_limits."+k] = fmt.Sprintf("%q has no word limit: choose from %s", k, strings.Join(limitKeys(), ", "))
			continue
		}
		if v < 1 {
			d.errs["word_limits."+k] = fmt.Sprintf("The word limit for %s must be a whole number of 1 or more", notes.Label(k))
		}
		d.c.WordLimits[k] = v
	}
}

// limitKeys are the keys a call may set a word limit for, sorted.
func limitKeys() []string {
	var keys []string
	for k := range notes.DefaultWordLimits() {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// finish checks every rule of a call and parses its times; nil when the
// call may be stored.
func (d *callDraft) finish() error {
	c, errs := d.c, d.errs
	c.Slug = strings.TrimSpace(c.Slug)
	c.Title = strings.TrimSpace(c.Title)
	c.Description = strings.TrimSpace(c.Description)
	c.RefPrefix = strings.TrimSpace(c.RefPrefix)
	c.TimeZone = strings.TrimSpace(c.TimeZone)
	switch {
	case c.Slug == "":
		errs["slug"] = "Enter a short name for the web address, like belize-2020"
	case len(c.Slug) > 60 || !slugRe.MatchString(c.Slug):
		errs["slug"] = "Short name must be 60 characters or fewer: lower-case letters, digits and single hyphens, like belize-2020"
	}
	checkText(errs, "title", "title", c.Title, true, 200)
	checkText(errs, "description", "description", c.Description, false, 20000)
	switch {
	case c.RefPrefix == "":
		errs["ref_prefix"] = "Enter a reference prefix, like BZ2020"
	case !prefixRe.MatchString(c.RefPrefix):
		errs["ref_prefix"] = "Reference prefix must be 2 to 12 capital letters or digits, like BZ2020"
	}
	loc, err := time.LoadLocation(c.TimeZone)
	if c.TimeZone == "" || c.TimeZone == "Local" || err != nil {
		errs["time_zone"] = "Choose a time zone by its name, like America/Belize"
		loc = time.UTC
	}
	c.OpensAt = parseInstant(errs, "opens_at", "opening time", d.opens)
	c.ClosesAt = parseInstant(errs, "closes_at", "closing time", d.closes)
	if errs["opens_at"] == "" && errs["closes_at"] == "" && !c.ClosesAt.After(c.OpensAt) {
		errs["closes_at"] = "The closing time must be after the opening time"
	}
	checkMonth(errs, "plan_start", "plan start", c.PlanStart)
	checkMonth(errs, "plan_end", "plan end", c.PlanEnd)
	if errs["plan_start"] == "" && errs["plan_end"] == "" && c.PlanEnd <= c.PlanStart {
		errs["plan_end"] = "The plan must end after it starts: choose an end month after " + c.PlanStart
	}
	checkContact(errs, c)
	checkRange(errs, "reviewers_per_note", "Reviewers per note", c.ReviewersPerNote, 1, 20)
	checkRange(errs, "min_reviews", "Minimum reviews", c.MinReviews, 1, 20)
	if errs["min_reviews"] == "" && errs["reviewers_per_note"] == "" && c.MinReviews > c.ReviewersPerNote {
		errs["min_reviews"] = fmt.Sprintf("Minimum reviews cannot be more than the reviewers per note (%d)", c.ReviewersPerNote)
	}
	checkRange(errs, "reminder_days", "Reminder days", c.ReminderDays, 0, 60)
	for k, v := range review.ValidateWeights(c.Criteria) {
		if k == "criteria" {
			errs["criteria"] = v
		} else {
			errs["criteria."+k] = v
		}
	}
	if d.reviewDueTouched {
		c.ReviewDue = nil
		if s := strings.TrimSpace(d.reviewDue); s != "" {
			if day, err := time.ParseInLocation("2006-01-02", s, loc); err == nil {
				t := ReviseByEnd(day.Format("2006-01-02"), loc).UTC().Truncate(time.Second)
				c.ReviewDue = &t
			} else if t, err := time.Parse(time.RFC3339, s); err == nil {
				t = t.UTC().Truncate(time.Millisecond)
				c.ReviewDue = &t
			} else {
				errs["review_due"] = "Enter the review due date as YYYY-MM-DD"
			}
		}
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

// parseInstant reads an RFC 3339 time into UTC, recording a message under key when it cannot.
// A call's opening and closing times fall in these years: anything else is
// a typing slip (year 0, 20260) that would make countdowns and sorting absurd.
const (
	minCallYear = 2000
	maxCallYear = 2199
)

func parseInstant(errs apperr.Fields, key, label, s string) time.Time {
	s = strings.TrimSpace(s)
	if s == "" {
		errs[key] = "Enter the " + label
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		errs[key] = "Enter the " + label + " as a date and time, like 2020-03-02T17:00:00-06:00"
		return time.Time{}
	}
	if y := t.UTC().Year(); y < minCallYear || y > maxCallYear {
		errs[key] = fmt.Sprintf("Enter a %s from the year %d to %d", label, minCallYear, maxCallYear)
		return time.Time{}
	}
	return t.UTC().Truncate(time.Millisecond)
}

func checkMonth(errs apperr.Fields, key, label, v string) {
	switch {
	case strings.TrimSpace(v) == "":
		errs[key] = "Enter the " + label + " month as YYYY-MM"
	case !notes.ValidMonth(v):
		errs[key] = "Enter the " + label + " as a real month written YYYY-MM, like 2020-09"
	}
}

// checkContact normalises the call's contact address and checks it is one
// address people can write to (it is shown on public pages as a mailto link).
func checkContact(errs apperr.Fields, c *store.Call) {
	c.ContactEmail = strings.TrimSpace(c.ContactEmail)
	if c.ContactEmail == "" {
		return
	}
	// U+FFFD stands for bytes that were not text: never part of a real address.
	if e := store.NormalizeEmail(c.ContactEmail); validEmail(e) && !strings.ContainsRune(e, utf8.RuneError) {
		c.ContactEmail = e
		return
	}
	errs["contact_email"] = "Enter the coordinator's e-mail address in the form name@example.org, or leave it empty"
}

func checkRange(errs apperr.Fields, key, label string, v, lo, hi int) {
	if v < lo || v > hi {
		errs[key] = fmt.Sprintf("%s must be a whole number from %d to %d", label, lo, hi)
	}
}
