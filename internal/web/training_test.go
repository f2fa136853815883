package web

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"cocreate/internal/store"
)

// trainingWorld is an open call with a three-session programme, a
// coordinator and three participants.
type trainingWorld struct {
	ts            *testServer
	callID, slug  string
	coord         string
	sessions      []string
	ana, ben, cat *store.User
	anaTok        string
	benTok        string
}

func newTrainingWorld(t *testing.T, extra map[string]any) *trainingWorld {
	t.Helper()
	ts := newTestServer(t)
	w := &trainingWorld{ts: ts, slug: "trained-2026"}
	w.callID = ts.makeCall(w.slug, extra)
	_, w.coord = ts.user("Cora Coordinator", "Programme", "government", "coordinator")
	w.ana, w.anaTok = ts.user("Ana Díaz", "Civic Lab", "civil_society")
	w.ben, w.benTok = ts.user("Ben Okafor", "Youth Net", "civil_society")
	w.cat, _ = ts.user("Cat Young", "Media House", "media")
	r := ts.api("PUT", "/api/v1/calls/"+w.callID+"/programme", w.coord, map[string]any{
		"title": "Open government webinars", "issuers": "The OGP Steering Committee, Belize",
		"sessions": []map[string]any{
			{"title": "Overview of open government", "starts_at": "2026-05-05T10:30", "minutes": 90, "venue": "BTEC, Belize City", "online_url": "https://meet.example/1"},
			{"title": "National action plans", "starts_at": "2026-05-12T10:30", "minutes": 90},
			{"title": "Co-creation and ambition", "starts_at": "2026-05-19T10:30", "minutes": 90, "min_minutes": 45},
		}})
	if r.Status != 200 {
		t.Fatalf("programme: %d %s", r.Status, r.Raw)
	}
	for _, s := range r.obj("programme")["sessions"].([]any) {
		w.sessions = append(w.sessions, s.(map[string]any)["id"].(string))
	}
	return w
}

// send posts a multipart form with the file field named name.
func (w *trainingWorld) send(path, token, name string, data []byte, fields map[string]string) apiResp {
	w.ts.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	if data != nil {
		fw, _ := mw.CreateFormFile("file", name)
		fw.Write(data)
	}
	mw.Close()
	req, _ := http.NewRequest("POST", w.ts.srv.URL+path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		w.ts.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	out := apiResp{Status: res.StatusCode, Header: res.Header, Raw: raw}
	if strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		json.Unmarshal(raw, &out.Body)
	}
	return out
}

func (w *trainingWorld) attendance(i int, csv string, fields map[string]string) apiResp {
	return w.send("/api/v1/sessions/"+w.sessions[i]+"/attendance", w.coord, "report.csv", []byte(csv), fields)
}

