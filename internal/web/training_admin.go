package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"cocreate/internal/app"
	"cocreate/internal/apperr"
	"cocreate/internal/auth"
	"cocreate/internal/store"
	"cocreate/internal/training"
)

// sessionRow is one session's fields on the programme form, as typed.
type sessionRow struct {
	Index                                                      int
	ID, Title, StartsAt, Minutes, MinMinutes, Venue, OnlineURL string
	Experts, Topics, Description                               string
	Existing                                                   bool
}

// programmeForm is the coordinator's form of a call's programme.
type programmeForm struct {
	Layout
	Call           *store.Call
	Title, Issuers string
	Version        int
	Rows           []sessionRow
	Errors         map[string]string
	ErrorKeys      []string
	Sessions       []sessionView // the saved sessions, for their admin links
	HasProgramme   bool
	ZoneName       string
}

// programmeEditPage is GET /admin/calls/{id}/programme.
func (h *Handler) programmeEditPage(c *gin.Context) {
	call, p, err := h.app.Programme(c.Request.Context(), c.Param("id"))
	if err != nil && !(call != nil && store.IsNotFound(err)) {
		h.fail(c, err)
		return
	}
	f := &programmeForm{Layout: Layout{Title: "Training programme: " + call.Title}, Call: call, Errors: map[string]string{}, ZoneName: zoneLabel(call.TimeZone)}
	if p != nil {
		f.HasProgramme, f.Title, f.Issuers, f.Version = true, p.Title, p.Issuers, p.Version
		f.Sessions = h.sessionViews(call, p)
		for i, s := range p.Sessions {
			f.Rows = append(f.Rows, sessionRow{Index: i, ID: s.ID, Title: s.Title, StartsAt: s.StartsAt.In(call.Location()).Format("2006-01-02T15:04"),
				Minutes: strconv.Itoa(s.Minutes), MinMinutes: strconv.Itoa(s.MinMinutes), Venue: s.Venue, OnlineURL: s.OnlineURL,
				Experts: s.Experts, Topics: s.Topics, Description: s.Description, Existing: true})
		}
	}
	f.Rows = append(f.Rows, sessionRow{Index: len(f.Rows), Minutes: "90", MinMinutes: strconv.Itoa(training.DefaultMinMinutes)})
	h.render(c, http.StatusOK, "programme_edit", f)
}

func zoneLabel(zone string) string {
	if n := zoneNames[zone]; n != "" {
		return n
	}
	return zone + " time"
}

// maxFormSessions bounds the rows a programme form posts.
const maxFormSessions = 60

