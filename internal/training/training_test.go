package training

import (
	"archive/zip"
	"bytes"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"
)

var belize, _ = time.LoadLocation("America/Belize")

func threeSessions() *Programme {
	start := time.Date(2020, 2, 4, 10, 30, 0, 0, belize)
	p := &Programme{CallID: "c1", Title: "Open government webinars", Issuers: "The OGP Steering Committee, Belize"}
	for i, t := range []string{"Overview of open government", "National action plans: the Uruguay case", "Co-creation: the Estonia case"} {
		p.Sessions = append(p.Sessions, Session{ID: string(rune('a' + i)), Title: t, StartsAt: start.AddDate(0, 0, 7*i), Minutes: 90, MinMinutes: 60})
	}
	return p
}

func TestCompletionRules(t *testing.T) {
	p := threeSessions()
	online := func(m int) Attendance { return Attendance{Minutes: m} }
	inPerson := Attendance{CheckedIn: true}
	cases := []struct {
		name    string
		by      map[string]Attendance
		done    bool
		missing string
	}{
		{"online at every session", map[string]Attendance{"a": online(90), "b": online(60), "c": online(75)}, true, ""},
		{"in person at every session", map[string]Attendance{"a": inPerson, "b": inPerson, "c": inPerson}, true, ""},
		{"mixed modes", map[string]Attendance{"a": online(61), "b": inPerson, "c": online(60)}, true, ""},
		{"a missed session", map[string]Attendance{"a": online(90), "c": inPerson}, false, "b"},
		{"minutes below the minimum", map[string]Attendance{"a": online(90), "b": online(59), "c": online(90)}, false, "b"},
		{"registered but absent", map[string]Attendance{"a": online(90), "b": {Mode: ModeInPerson}, "c": online(90)}, false, "b"},
	}
	for _, c := range cases {
		got := Complete(p, c.by)
		var miss []string
		for _, s := range got.Missing {
			miss = append(miss, s.ID)
		}
		if got.Complete != c.done || strings.Join(miss, ",") != c.missing {
			t.Errorf("%s: complete %v missing %v, want %v %q", c.name, got.Complete, miss, c.done, c.missing)
		}
	}
	if Complete(&Programme{}, nil).Complete {
		t.Error("a programme without sessions counted as completed")
	}
	p.Sessions[1].MinMinutes = 0 // the default, 60
	if !Present(p.Sessions[1], online(60)) || Present(p.Sessions[1], online(59)) {
		t.Error("the default minimum is not 60 minutes")
	}
}