func TestProgrammeScheduleAndCalendar(t *testing.T) {
	w := newTrainingWorld(t, nil)
	r := w.ts.api("GET", "/api/v1/calls/"+w.slug+"/programme", "", nil)
	p := r.obj("programme")
	ss := p["sessions"].([]any)
	first := ss[0].(map[string]any)
	// 10:30 Belize time (UTC-6) is 16:30 UTC.
	if r.Status != 200 || len(ss) != 3 || first["starts_at"] != "2026-05-05T16:30:00Z" || first["min_minutes"] != 60.0 || ss[2].(map[string]any)["min_minutes"] != 45.0 {
		t.Fatalf("%d %s", r.Status, r.Raw)
	}
	b := w.ts.browser()
	pg := b.get("/calls/" + w.slug + "/programme")
	for _, want := range []string{"Overview of open government", "Tuesday 5 May 2026, 10:30 Belize time", "/calls/" + w.slug + "/programme.ics", "/calls/" + w.slug + "/note-template.pdf", "BTEC, Belize City"} {
		if pg.Status != 200 || !strings.Contains(pg.Body, want) {
			t.Errorf("programme page lacks %q (%d)", want, pg.Status)
		}
	}
	res, err := http.Get(w.ts.srv.URL + "/calls/" + w.slug + "/programme.ics")
	if err != nil {
		t.Fatal(err)
	}
	ics, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if !strings.HasPrefix(res.Header.Get("Content-Type"), "text/calendar") || strings.Count(string(ics), "BEGIN:VEVENT\r\n") != 3 ||
		!strings.Contains(string(ics), "DTSTART:20260505T163000Z\r\n") || !strings.Contains(string(ics), "LOCATION:BTEC\\, Belize City\r\n") {
		t.Fatalf("calendar %s:\n%s", res.Header.Get("Content-Type"), ics)
	}
	res, _ = http.Get(w.ts.srv.URL + "/calls/" + w.slug + "/note-template.pdf")
	tpl, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !bytes.HasPrefix(tpl, []byte("%PDF-")) {
		t.Fatalf("template: %d", res.StatusCode)
	}
	// Saving again with the ids keeps the sessions; a stale version is refused.
	r = w.ts.api("PUT", "/api/v1/calls/"+w.callID+"/programme", w.coord, map[string]any{"title": "x", "version": 7, "sessions": []any{}})
	if r.Status != 409 {
		t.Fatalf("stale programme: %d %s", r.Status, r.Raw)
	}
	r = w.ts.api("PUT", "/api/v1/calls/"+w.callID+"/programme", w.coord, map[string]any{"title": "x", "sessions": []map[string]any{{"id": "forged-1", "title": "t", "starts_at": "2026-05-05T10:30", "minutes": 90}}})
	if r.Status != 422 || r.errFields()["sessions.0.id"] == nil {
		t.Fatalf("forged session id: %d %s", r.Status, r.Raw)
	}
}

