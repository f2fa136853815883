package training

import (
	"strings"
	"time"
)

// Calendar writes the programme's sessions as an iCalendar file (RFC
// 5545): CRLF line ends, lines folded at 75 octets, text escaped, times
// in UTC. uidHost makes each event's UID unique to this service; link is
// the programme page, put in each event.
func Calendar(p *Programme, callTitle, uidHost, link string, now time.Time) []byte {
	var b strings.Builder
	line := func(s string) {
		// Fold at 75 octets without splitting a UTF-8 sequence.
		for len(s) > 75 {
			cut := 75
			for cut > 1 && s[cut]&0xC0 == 0x80 {
				cut--
			}
			b.WriteString(s[:cut] + "\r\n")
			s = " " + s[cut:]
		}
		b.WriteString(s + "\r\n")
	}
	stamp := now.UTC().Format("20060102T150405Z")
	line("BEGIN:VCALENDAR")
	line("VERSION:2.0")
	line("PRODID:-//cocreate//training programme//EN")
	line("CALSCALE:GREGORIAN")
	line("METHOD:PUBLISH")
	line("X-WR-CALNAME:" + escapeText(p.Title))
	for _, s := range p.Sessions {
		line("BEGIN:VEVENT")
		line("UID:" + escapeText(s.ID+"@"+uidHost)) // a session's id is unique and names its call
		line("DTSTAMP:" + stamp)
		line("DTSTART:" + s.StartsAt.UTC().Format("20060102T150405Z"))
		line("DTEND:" + s.EndsAt().UTC().Format("20060102T150405Z"))
		line("SUMMARY:" + escapeText(s.Title))
		desc := []string{p.Title + " (" + callTitle + ")"}
		for _, part := range []struct{ label, v string }{{"Topics", s.Topics}, {"Experts", s.Experts}, {"", s.Description}, {"Online", s.OnlineURL}} {
			if part.v != "" {
				if part.label != "" {
					desc = append(desc, part.label+": "+part.v)
				} else {
					desc = append(desc, part.v)
				}
			}
		}
		desc = append(desc, link)
		line("DESCRIPTION:" + escapeText(strings.Join(desc, "\n")))
		if s.Venue != "" {
			line("LOCATION:" + escapeText(s.Venue))
		}
		if link != "" {
			line("URL:" + link)
		}
		line("END:VEVENT")
	}
	line("END:VCALENDAR")
	return []byte(b.String())
}

// escapeText escapes an RFC 5545 TEXT value: backslash, semicolon, comma
// and new lines; other control characters are dropped.
func escapeText(s string) string {
	var b strings.Builder
	for _, r := range strings.ReplaceAll(s, "\r\n", "\n") {
		switch {
		case r == '\\' || r == ';' || r == ',':
			b.WriteRune('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r < 0x20 || r == 0x7f:
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
