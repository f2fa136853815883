package training

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// Mapping says which columns of an attendance report hold what, by the
// text of their header cells (as the platform wrote them: "User Email",
// "Attendee Email", "Duration (Minutes)"...). Name is optional.
type Mapping struct {
	Email   string `bson:"email" json:"email"`
	Name    string `bson:"name" json:"name"`
	Minutes string `bson:"minutes" json:"minutes"`
}

// Limits of an attendance report.
const (
	MaxRows       = 100000 // rows of one report
	maxCell       = 1000   // characters of one cell
	headerScan    = 30     // rows searched for the header row (platforms put meeting details above it)
	progressEvery = 250    // rows between two progress reports
)

// FileError is a report that cannot be read at all; Text is the sentence a
// coordinator reads.
type FileError struct{ Text string }

// Error is the text for the log.
func (e *FileError) Error() string { return e.Text }

// ErrNoHeader is returned when no row holds the mapped column headers.
var ErrNoHeader = errors.New("no header row")

// ReadRows reads the cells of an attendance report: an xlsx workbook's
// first sheet that has rows, or a CSV file (comma, semicolon or tab
// separated; UTF-8 with or without a byte-order mark, or UTF-16 with one).
// Other encodings are refused with a *FileError rather than guessed, so
// that no name is silently mangled.
func ReadRows(data []byte) ([][]string, error) {
	switch {
	case len(data) == 0:
		return nil, &FileError{"The file is empty."}
	case bytes.HasPrefix(data, []byte("PK\x03\x04")):
		return readXLSX(data)
	case bytes.HasPrefix(data, []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}):
		return nil, &FileError{"This is an old Excel (.xls) file: save it as .xlsx or as CSV UTF-8 and upload it again."}
	case bytes.HasPrefix(data, []byte("%PDF-")):
		return nil, &FileError{"This is a PDF: upload the attendance report as the platform exports it, .xlsx or .csv."}
	}
	text, err := decodeText(data)
	if err != nil {
		return nil, err
	}
	return readCSV(text)
}

func readXLSX(data []byte) ([][]string, error) {
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: 200 << 20, UnzipXMLSizeLimit: 100 << 20})
	if err != nil {
		return nil, &FileError{"The file could not be read as an Excel workbook (.xlsx). Save it again from Excel or LibreOffice, or export it as CSV."}
	}
	defer f.Close()
	for _, sheet := range f.GetSheetList() {
		rows, err := f.GetRows(sheet)
		if err != nil {
			return nil, &FileError{"The workbook's sheet " + strconv.Quote(sheet) + " could not be read."}
		}
		if len(rows) > 0 {
			for _, r := range rows {
				for _, c := range r {
					if !utf8.ValidString(c) {
						return nil, &FileError{"The workbook holds text that is not valid Unicode."}
					}
				}
			}
			return rows, nil
		}
	}
	return nil, &FileError{"The workbook has no rows."}
}

// decodeText returns data as UTF-8 text, without a byte-order mark.
func decodeText(data []byte) (string, error) {
	switch {
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		data = data[3:]
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}), bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		dec := unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder()
		out, _, err := transform.Bytes(dec, data)
		if err != nil || !utf8.Valid(out) {
			return "", &FileError{"The file says it is UTF-16 but could not be read as such: export it again as CSV UTF-8."}
		}
		data = out
	case bytes.IndexByte(data, 0) >= 0 && looksUTF16(data):
		return "", &FileError{"The file looks like UTF-16 text without a byte-order mark: export it again as CSV UTF-8 (in Excel: Save As, CSV UTF-8)."}
	case bytes.IndexByte(data, 0) >= 0:
		return "", &FileError{"The file is neither a spreadsheet (.xlsx) nor text (.csv): upload the attendance report as the platform exports it."}
	}
	if !utf8.Valid(data) {
		line := 1 + bytes.Count(data[:firstInvalid(data)], []byte("\n"))
		return "", &FileError{fmt.Sprintf("The file is not UTF-8 text (line %d has characters in another encoding, such as Latin-1 or Windows-1252 from an older Excel). Nothing was guessed, so no name is mangled: export it again as CSV UTF-8 (in Excel: Save As, CSV UTF-8) and upload that.", line)}
	}
	return string(data), nil
}