func TestAttendanceImportAndCompletion(t *testing.T) {
	w := newTrainingWorld(t, nil)
	ana, ben := strings.ToUpper(w.ana.Email), "  "+w.ben.Email+" "
	// Session 1: a Zoom-like report, messy e-mails, a rejoin and a stranger.
	report := "Attendee Report\r\n\r\nName (Original Name),User Email,Duration (Minutes)\r\n" +
		"Ana," + ana + ",40\r\nBen," + ben + ",75\r\nAna," + w.ana.Email + ",30\r\nZed,zed@nowhere.example,90\r\n"
	r := w.attendance(0, report, nil)
	rep, _ := r.Body["report"].(map[string]any)
	if r.Status != 200 || r.Body["imported"] != 2.0 || len(rep["unmatched"].([]any)) != 1 || len(rep["duplicates"].([]any)) != 1 {
		t.Fatalf("import: %d %s", r.Status, r.Raw)
	}
	// The mapping is remembered: a second report with the same headers needs none.
	// Session 2: Ana online long enough, Ben 59 minutes (below the minimum).
	r = w.attendance(1, "Name (Original Name),User Email,Duration (Minutes)\n,"+w.ana.Email+",1:20:00\n,"+w.ben.Email+",59\n", nil)
	if r.Status != 200 || r.Body["imported"] != 2.0 {
		t.Fatalf("second import: %d %s", r.Status, r.Raw)
	}
	// A malformed row refuses the whole file.
	bad := "Email;Minutes\n" + w.cat.Email + ";90\nnot-an-email;80\n" + w.ben.Email + ";ninety\n"
	r = w.attendance(2, bad, map[string]string{"mapping": `{"email": "email", "minutes": "MINUTES"}`})
	rep, _ = r.Body["report"].(map[string]any)
	if r.Status != 422 || r.Body["imported"] != 0.0 || len(rep["malformed"].([]any)) != 2 {
		t.Fatalf("malformed: %d %s", r.Status, r.Raw)
	}
	// Latin-1 is refused with a message, never mangled.
	r = w.attendance(2, "Email,Minutes,Name\n"+w.cat.Email+",90,Jos\xe9\n", nil)
	if r.Status != 422 || !strings.Contains(string(r.Raw), "CSV UTF-8") {
		t.Fatalf("latin-1: %d %s", r.Status, r.Raw)
	}
	// Columns that are not there.
	r = w.attendance(2, "Who,How long\nx,1\n", map[string]string{"mapping": `{"email": "Mail", "minutes": "Time"}`})
	if r.Status != 422 || r.Body["headers"] == nil {
		t.Fatalf("no header: %d %s", r.Status, r.Raw)
	}
	// Too large, and no file.
	if r := w.send("/api/v1/sessions/"+w.sessions[2]+"/attendance", w.coord, "big.csv", bytes.Repeat([]byte("a,1\n"), 3<<20), nil); r.Status != 413 {
		t.Fatalf("too large: %d %s", r.Status, r.Raw)
	}
	if r := w.send("/api/v1/sessions/"+w.sessions[2]+"/attendance", w.coord, "", nil, nil); r.Status != 400 {
		t.Fatalf("no file: %d %s", r.Status, r.Raw)
	}
	cert := func(tok string) int {
		return w.ts.api("GET", "/api/v1/me/certificate.pdf?call_id="+w.callID, tok, nil).Status
	}
	if cert(w.anaTok) != 404 {
		t.Fatal("a certificate before the last session")
	}
	// Session 3 in person: Ana checked in; Ben checked in at 2 (mixed modes) but never at 3.
	present := true
	for _, x := range []struct {
		s int
		u *store.User
	}{{2, w.ana}, {1, w.ben}} {
		if r := w.ts.api("PUT", "/api/v1/sessions/"+w.sessions[x.s]+"/attendance/"+x.u.ID, w.coord, map[string]any{"present": present}); r.Status != 204 {
			t.Fatalf("check-in: %d %s", r.Status, r.Raw)
		}
	}
	if r := w.ts.api("PUT", "/api/v1/sessions/"+w.sessions[2]+"/attendance/000000000000000000000000", w.coord, map[string]any{"present": true}); r.Status != 404 {
		t.Fatalf("check-in of nobody: %d", r.Status)
	}
	if cert(w.anaTok) != 200 || cert(w.benTok) != 404 {
		t.Fatalf("certificates: ana %d ben %d", cert(w.anaTok), cert(w.benTok))
	}
	// Ben's standing names what he missed.
	b := w.ts.browser()
	b.signIn(w.ben.Email, "a long enough password")
	if pg := b.get("/calls/" + w.slug + "/programme"); !strings.Contains(pg.Body, "Still to attend: Co-creation and ambition.") {
		t.Errorf("Ben's programme page does not name the missing session:\n%s", pg.Body)
	}

	// The zip holds Ana's certificate, which verifies.
	res, err := http.DefaultClient.Do(authGet(t, w.ts.srv.URL+"/api/v1/calls/"+w.callID+"/certificates.zip", w.coord))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(res.Body)
	res.Body.Close()
	z, err := zip.NewReader(bytes.NewReader(raw), int64(len(raw)))
	if err != nil || len(z.File) != 1 || z.File[0].Name != "Ana Díaz.pdf" {
		t.Fatalf("zip: %v %d", err, len(raw))
	}
	pdfRes, _ := http.DefaultClient.Do(authGet(t, w.ts.srv.URL+"/api/v1/me/certificate.pdf?call_id="+w.slug, w.anaTok))
	pdf, _ := io.ReadAll(pdfRes.Body)
	pdfRes.Body.Close()
	if pdfRes.Header.Get("Content-Type") != "application/pdf" || !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("certificate download: %s", pdfRes.Header.Get("Content-Type"))
	}
	// The served PDFs are compressed (the text is checked in internal/training): the code is read from the store.
	code := w.certificateCode(t)
	v := w.ts.api("GET", "/api/v1/certificates/"+strings.ToLower(strings.ReplaceAll(code, "-", "")), "", nil)
	if v.Status != 200 || v.Body["name"] != "Ana Díaz" || v.Body["programme"] != "Open government webinars" || v.Body["completed_at"] != "2026-05-19T18:00:00Z" {
		t.Fatalf("verify API: %d %s", v.Status, v.Raw)
	}
	if pg := w.ts.browser().get("/verify/" + code); pg.Status != 200 || !strings.Contains(pg.Body, "Ana Díaz") || !strings.Contains(pg.Body, "19 May 2026") {
		t.Fatalf("verify page: %d", pg.Status)
	}
	for _, bad := range []string{"ZZZZZ-ZZZZZ", "not-a-code", "%3Cscript%3E", strings.Repeat("A", 300)} {
		pg := w.ts.browser().get("/verify/" + bad)
		if pg.Status != 404 || !strings.Contains(pg.Body, "not recognised") || strings.Contains(pg.Body, "<script>") {
			t.Errorf("verify %q: %d", bad, pg.Status)
		}
		if r := w.ts.api("GET", "/api/v1/certificates/"+bad, "", nil); r.Status != 404 {
			t.Errorf("verify API %q: %d", bad, r.Status)
		}
	}
}