// programmeEditSubmit is POST /admin/calls/{id}/programme. Rows with every
// field empty are ignored; a row ticked "remove" is dropped.
func (h *Handler) programmeEditSubmit(c *gin.Context) {
	ctx := c.Request.Context()
	call, err := h.app.CallByKey(ctx, c.Param("id"))
	if err != nil {
		h.fail(c, err)
		return
	}
	f := &programmeForm{Layout: Layout{Title: "Training programme: " + call.Title}, Call: call, Errors: map[string]string{},
		Title: c.PostForm("title"), Issuers: c.PostForm("issuers"), ZoneName: zoneLabel(call.TimeZone)}
	version, err := strconv.Atoi(c.DefaultPostForm("version", "0"))
	if err != nil || version < 0 {
		h.fail(c, badRequest("The form is missing the programme's version. Reload the page and try again."))
		return
	}
	f.Version = version
	rows, _ := strconv.Atoi(c.PostForm("rows"))
	rows = min(max(rows, 0), maxFormSessions)
	in := app.ProgrammeInput{Title: f.Title, Issuers: f.Issuers, Version: &version}
	var formIndex []int // input session j is form row formIndex[j]
	for i := 0; i < rows; i++ {
		k := func(name string) string { return c.PostForm(fmt.Sprintf("s%d_%s", i, name)) }
		r := sessionRow{Index: i, ID: k("id"), Title: k("title"), StartsAt: k("starts_at"), Minutes: k("minutes"), MinMinutes: k("min_minutes"),
			Venue: k("venue"), OnlineURL: k("online_url"), Experts: k("experts"), Topics: k("topics"), Description: k("description"), Existing: k("id") != ""}
		if k("remove") != "" {
			continue
		}
		if r.ID == "" && strings.TrimSpace(r.Title+r.StartsAt+r.Venue+r.OnlineURL+r.Experts+r.Topics+r.Description) == "" {
			f.Rows = append(f.Rows, r)
			continue // the blank row left for a new session
		}
		f.Rows = append(f.Rows, r)
		si := app.SessionInput{ID: r.ID, Title: r.Title, StartsAt: r.StartsAt, Venue: r.Venue, OnlineURL: r.OnlineURL,
			Experts: r.Experts, Topics: r.Topics, Description: r.Description}
		if si.Minutes, err = strconv.Atoi(strings.TrimSpace(r.Minutes)); err != nil {
			f.Errors[fmt.Sprintf("s%d_minutes", i)] = "Enter the duration as a number of minutes, such as 90"
		}
		if strings.TrimSpace(r.MinMinutes) != "" {
			if si.MinMinutes, err = strconv.Atoi(strings.TrimSpace(r.MinMinutes)); err != nil {
				f.Errors[fmt.Sprintf("s%d_min_minutes", i)] = "Enter the minimum as a number of minutes, such as 60"
			}
		}
		in.Sessions = append(in.Sessions, si)
		formIndex = append(formIndex, i)
	}
	var p *training.Programme
	if len(f.Errors) == 0 {
		p, err = h.app.SaveProgramme(ctx, currentUser(c), call.ID, in)
	}
	var fe apperr.Fields
	switch {
	case len(f.Errors) > 0:
	case errors.As(err, &fe):
		for k, v := range fe {
			var j int
			var field string
			if n, _ := fmt.Sscanf(strings.Replace(k, ".", " ", 2), "sessions %d %s", &j, &field); n == 2 && j < len(formIndex) {
				f.Errors[fmt.Sprintf("s%d_%s", formIndex[j], field)] = v
			} else {
				f.Errors[k] = v
			}
		}
	case errors.Is(err, apperr.ErrStaleVersion):
		f.Errors["title"] = "Someone else changed the programme since you opened this page: reload it to see their changes."
	case err != nil:
		h.fail(c, err)
		return
	default:
		h.flash(c, fmt.Sprintf("Programme saved with %d %s.", len(p.Sessions), pluralOf(len(p.Sessions), "session", "sessions")))
		redirect(c, "/admin/calls/"+call.ID+"/programme")
		return
	}
	for _, k := range []string{"title", "issuers"} {
		if f.Errors[k] != "" {
			f.ErrorKeys = append(f.ErrorKeys, k)
		}
	}
	for _, r := range f.Rows {
		for _, n := range []string{"id", "title", "starts_at", "minutes", "min_minutes", "venue", "online_url", "experts", "topics", "description"} {
			if k := fmt.Sprintf("s%d_%s", r.Index, n); f.Errors[k] != "" {
				f.ErrorKeys = append(f.ErrorKeys, k)
			}
		}
	}
	if last := len(f.Rows); last == 0 || f.Rows[last-1].Title != "" {
		f.Rows = append(f.Rows, sessionRow{Index: rows, Minutes: "90", MinMinutes: "60"})
	}
	f.Title = "Error: " + f.Layout.Title
	f.Layout.Title = f.Title
	f.Title = c.PostForm("title")
	h.render(c, http.StatusUnprocessableEntity, "programme_edit", f)
}

// sessionAdmin is the coordinator's page of one session: attendance
// import, check-in and library.
type sessionAdmin struct {
	Layout
	Call                      *store.Call
	Programme                 *training.Programme
	Session                   sessionView
	Mapping                   training.Mapping
	Errors                    map[string]string
	Malformed                 []training.Problem
	Headers                   []string
	Online, InPerson, Present int
	Link                      struct{ Title, URL string }
}

