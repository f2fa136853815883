// Package export writes cocreate's workbooks and CSV files: the scored
// shortlist a steering committee takes to its meeting, and the offline
// scoring sheet a reviewer fills in and uploads again (which it also reads
// back). Writers are fed by iterators and know nothing of HTTP or the
// database: the caller gathers the rows, the writers lay them out.
package export

import (
	"strings"
	"unicode/utf8"
)

// formulaLead reports whether text starts with a character a spreadsheet
// may take as the start of a formula (or of a DDE payload): = + - @, tab or
// carriage return.
func formulaLead(s string) bool {
	if s == "" {
		return false
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return true
	}
	return false
}

// csvSafe is s as a CSV field that no spreadsheet evaluates: text with a
// formula lead gets an apostrophe in front, which spreadsheets read as
// "this is text" (OWASP's advice for CSV injection).
func csvSafe(s string) string {
	if formulaLead(s) {
		return "'" + s
	}
	return s
}

// maxCell is the most characters an Excel cell holds.
const maxCell = 32767

// cellText caps s at maxCell bytes (fewer characters), on a rune boundary.
func cellText(s string) string {
	if len(s) <= maxCell {
		return s
	}
	cut := maxCell
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut]
}

// colName is the letter name of a 1-based column (1 → A, 27 → AA).
func colName(n int) string {
	var b []byte
	for n > 0 {
		n--
		b = append([]byte{byte('A' + n%26)}, b...)
		n /= 26
	}
	return string(b)
}

// lines estimates how many lines s takes wrapped in a column of width
// characters, for row heights (spreadsheets do not grow streamed rows).
func lines(s string, width float64) int {
	w := int(width * 1.1)
	if w < 1 {
		w = 1
	}
	n := 0
	for {
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			return n + 1 + utf8.RuneCountInString(s)/w
		}
		n += 1 + utf8.RuneCountInString(s[:i])/w
		s = s[i+1:]
	}
}