// certificateCode reads the one certificate's code from the store's
// verification through the app (the PDFs are compressed).
func (w *trainingWorld) certificateCode(t *testing.T) string {
	t.Helper()
	list, err := w.ts.store.CertificatesOfCall(t.Context(), w.callID)
	if err != nil || len(list) != 1 {
		t.Fatalf("certificates: %v %d", err, len(list))
	}
	for _, c := range list {
		return c.Code
	}
	return ""
}

func authGet(t *testing.T, u, tok string) *http.Request {
	req, err := http.NewRequest("GET", u, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	return req
}

func TestRequiresTrainingGatesSubmission(t *testing.T) {
	w := newTrainingWorld(t, map[string]any{"requires_training": true})
	id, v := w.ts.draft(w.callID, w.benTok, completeNote())
	r := w.ts.api("POST", "/api/v1/notes/"+id+"/submit", w.benTok, map[string]any{"version": v})
	msg, _ := r.errFields()["training"].(string)
	if r.Status != 422 || !strings.Contains(msg, "Overview of open government (5 May 2026)") || !strings.Contains(msg, "Co-creation and ambition (19 May 2026)") {
		t.Fatalf("submit without the training: %d %s", r.Status, r.Raw)
	}
	if n := w.ts.note(id); n.State != "draft" {
		t.Fatalf("the note moved to %s", n.State)
	}
	present := true
	for _, s := range w.sessions {
		if r := w.ts.api("PUT", "/api/v1/sessions/"+s+"/attendance/"+w.ben.ID, w.coord, map[string]any{"present": present}); r.Status != 204 {
			t.Fatal(r.Status)
		}
	}
	if r := w.ts.api("POST", "/api/v1/notes/"+id+"/submit", w.benTok, map[string]any{"version": v}); r.Status != 200 {
		t.Fatalf("submit after the training: %d %s", r.Status, r.Raw)
	}
	// The same call without the setting: nobody is stopped.
	w2 := newTrainingWorld(t, nil)
	if _, v := w2.ts.submitted(w2.callID, w2.anaTok); v == 0 {
		t.Fatal("not submitted")
	}
}

func TestSubmitPageSaysWhichSessionsAreMissing(t *testing.T) {
	w := newTrainingWorld(t, map[string]any{"requires_training": true})
	id, v := w.ts.draft(w.callID, w.benTok, completeNote())
	b := w.ts.browser()
	b.signIn(w.ben.Email, "a long enough password")
	check := b.get("/notes/" + id + "/check")
	if check.Status != 200 || !strings.Contains(check.Body, "National action plans (12 May 2026)") || strings.Contains(check.Body, `action="/notes/`+id+`/submit"`) {
		t.Fatalf("check page: %d, it should name the missing sessions and offer no Submit:\n%s", check.Status, check.Body)
	}
	tok := b.csrf("/notes/" + id + "/check")
	pg := b.post("/notes/"+id+"/submit", url.Values{"csrf_token": {tok}, "version": {itoa(v)}})
	if pg.Status != 422 || !strings.Contains(pg.Body, "National action plans (12 May 2026)") {
		t.Fatalf("%d %s", pg.Status, pg.Body)
	}
}

func TestLibraryUploads(t *testing.T) {
	w := newTrainingWorld(t, nil)
	b := w.ts.browser()
	coord, _ := w.ts.user("Lib Coordinator", "Programme", "government", "coordinator")
	b.signIn(coord.Email, "a long enough password")
	path := "/admin/sessions/" + w.sessions[0]
	tok := b.csrf(path)
	post := func(name string, data []byte, fields map[string]string) htmlPage {
		t.Helper()
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		mw.WriteField("csrf_token", tok)
		for k, v := range fields {
			mw.WriteField(k, v)
		}
		if data != nil {
			fw, _ := mw.CreateFormFile("file", name)
			fw.Write(data)
		}
		mw.Close()
		req, _ := http.NewRequest("POST", w.ts.srv.URL+path+"/resources", &body)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		res, err := b.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		raw, _ := io.ReadAll(res.Body)
		return htmlPage{Status: res.StatusCode, Location: res.Header.Get("Location"), Body: string(raw)}
	}
	pdf := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("x"), 3<<20)...)
	if pg := post("slides.pdf", pdf, map[string]string{"title": "Slides"}); pg.Status != 303 {
		t.Fatalf("pdf upload: %d %s", pg.Status, pg.Body)
	}
	if pg := post("", nil, map[string]string{"title": "Recording", "url": "https://video.example/rec1"}); pg.Status != 303 {
		t.Fatalf("link: %d %s", pg.Status, pg.Body)
	}
	for name, c := range map[string]struct {
		file   string
		data   []byte
		fields map[string]string
		status int
		says   string
	}{
		"an executable named .pdf": {"slides.pdf", []byte("MZ\x90\x00 not a pdf"), nil, 422, "content is not a pdf"},
		"a web page":               {"page.html", []byte("<html>"), nil, 422, "Only PDF and slides"},
		"a keynote":                {"talk.key", []byte("PK\x03\x04"), nil, 422, "Keynote"},
		"over 20 MB":               {"huge.pdf", append([]byte("%PDF-"), make([]byte, 21<<20)...), nil, 413, "20 MB"},
		"a script link":            {"", nil, map[string]string{"title": "x", "url": "javascript:alert(1)"}, 422, "https://"},
	} {
		pg := post(c.file, c.data, c.fields)
		if pg.Status != c.status || !strings.Contains(pg.Body, c.says) {
			t.Errorf("%s: %d, want %d saying %q", name, pg.Status, c.status, c.says)
		}
	}
	r := w.ts.api("GET", "/api/v1/calls/"+w.callID+"/programme", "", nil)
	lib := r.obj("programme")["sessions"].([]any)[0].(map[string]any)["resources"].([]any)
	if len(lib) != 2 {
		t.Fatalf("library: %s", r.Raw)
	}
	rid := lib[0].(map[string]any)["id"].(string)
	res, err := http.Get(w.ts.srv.URL + "/sessions/" + w.sessions[0] + "/resources/" + rid)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/pdf" || !bytes.Equal(got, pdf) {
		t.Fatalf("download: %d %s %d bytes", res.StatusCode, res.Header.Get("Content-Type"), len(got))
	}
}