// pdfText returns the strings an uncompressed PDF shows (its Tj operands).
func pdfText(pdf []byte) string {
	var out []string
	for _, m := range regexp.MustCompile(`\(((?:[^()\\]|\\.)*)\)\s*Tj`).FindAllSubmatch(pdf, -1) {
		s := strings.NewReplacer(`\(`, "(", `\)`, ")", `\\`, `\`).Replace(string(m[1]))
		out = append(out, s)
	}
	return strings.Join(out, "\n")
}

func TestCertificateText(t *testing.T) {
	p := threeSessions()
	code := NewCode()
	var buf bytes.Buffer
	err := WriteCertificate(&buf, CertificateData{Name: "Ana Díaz (Belmopan)", Programme: p.Title, Issuers: p.Issuers, Sessions: p.Sessions,
		Location: belize, Code: code, VerifyURL: "https://cocreate.example/verify/" + code, CompletedAt: CompletedAt(p)})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(buf.Bytes(), []byte("%PDF-")) {
		t.Fatal("not a PDF")
	}
	text := pdfText(buf.Bytes())
	for _, want := range []string{"Ana D\xedaz (Belmopan)", "Open government webinars", code, "https://cocreate.example/verify/" + code,
		"4 February 2020: Overview of open government", "18 February 2020: Co-creation: the Estonia case", "Issued by The OGP Steering Committee, Belize", "Completed 18 February 2020"} {
		if !strings.Contains(text, want) {
			t.Errorf("certificate lacks %q; it reads:\n%s", want, text)
		}
	}
}

func TestCodes(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 1000; i++ {
		c := NewCode()
		if !regexp.MustCompile(`^[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}$`).MatchString(c) || seen[c] {
			t.Fatalf("code %q malformed or repeated", c)
		}
		seen[c] = true
		if got, ok := NormalizeCode(strings.ToLower(strings.ReplaceAll(c, "-", " "))); !ok || got != c {
			t.Fatalf("NormalizeCode(%q) = %q %v", c, got, ok)
		}
	}
	if got, ok := NormalizeCode("o1il0-abcde"); !ok || got != "0111-0ABCDE"[:0]+"01110-ABCDE" {
		t.Errorf("look-alikes: %q %v", got, ok)
	}
	for _, bad := range []string{"", "ABCDE", "ABCDE-ABCDEF", "ABCDE-ABCDU", "<script>", "ABCDÉ-ABCDE", "../../etc"} {
		if got, ok := NormalizeCode(bad); ok {
			t.Errorf("NormalizeCode(%q) accepted as %q", bad, got)
		}
	}
}

func TestCalendar(t *testing.T) {
	p := threeSessions()
	p.Sessions[0].Venue = "BTEC, Belize City; and online"
	p.Sessions[0].Description = "Line one\nline two, with a comma \\ backslash"
	p.Sessions[0].Topics = strings.Repeat("é", 60)
	ics := string(Calendar(p, "Call 2020", "cocreate.example", "https://cocreate.example/calls/c/programme", time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)))
	if strings.Contains(strings.ReplaceAll(ics, "\r\n", ""), "\n") || !strings.HasSuffix(ics, "END:VCALENDAR\r\n") {
		t.Fatal("lines do not all end in CRLF")
	}
	for _, l := range strings.Split(strings.TrimSuffix(ics, "\r\n"), "\r\n") {
		if len(l) > 75 {
			t.Errorf("line of %d octets: %q", len(l), l)
		}
	}
	unfolded := strings.ReplaceAll(ics, "\r\n ", "")
	for _, want := range []string{"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n", "UID:a@cocreate.example\r\n", "DTSTAMP:20200101T000000Z\r\n",
		"DTSTART:20200204T163000Z\r\n", "DTEND:20200204T180000Z\r\n", "LOCATION:BTEC\\, Belize City\\; and online\r\n",
		"Line one\\nline two\\, with a comma \\\\ backslash", strings.Repeat("é", 60)} {
		if !strings.Contains(unfolded, want) {
			t.Errorf("calendar lacks %q:\n%s", want, ics)
		}
	}
	if strings.Count(ics, "BEGIN:VEVENT") != 3 {
		t.Error("not one event per session")
	}
}

func TestCheckFile(t *testing.T) {
	var pptx bytes.Buffer
	z := zip.NewWriter(&pptx)
	w, _ := z.Create("ppt/presentation.xml")
	w.Write([]byte("<p/>"))
	z.Close()
	var odp bytes.Buffer
	z = zip.NewWriter(&odp)
	w, _ = z.Create("mimetype")
	w.Write([]byte("application/vnd.oasis.opendocument.presentation"))
	z.Close()
	ole := []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0}
	for name, data := range map[string][]byte{"slides.pdf": []byte("%PDF-1.7\n..."), "Deck.PPTX": pptx.Bytes(), "old.ppt": ole, "talk.odp": odp.Bytes()} {
		if _, err := CheckFile(name, data); err != nil {
			t.Errorf("%s refused: %v", name, err)
		}
	}
	big := append([]byte("%PDF-"), make([]byte, MaxFile)...)
	var fe *FileError
	for name, data := range map[string][]byte{
		"virus.pdf": []byte("MZ\x90\x00"), "renamed.pptx": odp.Bytes(), "page.html": []byte("<html>"), "talk.key": pptx.Bytes(),
		"empty.pdf": nil, "big.pdf": big, "fake.odp": pptx.Bytes(), "doc.ppt": []byte("%PDF-1.4"),
	} {
		if _, err := CheckFile(name, data); !errors.As(err, &fe) || fe.Text == "" {
			t.Errorf("%s: %v, want a refusal", name, err)
		}
	}
	if _, err := CheckFile("just.pdf", append([]byte("%PDF-"), make([]byte, MaxFile-5)...)); err != nil {
		t.Errorf("a file of exactly 20 MB refused: %v", err)
	}
}

func TestTemplateShowsFieldsAndLimits(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteTemplate(&buf, TemplateData{CallTitle: "Belize 2020", WordLimits: map[string]int{"summary": 33}}); err != nil {
		t.Fatal(err)
	}
	text := pdfText(buf.Bytes())
	for _, want := range []string{"Concept note: Belize 2020", "Summary - up to 33 words", "Milestones", "The public problem, who is affected", "Partners (optional)"} {
		if !strings.Contains(text, want) {
			t.Errorf("template lacks %q:\n%s", want, text)
		}
	}
	if n := bytes.Count(buf.Bytes(), []byte("/Type /Page\n")); n != 1 {
		t.Errorf("template has %d pages, want 1", n)
	}
}

func TestValidate(t *testing.T) {
	p := threeSessions()
	p.Sessions[0].MinMinutes = 0
	p.Sessions[1].OnlineURL = "javascript:alert(1)"
	p.Sessions[2].Minutes = 0
	pr := p.Validate()
	if p.Sessions[0].MinMinutes != 60 || pr["sessions.1.online_url"] == "" || pr["sessions.2.minutes"] == "" || len(pr) != 2 {
		t.Errorf("problems %v, min %d", pr, p.Sessions[0].MinMinutes)
	}
}