// sessionAdminPage is GET /admin/sessions/{id}.
func (h *Handler) sessionAdminPage(c *gin.Context) {
	p, err := h.sessionAdminData(c)
	if err != nil {
		h.fail(c, err)
		return
	}
	h.render(c, http.StatusOK, "session_admin", p)
}

func (h *Handler) sessionAdminData(c *gin.Context) (*sessionAdmin, error) {
	ctx := c.Request.Context()
	call, prog, s, err := h.app.Session(ctx, c.Param("id"))
	if err != nil {
		return nil, err
	}
	p := &sessionAdmin{Layout: Layout{Title: s.Title}, Call: call, Programme: prog, Errors: map[string]string{},
		Session: sessionView{Session: s, When: formatInZone(s.StartsAt, call.TimeZone), Duration: minutesWords(s.Minutes)}}
	if prog.Mapping != nil {
		p.Mapping = *prog.Mapping
	}
	att, err := h.app.SessionAttendance(ctx, currentUser(c), s.ID)
	if err != nil {
		return nil, err
	}
	for _, a := range att {
		switch a.Mode {
		case training.ModeOnline:
			p.Online++
		case training.ModeInPerson:
			p.InPerson++
		}
		if training.Present(s, a) {
			p.Present++
		}
	}
	return p, nil
}

// importJob is an attendance import running in the background, so that a
// report of thousands of rows shows its progress on a page that refreshes.
type importJob struct {
	id, owner, session string
	started            time.Time

	mu       sync.Mutex
	progress training.Progress
	done     bool
	report   *app.AttendanceReport
	err      error
}

func (j *importJob) snapshot() (training.Progress, bool, *app.AttendanceReport, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.progress, j.done, j.report, j.err
}

// importJobs are this process's imports of the last hour.
type importJobs struct {
	mu sync.Mutex
	m  map[string]*importJob
}

// imports holds the running and recent attendance imports. They live in
// the process that runs them: the progress page is answered by it (a
// deployment behind a load balancer needs sticky sessions for the page;
// the API's import answers in one request).
var imports = &importJobs{m: map[string]*importJob{}}

func (js *importJobs) add(j *importJob) {
	js.mu.Lock()
	defer js.mu.Unlock()
	for id, old := range js.m {
		if time.Since(old.started) > time.Hour {
			delete(js.m, id)
		}
	}
	js.m[j.id] = j
}

func (js *importJobs) get(id string) *importJob {
	js.mu.Lock()
	defer js.mu.Unlock()
	return js.m[id]
}

// importTimeout bounds one background import.
const importTimeout = 10 * time.Minute

// attendanceUploadSubmit is POST /admin/sessions/{id}/attendance: the file
// is read here, then imported in the background; a small report finishes
// within the wait below and its outcome shows at once, a large one sends
// the coordinator to its progress page.
func (h *Handler) attendanceUploadSubmit(c *gin.Context) {
	p, err := h.sessionAdminData(c)
	if err != nil {
		h.fail(c, err)
		return
	}
	again := func(status int) {
		p.Title = "Error: " + p.Title
		h.render(c, status, "session_admin", p)
	}
	data, _, err := readTrainingUpload(c, maxAttendanceUpload)
	var tl *tooLarge
	switch {
	case errors.As(err, &tl):
		p.Errors["file"] = tl.SafeMessage()
		again(http.StatusRequestEntityTooLarge)
		return
	case err != nil:
		p.Errors["file"] = "Choose the attendance report (.xlsx or .csv) to upload."
		again(http.StatusUnprocessableEntity)
		return
	}
	m := &training.Mapping{Email: strings.TrimSpace(c.PostForm("email_col")), Name: strings.TrimSpace(c.PostForm("name_col")),
		Minutes: strings.TrimSpace(c.PostForm("minutes_col"))}
	p.Mapping = *m
	u := currentUser(c)
	j := &importJob{id: auth.NewSecret()[:20], owner: u.ID, session: p.Session.ID, started: time.Now()}
	imports.add(j)
	done := make(chan struct{})
	// The import outlives the request: its context is taken now (gin reuses
	// c once the handler returns) and detached from the request's end.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(c.Request.Context()), importTimeout)
	go func() {
		defer close(done)
		defer cancel()
		rep, err := h.app.ImportAttendance(ctx, u, p.Session.ID, data, m, func(pr training.Progress) {
			j.mu.Lock()
			j.progress = pr
			j.mu.Unlock()
		})
		j.mu.Lock()
		j.report, j.err, j.done = rep, err, true
		j.mu.Unlock()
	}()
	select {
	case <-done:
	case <-time.After(2 * time.Second):
	}
	if _, finished, _, err := j.snapshot(); finished && err != nil && h.importErrorOnForm(p, err) {
		again(http.StatusUnprocessableEntity)
		return
	}
	redirect(c, "/admin/sessions/"+url.PathEscape(p.Session.ID)+"/imports/"+j.id)
}