func TestCheckInPage(t *testing.T) {
	w := newTrainingWorld(t, nil)
	coord, _ := w.ts.user("Desk Coordinator", "Programme", "government", "coordinator")
	b := w.ts.browser()
	b.signIn(coord.Email, "a long enough password")
	path := "/admin/sessions/" + w.sessions[0] + "/checkin"
	pg := b.get(path + "?q=okaf")
	if pg.Status != 200 || !strings.Contains(pg.Body, "Ben Okafor") || strings.Contains(pg.Body, "Ana Díaz") {
		t.Fatalf("search: %d", pg.Status)
	}
	tok := b.csrf(path)
	pg = b.post(path, url.Values{"csrf_token": {tok}, "user_id": {w.ben.ID}, "present": {"yes"}, "q": {"okaf"}})
	if pg.Status != 303 || !strings.Contains(pg.Location, "q=okaf") {
		t.Fatalf("tick: %d %s", pg.Status, pg.Location)
	}
	if pg = b.get(path); !strings.Contains(pg.Body, "Ben Okafor") || !strings.Contains(pg.Body, "Present") {
		t.Fatal("the ticked participant is not listed as present")
	}
}

func TestCompletedTrainingMarkOnDashboardAndShortlist(t *testing.T) {
	w := newTrainingWorld(t, nil)
	anaNote, _ := w.ts.submitted(w.callID, w.anaTok)
	benNote, _ := w.ts.submitted(w.callID, w.benTok)
	coord, _ := w.ts.user("Dash Coordinator", "Programme", "government", "coordinator")
	b := w.ts.browser()
	b.signIn(coord.Email, "a long enough password")
	// Seen before the check-ins (the completion list is cached), then after.
	if pg := b.get("/committee?call=" + w.slug + "&training=yes"); strings.Contains(pg.Body, anaNote) {
		t.Fatal("Ana counts as trained before attending")
	}
	present := true
	for _, s := range w.sessions {
		if r := w.ts.api("PUT", "/api/v1/sessions/"+s+"/attendance/"+w.ana.ID, w.coord, map[string]any{"present": present}); r.Status != 204 {
			t.Fatal(r.Status)
		}
	}
	all := b.get("/committee?call=" + w.slug)
	if all.Status != 200 || !strings.Contains(all.Body, "Completed the training") || !strings.Contains(all.Body, anaNote) || !strings.Contains(all.Body, benNote) {
		t.Fatalf("dashboard: %d", all.Status)
	}
	yes := b.get("/committee?call=" + w.slug + "&training=yes")
	no := b.get("/committee?call=" + w.slug + "&training=no")
	if !strings.Contains(yes.Body, anaNote) || strings.Contains(yes.Body, benNote) || strings.Contains(no.Body, anaNote) || !strings.Contains(no.Body, benNote) {
		t.Fatal("the training filter does not select by completion")
	}
	res, err := http.DefaultClient.Do(authGet(t, w.ts.srv.URL+"/api/v1/calls/"+w.callID+"/exports/shortlist.csv", w.coord))
	if err != nil {
		t.Fatal(err)
	}
	csv, _ := io.ReadAll(res.Body)
	res.Body.Close()
	lines := strings.Split(strings.TrimSpace(string(csv)), "\r\n")
	if res.StatusCode != 200 || !strings.HasSuffix(lines[0], ",Completed the training") {
		t.Fatalf("shortlist: %d %s", res.StatusCode, lines[0])
	}
	yesRows := 0
	for _, l := range lines[1:] {
		if strings.HasSuffix(l, ",Yes") {
			yesRows++
		}
	}
	if len(lines) != 3 || yesRows != 1 {
		t.Fatalf("shortlist rows:\n%s", csv)
	}
	// A call without a programme shows no such column.
	other := w.ts.makeCall("untrained-2026", nil)
	if pg := b.get("/committee?call=untrained-2026"); strings.Contains(pg.Body, "Completed the training") || other == "" {
		t.Fatal("a call without a programme shows the training column")
	}
}