// looksUTF16 reports whether most of the first bytes at even, or at odd,
// offsets are zero, as in UTF-16 text of Latin letters.
func looksUTF16(b []byte) bool {
	n := min(len(b), 512)
	var even, odd int
	for i := 0; i < n; i++ {
		if b[i] == 0 {
			if i%2 == 0 {
				even++
			} else {
				odd++
			}
		}
	}
	return n >= 4 && max(even, odd)*10 >= (n/2)*8
}

func firstInvalid(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 {
			return i
		}
		i += n
	}
	return len(b)
}

func readCSV(text string) ([][]string, error) {
	r := csv.NewReader(strings.NewReader(text))
	r.Comma = sniffComma(text)
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	var rows [][]string
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, &FileError{fmt.Sprintf("Line %d of the file could not be read as CSV: %s.", pe.Line, pe.Err)}
			}
			return nil, &FileError{"The file could not be read as CSV."}
		}
		// Keep rows[i] on line i+1 of the file: the reader skips blank
		// lines, and messages name lines as a spreadsheet shows them.
		if line, _ := r.FieldPos(0); line > len(rows)+1 {
			rows = append(rows, make([][]string, line-1-len(rows))...)
		}
		if len(rows) > MaxRows+headerScan {
			return nil, &FileError{fmt.Sprintf("The file has more than %d rows: split it and import each part.", MaxRows)}
		}
		rows = append(rows, rec)
	}
	if len(rows) == 0 {
		return nil, &FileError{"The file has no rows."}
	}
	return rows, nil
}

// sniffComma picks the separator the first lines use most: comma,
// semicolon (European Excel) or tab.
func sniffComma(text string) rune {
	head := text
	if len(head) > 4096 {
		head = head[:4096]
	}
	best, n := ',', strings.Count(head, ",")
	for _, c := range []rune{';', '\t'} {
		if k := strings.Count(head, string(c)); k > n {
			best, n = c, k
		}
	}
	return best
}

// headerKey is how header cells are compared: lower case, single spaces.
func headerKey(s string) string {
	return strings.Join(strings.Fields(strings.ToLower(strings.TrimPrefix(s, "\uFEFF"))), " ")
}

var (
	emailHeads   = []string{"email", "e-mail", "email address", "e-mail address", "user email", "attendee email", "participant email", "correo", "correo electrónico"}
	nameHeads    = []string{"name", "full name", "user name", "name (original name)", "attendee name", "participant", "participant name", "display name", "nombre"}
	minutesHeads = []string{"minutes", "duration", "duration (minutes)", "time in session (minutes)", "total duration (minutes)", "attendance duration", "time in session", "minutes attended", "duration (min)", "in-meeting duration", "minutos"}
)

// Guess proposes a mapping from the first rows of a report: the first row
// with an e-mail-like and a minutes-like header. ok is false when no row
// has both.
func Guess(rows [][]string) (m Mapping, ok bool) {
	for i := 0; i < len(rows) && i < headerScan; i++ {
		var g Mapping
		for _, c := range rows[i] {
			k := headerKey(c)
			switch {
			case g.Email == "" && contains(emailHeads, k):
				g.Email = strings.TrimSpace(c)
			case g.Minutes == "" && contains(minutesHeads, k):
				g.Minutes = strings.TrimSpace(c)
			case g.Name == "" && contains(nameHeads, k):
				g.Name = strings.TrimSpace(c)
			}
		}
		if g.Email != "" && g.Minutes != "" {
			return g, true
		}
	}
	return Mapping{}, false
}

// Headers are the cells of the first row that looks like a header (the
// most non-empty cells among the first rows), for choosing a mapping.
func Headers(rows [][]string) []string {
	var best []string
	for i := 0; i < len(rows) && i < headerScan; i++ {
		var cells []string
		for _, c := range rows[i] {
			if c = strings.TrimSpace(c); c != "" {
				cells = append(cells, c)
			}
		}
		if len(cells) > len(best) {
			best = cells
		}
	}
	return best
}

func contains(list []string, k string) bool {
	for _, v := range list {
		if v == k {
			return true
		}
	}
	return false
}