// importErrorOnForm puts an import's failure beside the form's field and
// reports whether it is one a person can fix there.
func (h *Handler) importErrorOnForm(p *sessionAdmin, err error) bool {
	var rej *app.AttendanceRejected
	var need *app.MappingNeeded
	var inv *apperr.Invalid
	switch {
	case errors.As(err, &rej):
		p.Errors["file"] = rej.SafeMessage()
		p.Malformed = rej.Report.Report.Malformed
	case errors.As(err, &need):
		p.Errors["email_col"] = need.SafeMessage()
		p.Headers = need.Headers
	case errors.As(err, &inv):
		p.Errors["file"] = inv.Message
	default:
		return false
	}
	return true
}

// importPage shows an attendance import: its progress while it runs
// (the page asks the browser to reload it every second), then its report.
type importPage struct {
	Layout
	Session  sessionView
	Progress training.Progress
	Done     bool
	Report   *app.AttendanceReport
	Problem  string
	Admin    *sessionAdmin
}

// attendanceImportPage is GET /admin/sessions/{id}/imports/{job}.
func (h *Handler) attendanceImportPage(c *gin.Context) {
	p, err := h.sessionAdminData(c)
	if err != nil {
		h.fail(c, err)
		return
	}
	j := imports.get(c.Param("job"))
	if j == nil || j.owner != currentUser(c).ID || j.session != p.Session.ID {
		h.renderError(c, http.StatusNotFound, "This import is not known: imports are shown for an hour after they start. Upload the file again to see its report.")
		return
	}
	pr, done, rep, err := j.snapshot()
	pg := &importPage{Layout: Layout{Title: "Importing attendance: " + p.Session.Title}, Session: p.Session, Progress: pr, Done: done, Report: rep, Admin: p}
	switch {
	case !done:
		c.Header("Refresh", "1")
	case err != nil:
		if !h.importErrorOnForm(p, err) {
			pg.Problem = safeSentence(err, "The import failed. Nothing was lost: upload the file again.")
		}
		pg.Title = "Not imported: " + p.Session.Title
	default:
		pg.Title = "Attendance imported: " + p.Session.Title
	}
	h.render(c, http.StatusOK, "attendance_import", pg)
}

// checkInView is the phone check-in page of a session.
type checkInView struct {
	Layout
	Session sessionView
	Query   string
	Rows    []checkInRow
}

type checkInRow struct {
	User    *store.User
	Present bool
	Mode    string
	Minutes int
}