func TestAttendanceUploadPageAndProgress(t *testing.T) {
	w := newTrainingWorld(t, nil)
	coord, _ := w.ts.user("Page Coordinator", "Programme", "government", "coordinator")
	b := w.ts.browser()
	b.signIn(coord.Email, "a long enough password")
	path := "/admin/sessions/" + w.sessions[0]
	tok := b.csrf(path)
	post := func(csv string, fields map[string]string) htmlPage {
		t.Helper()
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		mw.WriteField("csrf_token", tok)
		for k, v := range fields {
			mw.WriteField(k, v)
		}
		fw, _ := mw.CreateFormFile("file", "report.csv")
		fw.Write([]byte(csv))
		mw.Close()
		req, _ := http.NewRequest("POST", w.ts.srv.URL+path+"/attendance", &body)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		res, err := b.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		raw, _ := io.ReadAll(res.Body)
		return htmlPage{Status: res.StatusCode, Location: res.Header.Get("Location"), Body: string(raw)}
	}
	pg := post("Email;Minutes\n"+w.ana.Email+";90\nnobody;80\n", nil)
	if pg.Status != 422 || !strings.Contains(pg.Body, "Nothing was imported") || !strings.Contains(pg.Body, `&#34;nobody&#34; is not an e-mail address`) {
		t.Fatalf("malformed report: %d %s", pg.Status, pg.Body)
	}
	pg = post("Who,When\nx,y\n", map[string]string{"email_col": "Mail"})
	if pg.Status != 422 || !strings.Contains(pg.Body, `the file&#39;s columns are &#34;Who&#34;, &#34;When&#34;`) {
		t.Fatalf("unknown columns: %d %s", pg.Status, pg.Body)
	}
	pg = post("Email,Minutes\n"+w.ana.Email+",90\nzed@nowhere.example,80\n", nil)
	if pg.Status != 303 || !strings.Contains(pg.Location, "/imports/") {
		t.Fatalf("import: %d %s", pg.Status, pg.Location)
	}
	done := b.get(pg.Location)
	if done.Status != 200 || !strings.Contains(done.Body, "1 participant&#39;s minutes recorded from 2 rows") || !strings.Contains(done.Body, "zed@nowhere.example") {
		t.Fatalf("report page: %d %s", done.Status, done.Body)
	}
	other := w.ts.browser()
	other.signIn(w.ana.Email, "a long enough password")
	if pg := other.get(pg.Location); pg.Status != 403 {
		t.Fatalf("a participant reads the import: %d", pg.Status)
	}
	c2, _ := w.ts.user("Other Coordinator", "Programme", "government", "coordinator")
	b2 := w.ts.browser()
	b2.signIn(c2.Email, "a long enough password")
	if pg := b2.get(pg.Location); pg.Status != 404 {
		t.Fatalf("another coordinator reads the import: %d", pg.Status)
	}
}

