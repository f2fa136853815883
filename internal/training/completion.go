package training

import "time"

// Modes a participant registers for a session in.
const (
	ModeOnline   = "online"
	ModeInPerson = "in_person"
)

// Attendance is what is known of one participant at one session: the
// mode they registered, the minutes an imported report gave them online,
// and whether they were checked in at the venue. Each is its own fact,
// written on its own.
type Attendance struct {
	ID        string    `bson:"_id" json:"-"` // AttendanceID(session, user)
	CallID    string    `bson:"call_id" json:"-"`
	SessionID string    `bson:"session_id" json:"session_id"`
	UserID    string    `bson:"user_id" json:"user_id"`
	Mode      string    `bson:"mode,omitempty" json:"mode,omitempty"`
	Minutes   int       `bson:"minutes" json:"minutes"`
	CheckedIn bool      `bson:"checked_in" json:"checked_in"`
	UpdatedAt time.Time `bson:"updated_at" json:"-"`
}

// AttendanceID is the _id of a participant's attendance at a session, so
// that reading it is an _id look-up.
func AttendanceID(sessionID, userID string) string { return sessionID + ":" + userID }

// Present reports whether a counts as present at s: checked in at the
// venue, or online for at least the session's minimum minutes.
func Present(s Session, a Attendance) bool {
	min := s.MinMinutes
	if min <= 0 {
		min = DefaultMinMinutes
	}
	return a.CheckedIn || a.Minutes >= min
}

// Completion is where a participant stands in a programme.
type Completion struct {
	Complete bool
	Missing  []Session // sessions not attended, in programme order
	Attended []Session
}

// Complete says whether the participant whose attendance is by (keyed by
// session id) was present at every session of p, whatever the mode of
// each. A programme with no sessions cannot be completed.
func Complete(p *Programme, by map[string]Attendance) Completion {
	var c Completion
	for _, s := range p.Sessions {
		if a, ok := by[s.ID]; ok && Present(s, a) {
			c.Attended = append(c.Attended, s)
		} else {
			c.Missing = append(c.Missing, s)
		}
	}
	c.Complete = len(p.Sessions) > 0 && len(c.Missing) == 0
	return c
}

// CompletedAt is when a participant who completed p did so: the end of
// its last session.
func CompletedAt(p *Programme) time.Time {
	var last time.Time
	for _, s := range p.Sessions {
		if e := s.EndsAt(); e.After(last) {
			last = e
		}
	}
	return last
}
