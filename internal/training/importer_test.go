package training

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/unicode"
)

// accounts stands in for the app's look-up by e-mail.
var accounts = map[string]string{"ana@example.org": "u1", "ben@example.org": "u2", "chloé@example.org": "u3"}

func lookup(e string) (string, error) { return accounts[e], nil }

func importCSV(t *testing.T, text string, m Mapping) (*Result, error) {
	t.Helper()
	rows, err := ReadRows([]byte(text))
	if err != nil {
		return nil, err
	}
	return Import(rows, m, Options{Lookup: lookup})
}

var zoom = Mapping{Email: "User Email", Name: "Name (Original Name)", Minutes: "Duration (Minutes)"}

func TestImportMessyRows(t *testing.T) {
	// A Zoom-like report: meeting details above the header, mixed case and
	// spaces in the e-mails, a rejoin, an unknown address, a blank line.
	text := "Topic,Webinar ID\r\nOpen government overview,123\r\n\r\n" +
		"Name (Original Name),User Email,Duration (Minutes)\r\n" +
		"Ana,  ANA@Example.org ,50\r\n" +
		"Ben,ben@example.org,90\r\n" +
		"Ana again,ana@example.ORG,25\r\n" +
		",,\r\n" +
		"Zed,zed@nowhere.example,80\r\n"
	res, err := importCSV(t, text, zoom)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Malformed) != 0 {
		t.Fatalf("malformed: %+v", res.Malformed)
	}
	got := map[string]int{}
	for _, r := range res.Matched {
		got[r.UserID] = r.Minutes
	}
	if got["u1"] != 75 || got["u2"] != 90 || len(got) != 2 {
		t.Errorf("matched minutes %v, want u1 75 (50+25) and u2 90", got)
	}
	if len(res.Duplicates) != 1 || res.Duplicates[0].Email != "ana@example.org" || len(res.Duplicates[0].Lines) != 2 || res.Duplicates[0].Lines[1] != 7 {
		t.Errorf("duplicates %+v", res.Duplicates)
	}
	if len(res.Unmatched) != 1 || res.Unmatched[0].Email != "zed@nowhere.example" || res.Unmatched[0].Line != 9 {
		t.Errorf("unmatched %+v", res.Unmatched)
	}
	if res.Read != 4 {
		t.Errorf("read %d rows, want 4", res.Read)
	}
}

func TestImportMalformedRowsAreAllReported(t *testing.T) {
	text := "Name;E-mail;Minutes\nAna;ana@example.org;75\nBen;not-an-address;90\nCleo;;60\nDan;dan@example.org;ninety\nEve;eve@example.org;-5\n"
	res, err := importCSV(t, text, Mapping{Email: "e-mail", Name: "NAME", Minutes: "minutes"})
	if err != nil {
		t.Fatal(err)
	}
	lines := []int{}
	for _, p := range res.Malformed {
		lines = append(lines, p.Line)
	}
	if len(lines) != 4 || lines[0] != 3 || lines[1] != 4 || lines[2] != 5 || lines[3] != 6 {
		t.Fatalf("malformed lines %v (%+v), want 3 4 5 6", lines, res.Malformed)
	}
	if !strings.Contains(res.Malformed[0].Message, "not-an-address") {
		t.Errorf("message %q does not quote the cell", res.Malformed[0].Message)
	}
}

func TestImportWithoutTheMappedHeader(t *testing.T) {
	if _, err := importCSV(t, "a,b\n1,2\n", zoom); !errors.Is(err, ErrNoHeader) {
		t.Fatalf("err %v, want ErrNoHeader", err)
	}
}

func TestEncodings(t *testing.T) {
	body := "Name,Email,Minutes\r\nChloé,chloé@example.org,70\r\n"
	m := Mapping{Email: "Email", Name: "Name", Minutes: "Minutes"}
	check := func(name string, data []byte) {
		t.Helper()
		rows, err := ReadRows(data)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		res, err := Import(rows, m, Options{Lookup: lookup})
		if err != nil || len(res.Matched) != 1 || res.Matched[0].Name != "Chloé" || res.Matched[0].UserID != "u3" {
			t.Fatalf("%s: %+v %v", name, res, err)
		}
	}
	check("utf-8", []byte(body))
	check("utf-8 with BOM", append([]byte{0xEF, 0xBB, 0xBF}, body...))
	u16, _ := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().Bytes([]byte(body))
	check("utf-16le with BOM", u16)

	latin1 := []byte("Name,Email,Minutes\r\nChlo\xe9,x@example.org,70\r\n")
	_, err := ReadRows(latin1)
	var fe *FileError
	if !errors.As(err, &fe) || !strings.Contains(fe.Text, "not UTF-8") || !strings.Contains(fe.Text, "line 2") {
		t.Fatalf("latin-1: %v, want a refusal naming line 2", err)
	}
	u16nobom, _ := unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM).NewEncoder().Bytes([]byte(body))
	if _, err := ReadRows(u16nobom); !errors.As(err, &fe) || !strings.Contains(fe.Text, "UTF-16") {
		t.Fatalf("utf-16 without BOM: %v", err)
	}
	if _, err := ReadRows([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0}); !errors.As(err, &fe) || !strings.Contains(fe.Text, ".xls") {
		t.Fatalf("xls: %v", err)
	}
	if _, err := ReadRows([]byte("%PDF-1.7 attendance")); !errors.As(err, &fe) || !strings.Contains(fe.Text, "PDF") {
		t.Fatalf("pdf: %v", err)
	}
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00")
	if _, err := ReadRows(png); !errors.As(err, &fe) || !strings.Contains(fe.Text, "neither a spreadsheet") {
		t.Fatalf("png: %v", err)
	}
}