// TestImportProgressPageRefreshes checks a running import's page: it
// shows the rows read so far and asks the browser to reload it.
func TestImportProgressPageRefreshes(t *testing.T) {
	w := newTrainingWorld(t, nil)
	coord, _ := w.ts.user("Slow Coordinator", "Programme", "government", "coordinator")
	b := w.ts.browser()
	b.signIn(coord.Email, "a long enough password")
	j := &importJob{id: "runningjob1234567890", owner: coord.ID, session: w.sessions[0], started: time.Now()}
	j.progress.Read, j.progress.Total, j.progress.Matched = 1250, 5000, 1200
	imports.add(j)
	req, _ := http.NewRequest("GET", w.ts.srv.URL+"/admin/sessions/"+w.sessions[0]+"/imports/"+j.id, nil)
	res, err := b.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || res.Header.Get("Refresh") != "1" || !strings.Contains(string(raw), "Read 1250 of 5000 rows; 1200 matched") {
		t.Fatalf("%d %q %s", res.StatusCode, res.Header.Get("Refresh"), raw)
	}
}

func TestProgrammeFormAndInterest(t *testing.T) {
	ts := newTestServer(t)
	callID := ts.makeCall("form-2026", nil)
	coord, _ := ts.user("Form Coordinator", "Programme", "government", "coordinator")
	b := ts.browser()
	b.signIn(coord.Email, "a long enough password")
	path := "/admin/calls/" + callID + "/programme"
	pg := b.get(path)
	if pg.Status != 200 || !strings.Contains(pg.Body, `name="s0_title"`) {
		t.Fatalf("empty form: %d", pg.Status)
	}
	tok := b.csrf(path)
	form := url.Values{"csrf_token": {tok}, "version": {"0"}, "rows": {"2"}, "title": {"Webinars"}, "issuers": {"The committee"},
		"s0_title": {"First"}, "s0_starts_at": {"2026-05-05T10:30"}, "s0_minutes": {"ninety"}, "s0_min_minutes": {""},
		"s1_title": {""}, "s1_minutes": {"90"}, "s1_min_minutes": {"60"}}
	pg = b.post(path, form)
	if pg.Status != 422 || !strings.Contains(pg.Body, `id="s0_minutes-error"`) || !strings.Contains(pg.Body, `value="First"`) {
		t.Fatalf("bad minutes: %d %s", pg.Status, pg.Body)
	}
	form.Set("s0_minutes", "90")
	form.Set("s0_online_url", "ftp://example.org")
	if pg = b.post(path, form); pg.Status != 422 || !strings.Contains(pg.Body, `id="s0_online_url-error"`) {
		t.Fatalf("bad link: %d", pg.Status)
	}
	form.Set("s0_online_url", "https://meet.example/1")
	if pg = b.post(path, form); pg.Status != 303 {
		t.Fatalf("save: %d %s", pg.Status, pg.Body)
	}
	r := ts.api("GET", "/api/v1/calls/"+callID+"/programme", "", nil)
	ss := r.obj("programme")["sessions"].([]any)
	if len(ss) != 1 || ss[0].(map[string]any)["starts_at"] != "2026-05-05T16:30:00Z" || ss[0].(map[string]any)["min_minutes"] != 60.0 {
		t.Fatalf("saved: %s", r.Raw)
	}
	sid := ss[0].(map[string]any)["id"].(string)

	pb, _, _ := ts.participant("Pia Participant")
	ptok := pb.csrf("/calls/form-2026/programme")
	pg = pb.post("/calls/form-2026/programme/interest", url.Values{"csrf_token": {ptok}, "session": {sid}, "mode": {"in_person"}})
	if pg.Status != 303 {
		t.Fatalf("interest: %d %s", pg.Status, pg.Body)
	}
	if pg = pb.get("/calls/form-2026/programme"); !strings.Contains(pg.Body, "Registered in person") {
		t.Fatal("the registration is not shown")
	}
	if pg = pb.post("/calls/form-2026/programme/interest", url.Values{"csrf_token": {ptok}, "session": {callID + "-00000000"}, "mode": {"online"}}); pg.Status != 404 {
		t.Fatalf("interest in a forged session: %d", pg.Status)
	}
}

