package web

import (
	"net/url"
	"strings"
	"unicode"
)

// safeNext keeps a post-sign-in redirect on this site: a path that starts
// with one slash, with no control character, space or backslash anywhere
// (browsers drop tabs and newlines and read a backslash as a slash, so
// "/\t/evil.example" or "/\\evil.example" would leave the site), and that
// parses as a path with no scheme or host. Anything else goes home.
func safeNext(p string) string {
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || len(p) > 2000 {
		return "/"
	}
	for _, r := range p {
		if r == ' ' || r == '\\' || !unicode.IsPrint(r) { // IsPrint is false for control characters and spaces but ' '
			return "/"
		}
	}
	u, err := url.Parse(p)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || !strings.HasPrefix(u.Path, "/") || strings.HasPrefix(u.Path, "//") {
		return "/"
	}
	return p
}