// checkInPage is GET /admin/sessions/{id}/checkin?q=: search a name, tick present.
func (h *Handler) checkInPage(c *gin.Context) {
	ctx := c.Request.Context()
	call, _, s, err := h.app.Session(ctx, c.Param("id"))
	if err != nil {
		h.fail(c, err)
		return
	}
	q := c.Query("q")
	if len(q) > 200 {
		q = q[:200]
	}
	rows, err := h.app.Roster(ctx, currentUser(c), s.ID, q)
	if err != nil {
		h.fail(c, err)
		return
	}
	p := &checkInView{Layout: Layout{Title: "Check-in: " + s.Title}, Query: q,
		Session: sessionView{Session: s, When: formatInZone(s.StartsAt, call.TimeZone)}}
	for _, r := range rows {
		p.Rows = append(p.Rows, checkInRow{User: r.User, Present: r.Attendance.CheckedIn, Mode: r.Attendance.Mode, Minutes: r.Attendance.Minutes})
	}
	h.render(c, http.StatusOK, "checkin", p)
}

// checkInSubmit is POST /admin/sessions/{id}/checkin: user_id, present (yes or no), q.
func (h *Handler) checkInSubmit(c *gin.Context) {
	sid := c.Param("id")
	present := c.PostForm("present") == "yes"
	if v := c.PostForm("present"); v != "yes" && v != "no" {
		h.fail(c, badRequest("Say whether the participant is present."))
		return
	}
	who, err := h.app.CheckIn(c.Request.Context(), currentUser(c), sid, c.PostForm("user_id"), app.CheckInInput{Present: &present})
	if err != nil {
		h.fail(c, err)
		return
	}
	if present {
		h.flash(c, "Checked in: "+who.Name+".")
	} else {
		h.flash(c, "No longer checked in: "+who.Name+".")
	}
	redirect(c, "/admin/sessions/"+url.PathEscape(sid)+"/checkin?q="+url.QueryEscape(c.PostForm("q")))
}

// resourceAddSubmit is POST /admin/sessions/{id}/resources: a title and a
// link, or a file (PDF or slides, up to 20 MB).
func (h *Handler) resourceAddSubmit(c *gin.Context) {
	p, err := h.sessionAdminData(c)
	if err != nil {
		h.fail(c, err)
		return
	}
	in := app.ResourceInput{Title: c.PostForm("title"), URL: c.PostForm("url")}
	p.Link.Title, p.Link.URL = in.Title, in.URL
	status := http.StatusUnprocessableEntity
	if in.URL == "" {
		data, name, err := readTrainingUpload(c, maxLibraryUpload)
		var tl *tooLarge
		switch {
		case errors.As(err, &tl):
			p.Errors["resource_file"], status = "The file is larger than 20 MB: compress it or add it as a link.", http.StatusRequestEntityTooLarge
		case err != nil:
			p.Errors["url"] = "Give a link, or choose a file to upload."
		default:
			in.Name, in.Data = name, data
		}
	}
	if len(p.Errors) == 0 {
		_, err = h.app.AddResource(c.Request.Context(), currentUser(c), p.Session.ID, in)
		var fe apperr.Fields
		var inv *apperr.Invalid
		switch {
		case errors.As(err, &fe):
			for k, v := range fe {
				p.Errors[k] = v
			}
		case errors.As(err, &inv):
			p.Errors["resource_file"] = inv.Message
		case err != nil:
			h.fail(c, err)
			return
		default:
			h.flash(c, "Added to the library: "+strings.TrimSpace(in.Title+" "+in.Name)+".")
			redirect(c, "/admin/sessions/"+url.PathEscape(p.Session.ID)+"#library")
			return
		}
	}
	p.Title = "Error: " + p.Title
	h.render(c, status, "session_admin", p)
}

// resourceDeleteSubmit is POST /admin/sessions/{id}/resources/{rid}/delete.
func (h *Handler) resourceDeleteSubmit(c *gin.Context) {
	sid := c.Param("id")
	if err := h.app.RemoveResource(c.Request.Context(), currentUser(c), sid, c.Param("rid")); err != nil {
		h.fail(c, err)
		return
	}
	h.flash(c, "Removed from the library.")
	redirect(c, "/admin/sessions/"+url.PathEscape(sid)+"#library")
}
