package web

import (
	"strconv"
	"time"

	"cocreate/internal/store"
)

// callCountdown says in words where the call stands at now: "opens in 2
// days", "closes in 3 days", "closes in 5 hours", "closed 4 days ago". Spans
// are rounded down, so a countdown never promises more time than is left.
func callCountdown(now time.Time, c *store.Call) string {
	switch c.Status(now) {
	case "upcoming":
		return "opens in " + span(c.OpensAt.Sub(now))
	case "open":
		return "closes in " + span(c.ClosesAt.Sub(now))
	}
	return "closed " + span(now.Sub(c.ClosesAt)) + " ago"
}

// span names a duration in its largest whole unit.
func span(d time.Duration) string {
	switch {
	case d >= 24*time.Hour:
		return countOf(int(d/(24*time.Hour)), "day")
	case d >= time.Hour:
		return countOf(int(d/time.Hour), "hour")
	case d >= time.Minute:
		return countOf(int(d/time.Minute), "minute")
	}
	return "less than a minute"
}

func countOf(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return strconv.Itoa(n) + " " + unit + "s"
}

// callStatusLabel is a call's status in words, for tags (shown beside a colour, never by colour alone).
var callStatusLabel = map[string]string{"upcoming": "Opens soon", "open": "Open", "closed": "Closed"}

// callStatusTag is the tag colour class of a status.
var callStatusTag = map[string]string{"upcoming": "tag-blue", "open": "tag-green", "closed": "tag-grey"}