func TestImportXLSX(t *testing.T) {
	f := excelize.NewFile()
	rows := [][]any{{"Attendee Report"}, {}, {"Attendee Email", "Full Name", "Time in Session (minutes)"}, {"BEN@example.org ", "Ben", 61}, {"ana@example.org", "Ana", "1:05:00"}}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		f.SetSheetRow("Sheet1", cell, &r)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	got, err := ReadRows(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	m, ok := Guess(got)
	if !ok || m.Email != "Attendee Email" || m.Minutes != "Time in Session (minutes)" || m.Name != "Full Name" {
		t.Fatalf("guess %+v %v", m, ok)
	}
	res, err := Import(got, m, Options{Lookup: lookup})
	if err != nil || len(res.Matched) != 2 || res.Matched[0].Minutes != 61 || res.Matched[1].Minutes != 65 || res.Matched[0].Line != 4 {
		t.Fatalf("%+v %v", res, err)
	}
}

func TestParseMinutes(t *testing.T) {
	for in, want := range map[string]int{"75": 75, "74.6": 75, "74,4": 74, "1:15:00": 75, "1:15": 75, "1h 15m": 75, "75 min": 75, "90 minutes": 90, "2h": 120, "0": 0} {
		if got, ok := ParseMinutes(in); !ok || got != want {
			t.Errorf("ParseMinutes(%q) = %d %v, want %d", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "-1", "abc", "1441", "NaN", "1:75:00", "25h"} {
		if got, ok := ParseMinutes(in); ok {
			t.Errorf("ParseMinutes(%q) = %d, want refused", in, got)
		}
	}
}

func TestProgressIsReported(t *testing.T) {
	var b strings.Builder
	b.WriteString("Email,Minutes\n")
	for i := 0; i < 1000; i++ {
		b.WriteString("ana@example.org,1\n")
	}
	rows, _ := ReadRows([]byte(b.String()))
	var seen []Progress
	_, err := Import(rows, Mapping{Email: "Email", Minutes: "Minutes"}, Options{Lookup: lookup, Progress: func(p Progress) { seen = append(seen, p) }})
	if err != nil || len(seen) != 4 || seen[0].Read != 250 || seen[3].Read != 1000 || seen[3].Total != 1000 {
		t.Fatalf("progress %+v %v", seen, err)
	}
}

// FuzzImportAttendance feeds arbitrary bytes through the reader and the
// importer: never a panic, and every row is accounted for exactly once.
func FuzzImportAttendance(f *testing.F) {
	f.Add([]byte("Name,Email,Minutes\nAna,ana@example.org,75\n"), "Email", "Minutes")
	f.Add([]byte("\xEF\xBB\xBFEmail;Minutes\nBEN@example.org ;1:30:00\n;\n"), "email", "minutes")
	f.Add([]byte("a\"b,c\n\"x,y"), "a\"b", "c")
	f.Fuzz(func(t *testing.T, data []byte, email, minutes string) {
		rows, err := ReadRows(data)
		if err != nil {
			var fe *FileError
			if !errors.As(err, &fe) || fe.Text == "" {
				t.Fatalf("unexplained error %v", err)
			}
			return
		}
		res, err := Import(rows, Mapping{Email: email, Minutes: minutes}, Options{Lookup: lookup})
		if err != nil {
			return
		}
		dupRows := 0
		for _, d := range res.Duplicates {
			dupRows += len(d.Lines) - 1
		}
		if n := len(res.Matched) + len(res.Unmatched) + len(res.Malformed) + dupRows; n != res.Read {
			t.Fatalf("%d rows read, %d accounted for", res.Read, n)
		}
		for _, r := range res.Matched {
			if r.Minutes < 0 || r.Minutes > 24*60 || r.UserID == "" {
				t.Fatalf("bad row %+v", r)
			}
		}
	})
}
