// Package training is the training programme that precedes a call: its
// sessions, who attended them, the rule that makes a participant complete,
// the attendance importer for webinar platforms' spreadsheets, certificates
// of completion, calendar files and the files of the resource library.
// It knows nothing of the database: the store persists these types and the
// app runs the operations.
package training

import (
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"
)

// DefaultMinMinutes is the minutes online that count as present when a
// session names no minimum.
const DefaultMinMinutes = 60

// Programme is the training programme of one call (stored under the call's id).
type Programme struct {
	CallID   string    `bson:"_id" json:"-"`
	Title    string    `bson:"title" json:"title"`
	Issuers  string    `bson:"issuers" json:"issuers"` // the issuing bodies, as printed on certificates
	Sessions []Session `bson:"sessions" json:"sessions"`
	// Mapping is the column mapping the coordinator last chose for an
	// attendance report: the next import offers it again.
	Mapping   *Mapping  `bson:"mapping,omitempty" json:"-"`
	Version   int       `bson:"version" json:"version"`
	UpdatedAt time.Time `bson:"updated_at" json:"-"`
}

// Session is one session of a programme. StartsAt is an instant; pages
// show it in the call's zone.
type Session struct {
	ID          string     `bson:"id" json:"id"`
	Title       string     `bson:"title" json:"title"`
	StartsAt    time.Time  `bson:"starts_at" json:"starts_at"`
	Minutes     int        `bson:"minutes" json:"minutes"` // duration
	Venue       string     `bson:"venue" json:"venue"`
	OnlineURL   string     `bson:"online_url" json:"online_url"`
	Experts     string     `bson:"experts" json:"experts"`
	Topics      string     `bson:"topics" json:"topics"`
	Description string     `bson:"description" json:"description"`
	MinMinutes  int        `bson:"min_minutes" json:"min_minutes"` // minutes online that count as present
	Resources   []Resource `bson:"resources,omitempty" json:"resources"`
}

// EndsAt is when the session ends.
func (s Session) EndsAt() time.Time { return s.StartsAt.Add(time.Duration(s.Minutes) * time.Minute) }

// Resource is one item of a session's library: a link, or a file kept in
// the database (FileID names it).
type Resource struct {
	ID     string `bson:"id" json:"id"`
	Title  string `bson:"title" json:"title"`
	URL    string `bson:"url,omitempty" json:"url,omitempty"`
	FileID string `bson:"file_id,omitempty" json:"-"`
	Kind   string `bson:"kind,omitempty" json:"kind,omitempty"` // a file's kind: "pdf", "pptx", "ppt", "odp"
	Size   int64  `bson:"size,omitempty" json:"size,omitempty"`
}

// Session returns the session with id.
func (p *Programme) Session(id string) (Session, bool) {
	for _, s := range p.Sessions {
		if s.ID == id {
			return s, true
		}
	}
	return Session{}, false
}

// Problems are what is wrong with a programme, keyed by field: "title",
// "issuers", or "sessions.N.field" for the N-th session (from 0).
type Problems map[string]string

// Limits of a programme's texts.
const (
	maxTitle    = 200
	maxText     = 4000
	maxSessions = 50
)

// Validate trims p's texts, fills the defaults (minimum minutes) and
// reports what is wrong; nil when nothing is.
func (p *Programme) Validate() Problems {
	pr := Problems{}
	p.Title = strings.TrimSpace(p.Title)
	p.Issuers = strings.TrimSpace(p.Issuers)
	checkText(pr, "title", p.Title, maxTitle, true)
	checkText(pr, "issuers", p.Issuers, maxText, false)
	if len(p.Sessions) > maxSessions {
		pr["sessions"] = fmt.Sprintf("A programme has at most %d sessions", maxSessions)
	}
	seen := map[string]bool{}
	for i := range p.Sessions {
		s := &p.Sessions[i]
		key := func(f string) string { return fmt.Sprintf("sessions.%d.%s", i, f) }
		for _, t := range []*string{&s.Title, &s.Venue, &s.OnlineURL, &s.Experts, &s.Topics, &s.Description} {
			*t = strings.TrimSpace(*t)
		}
		checkText(pr, key("title"), s.Title, maxTitle, true)
		checkText(pr, key("venue"), s.Venue, maxTitle, false)
		checkText(pr, key("experts"), s.Experts, maxText, false)
		checkText(pr, key("topics"), s.Topics, maxText, false)
		checkText(pr, key("description"), s.Description, maxText, false)
		if s.OnlineURL != "" {
			if u, err := url.Parse(s.OnlineURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(s.OnlineURL) > 2000 {
				pr[key("online_url")] = "Online link must be a web address starting with https://"
			}
		}
		if s.StartsAt.IsZero() {
			pr[key("starts_at")] = "Enter the date and time the session starts"
		} else if y := s.StartsAt.UTC().Year(); y < 2000 || y > 2100 {
			pr[key("starts_at")] = "The start must be a date between 2000 and 2100"
		}
		if s.Minutes < 1 || s.Minutes > 24*60 {
			pr[key("minutes")] = "Duration must be between 1 and 1440 minutes"
		}
		if s.MinMinutes == 0 {
			s.MinMinutes = DefaultMinMinutes
			if s.Minutes > 0 && s.Minutes < DefaultMinMinutes {
				s.MinMinutes = s.Minutes
			}
		}
		if s.MinMinutes < 1 || (s.Minutes > 0 && s.MinMinutes > s.Minutes) {
			pr[key("min_minutes")] = "Minimum minutes must be between 1 and the session's duration"
		}
		if s.ID == "" || seen[s.ID] {
			pr[key("id")] = "Each session needs its own id"
		}
		seen[s.ID] = true
	}
	if len(pr) == 0 {
		return nil
	}
	return pr
}

func checkText(pr Problems, key, v string, max int, required bool) {
	switch {
	case required && v == "":
		pr[key] = "Enter " + strings.ReplaceAll(key[strings.LastIndex(key, ".")+1:], "_", " ")
	case !utf8.ValidString(v):
		pr[key] = "Text must be valid UTF-8"
	case utf8.RuneCountInString(v) > max:
		pr[key] = fmt.Sprintf("At most %d characters", max)
	}
}