// Row is one attendee as a report gives them.
type Row struct {
	Line    int    `json:"line"` // 1-based row of the file
	Name    string `json:"name,omitempty"`
	Email   string `json:"email"`
	Minutes int    `json:"minutes"`
	UserID  string `json:"-"`
}

// Problem is one malformed row.
type Problem struct {
	Line    int    `json:"line"`
	Message string `json:"message"`
}

// Duplicate is an account that more than one row is for: platforms list a
// participant who rejoined once per connection, so their minutes are added.
type Duplicate struct {
	Email   string `json:"email"`
	Lines   []int  `json:"lines"`
	Minutes int    `json:"minutes"` // the sum counted
}

// Progress is how far an import has got.
type Progress struct {
	Read, Total, Matched int
}

// Options are what an import needs from its caller.
type Options struct {
	// Normalize is the app's e-mail comparison form (trimmed, lower case,
	// Unicode-normalised); nil uses trimming and lower-casing.
	Normalize func(string) string
	// Lookup returns the account id with that (normalised) e-mail, "" when
	// there is none; an error stops the import.
	Lookup func(email string) (string, error)
	// Progress, when set, is called every few hundred rows and at the end.
	Progress func(Progress)
}

// Result is what an attendance report holds, matched to accounts.
type Result struct {
	Read       int         `json:"read"` // data rows (blank rows not counted)
	Matched    []Row       `json:"-"`    // one per account, minutes of duplicates added
	Unmatched  []Row       `json:"unmatched"`
	Duplicates []Duplicate `json:"duplicates"`
	Malformed  []Problem   `json:"malformed"`
}

// Import reads rows under mapping m: finds the header row, checks every
// data row, and matches the e-mails to accounts. A report with any entry
// in Malformed must be refused whole (all or nothing); ErrNoHeader when no
// row of the first ones holds the mapped headers.
func Import(rows [][]string, m Mapping, o Options) (*Result, error) {
	norm := o.Normalize
	if norm == nil {
		norm = func(s string) string { return strings.ToLower(strings.TrimSpace(s)) }
	}
	head, ce, cn, cm := -1, -1, -1, -1
	for i := 0; i < len(rows) && i < headerScan && head < 0; i++ {
		e, n, mi := -1, -1, -1
		for j, c := range rows[i] {
			k := headerKey(c)
			switch {
			case e < 0 && k == headerKey(m.Email):
				e = j
			case mi < 0 && k == headerKey(m.Minutes):
				mi = j
			case n < 0 && m.Name != "" && k == headerKey(m.Name):
				n = j
			}
		}
		if e >= 0 && mi >= 0 && (m.Name == "" || n >= 0) {
			head, ce, cn, cm = i, e, n, mi
		}
	}
	if headerKey(m.Email) == "" || headerKey(m.Minutes) == "" || head < 0 {
		return nil, ErrNoHeader
	}
	data := rows[head+1:]
	if len(data) > MaxRows {
		return nil, &FileError{fmt.Sprintf("The report has %d rows, more than the %d one import takes: split it.", len(data), MaxRows)}
	}
	res := &Result{}
	byKey := map[string]int{} // account (or unmatched e-mail) → index in Matched / Unmatched
	dups := map[string]int{}  // same key → index in Duplicates
	cell := func(r []string, j int) string {
		if j < 0 || j >= len(r) {
			return ""
		}
		return strings.TrimSpace(r[j])
	}
	total := len(data)
	for i, r := range data {
		line := head + 2 + i
		if o.Progress != nil && i > 0 && i%progressEvery == 0 {
			o.Progress(Progress{Read: i, Total: total, Matched: len(res.Matched)})
		}
		if blank(r) {
			continue
		}
		res.Read++
		rawEmail, name, rawMin := cell(r, ce), cell(r, cn), cell(r, cm)
		if len(rawEmail) > maxCell || len(name) > maxCell || len(rawMin) > maxCell {
			res.Malformed = append(res.Malformed, Problem{line, fmt.Sprintf("Row %d has a cell longer than %d characters.", line, maxCell)})
			continue
		}
		email := norm(rawEmail)
		if !ValidEmail(email) {
			msg := fmt.Sprintf("Row %d has no e-mail address.", line)
			if email != "" {
				msg = fmt.Sprintf("Row %d: %q is not an e-mail address.", line, rawEmail)
			}
			res.Malformed = append(res.Malformed, Problem{line, msg})
			continue
		}
		min, ok := ParseMinutes(rawMin)
		if !ok {
			res.Malformed = append(res.Malformed, Problem{line, fmt.Sprintf("Row %d: %q is not a number of minutes (write 75, 75.5, 1:15:00 or 1h 15m).", line, rawMin)})
			continue
		}
		uid := ""
		if o.Lookup != nil {
			var err error
			if uid, err = o.Lookup(email); err != nil {
				return nil, err
			}
		}
		row := Row{Line: line, Name: name, Email: email, Minutes: min, UserID: uid}
		key := "e:" + email
		if uid != "" {
			key = "u:" + uid
		}
		if at, seen := byKey[key]; seen {
			list := &res.Matched
			if uid == "" {
				list = &res.Unmatched
			}
			first := &(*list)[at]
			first.Minutes = min24(first.Minutes + min)
			d, ok := dups[key]
			if !ok {
				d = len(res.Duplicates)
				dups[key] = d
				res.Duplicates = append(res.Duplicates, Duplicate{Email: first.Email, Lines: []int{first.Line}})
			}
			res.Duplicates[d].Lines = append(res.Duplicates[d].Lines, line)
			res.Duplicates[d].Minutes = first.Minutes
			continue
		}
		if uid == "" {
			byKey[key] = len(res.Unmatched)
			res.Unmatched = append(res.Unmatched, row)
		} else {
			byKey[key] = len(res.Matched)
			res.Matched = append(res.Matched, row)
		}
	}
	if o.Progress != nil {
		o.Progress(Progress{Read: total, Total: total, Matched: len(res.Matched)})
	}
	return res, nil
}