// TestTrainingPagesEscapeText puts the hostile payload in every text of a
// programme and in a participant's name, and checks every training page
// shows only its escaped form.
func TestTrainingPagesEscapeText(t *testing.T) {
	ts := newTestServer(t)
	callID := ts.makeCall("escape-2026", nil)
	coord, coordTok := ts.user("Esc Coordinator", "Programme", "government", "coordinator")
	r := ts.api("PUT", "/api/v1/calls/"+callID+"/programme", coordTok, map[string]any{"title": "Webinars " + payload, "issuers": "Issuer " + payload,
		"sessions": []map[string]any{{"title": "One " + payload, "starts_at": "2026-05-05T10:30", "minutes": 90, "venue": "Hall " + payload,
			"experts": "Expert " + payload, "topics": "Topic " + payload, "description": "About " + payload, "online_url": "https://meet.example/?q=" + url.QueryEscape(payload)}}})
	if r.Status != 200 {
		t.Fatalf("%d %s", r.Status, r.Raw)
	}
	sid := r.obj("programme")["sessions"].([]any)[0].(map[string]any)["id"].(string)
	p, ptok := ts.user("Pat Payload", "Org", "civil_society")
	if r := ts.api("PATCH", "/api/v1/users/"+p.ID, coordTok, map[string]any{"name": "Pat " + payload, "organization": "Org " + payload}); r.Status != 200 {
		t.Fatalf("rename: %d %s", r.Status, r.Raw)
	}
	if r := ts.api("POST", "/api/v1/sessions/"+sid+"/interest", ptok, map[string]any{"mode": "online"}); r.Status != 204 {
		t.Fatal(r.Status)
	}
	cb := ts.browser()
	cb.signIn(coord.Email, "a long enough password")
	pb := ts.browser()
	pb.signIn(p.Email, "a long enough password")
	pages := map[*browser][]string{
		cb: {"/calls/escape-2026/programme", "/admin/calls/" + callID + "/programme", "/admin/sessions/" + sid, "/admin/sessions/" + sid + "/checkin", "/calls/escape-2026"},
		pb: {"/calls/escape-2026/programme"},
	}
	seen := 0
	for b, paths := range pages {
		for _, path := range paths {
			pg := b.get(path)
			if pg.Status != 200 {
				t.Errorf("%s: %d", path, pg.Status)
				continue
			}
			if strings.Contains(pg.Body, "<script>alert") || strings.Contains(pg.Body, "<img src=x") {
				t.Errorf("%s: the payload is raw", path)
			}
			if strings.Contains(pg.Body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
				seen++
			}
		}
	}
	if seen < 6 {
		t.Errorf("the escaped payload shows on only %d pages", seen)
	}
	if pg := ts.browser().get("/verify/" + url.PathEscape(payload)); pg.Status != 404 || strings.Contains(pg.Body, "<script>alert") {
		t.Errorf("verify page: %d", pg.Status)
	}
}