func min24(m int) int { return min(m, 24*60) }

func blank(r []string) bool {
	for _, c := range r {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

var emailRe = regexp.MustCompile(`^[^@\s"<>,;]+@[^@\s"<>,;]+\.[^@\s"<>,;.]+$`)

// ValidEmail reports whether e (already normalised) looks like an address.
func ValidEmail(e string) bool { return len(e) <= 254 && emailRe.MatchString(e) }

var hmRe = regexp.MustCompile(`^(?:(\d{1,2})\s*h(?:ours?|rs?)?)?\s*(?:(\d{1,4})\s*m(?:in(?:utes?|s)?)?)?\s*(?:(\d{1,2})\s*s(?:ec(?:onds?|s)?)?)?$`)

// ParseMinutes reads a number of minutes as platforms write it: 75,
// "75.5" or "75,5" (rounded to the nearest minute), "1:15:00" (h:mm:ss),
// "1h 15m", "75 min". Between 0 and 1440.
func ParseMinutes(s string) (int, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return 0, false
	}
	if f, err := strconv.ParseFloat(strings.Replace(s, ",", ".", 1), 64); err == nil {
		if math.IsNaN(f) || f < 0 || f > 24*60 {
			return 0, false
		}
		return int(math.Round(f)), true
	}
	if parts := strings.Split(s, ":"); len(parts) == 3 || len(parts) == 2 {
		var n [3]int
		for i, p := range parts {
			v, err := strconv.Atoi(p)
			if err != nil || v < 0 || len(p) > 4 || (i > 0 && v > 59) {
				return 0, false
			}
			n[i] = v
		}
		var total float64
		if len(parts) == 3 {
			total = float64(n[0]*60+n[1]) + float64(n[2])/60
		} else {
			total = float64(n[0]*60 + n[1]) // h:mm
		}
		if total > 24*60 {
			return 0, false
		}
		return int(math.Round(total)), true
	}
	if m := hmRe.FindStringSubmatch(s); m != nil && (m[1] != "" || m[2] != "" || m[3] != "") {
		h, _ := strconv.Atoi(m[1])
		mi, _ := strconv.Atoi(m[2])
		sec, _ := strconv.Atoi(m[3])
		total := float64(h*60+mi) + float64(sec)/60
		if total > 24*60 {
			return 0, false
		}
		return int(math.Round(total)), true
	}
	return 0, false
}
