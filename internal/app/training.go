package app

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"cocreate/internal/apperr"
	"cocreate/internal/store"
	"cocreate/internal/training"
)

// SessionInput is one session in the body of PUT /api/v1/calls/{id}/programme.
// StartsAt is RFC 3339, or "YYYY-MM-DDTHH:MM" in the call's zone (what a
// page's date-and-time field gives). ID names an existing session to keep
// (its attendance and library); a new session has none.
type SessionInput struct {
	ID          string `json:"id"`
	Title       string `json:"title"`
	StartsAt    string `json:"starts_at"`
	Minutes     int    `json:"minutes"`
	Venue       string `json:"venue"`
	OnlineURL   string `json:"online_url"`
	Experts     string `json:"experts"`
	Topics      string `json:"topics"`
	Description string `json:"description"`
	MinMinutes  int    `json:"min_minutes"`
}

// ProgrammeInput is the body of PUT /api/v1/calls/{id}/programme. Version,
// when given, must be the stored programme's (0 or absent for a new one).
type ProgrammeInput struct {
	Title    string         `json:"title"`
	Issuers  string         `json:"issuers"`
	Sessions []SessionInput `json:"sessions"`
	Version  *int           `json:"version"`
}

// Programme returns the call (id or slug) and its programme;
// apperr.ErrNotFound when the call has none.
func (a *App) Programme(ctx context.Context, callKey string) (*store.Call, *training.Programme, error) {
	c, err := a.CallByKey(ctx, callKey)
	if err != nil {
		return nil, nil, err
	}
	p, err := a.Store.ProgrammeOf(ctx, c.ID)
	if err != nil {
		return c, nil, err
	}
	sortSessions(p)
	return c, p, nil
}

func sortSessions(p *training.Programme) {
	sort.SliceStable(p.Sessions, func(i, j int) bool { return p.Sessions[i].StartsAt.Before(p.Sessions[j].StartsAt) })
}

// SaveProgramme sets the call's programme (coordinators). Sessions named by
// id keep their attendance and library; sessions left out are removed.
func (a *App) SaveProgramme(ctx context.Context, u *store.User, callKey string, in ProgrammeInput) (*training.Programme, error) {
	if !u.Has("coordinator") {
		return nil, fmt.Errorf("save programme: %w", apperr.ErrForbidden)
	}
	c, err := a.CallByKey(ctx, callKey)
	if err != nil {
		return nil, err
	}
	old, err := a.Store.ProgrammeOf(ctx, c.ID)
	switch {
	case store.IsNotFound(err):
		old = &training.Programme{CallID: c.ID}
	case err != nil:
		return nil, err
	}
	if in.Version != nil && *in.Version != old.Version {
		return nil, fmt.Errorf("save programme: %w", apperr.ErrStaleVersion)
	}
	p := &training.Programme{CallID: c.ID, Title: in.Title, Issuers: in.Issuers, Mapping: old.Mapping}
	fields := apperr.Fields{}
	for i, si := range in.Sessions {
		s := training.Session{ID: si.ID, Title: si.Title, Minutes: si.Minutes, Venue: si.Venue, OnlineURL: si.OnlineURL,
			Experts: si.Experts, Topics: si.Topics, Description: si.Description, MinMinutes: si.MinMinutes}
		if s.ID == "" {
			s.ID = newSessionID(c.ID)
		} else if prev, ok := old.Session(s.ID); ok {
			s.Resources = prev.Resources
		} else {
			fields[fmt.Sprintf("sessions.%d.id", i)] = "This session is not in the programme: leave the id out for a new session"
		}
		if t, ok := parseLocalTime(si.StartsAt, c.Location()); ok {
			s.StartsAt = t
		} else if strings.TrimSpace(si.StartsAt) != "" {
			fields[fmt.Sprintf("sessions.%d.starts_at", i)] = "Enter the start as a date and time, such as 2020-02-04T10:30"
		}
		p.Sessions = append(p.Sessions, s)
	}
	for k, v := range p.Validate() {
		if fields[k] == "" {
			fields[k] = v
		}
	}
	if len(fields) > 0 {
		return nil, fields
	}
	sortSessions(p)
	err = a.Store.SaveProgramme(ctx, p, old.Version)
	a.trainingChanged(c.ID)
	if err != nil {
		return nil, err
	}
	return p, nil
}

// parseLocalTime reads RFC 3339, or a local date and time in loc.
func parseLocalTime(s string, loc *time.Location) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), true
	}
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02 15:04"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// newSessionID is the call's id, a dash and random hex: the call a session
// belongs to is read from its id, with no look-up.
func newSessionID(callID string) string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return callID + "-" + hex.EncodeToString(b[:])
}

// Session returns the call, programme and session with that id;
// apperr.ErrNotFound when there is none.
func (a *App) Session(ctx context.Context, sessionID string) (*store.Call, *training.Programme, training.Session, error) {
	i := strings.LastIndexByte(sessionID, '-')
	if i <= 0 {
		return nil, nil, training.Session{}, fmt.Errorf("session %q: %w", sessionID, apperr.ErrNotFound)
	}
	c, p, err := a.Programme(ctx, sessionID[:i])
	if err != nil {
		return nil, nil, training.Session{}, fmt.Errorf("session %q: %w", sessionID, apperr.ErrNotFound)
	}
	s, ok := p.Session(sessionID)
	if !ok {
		return nil, nil, training.Session{}, fmt.Errorf("session %q: %w", sessionID, apperr.ErrNotFound)
	}
	return c, p, s, nil
}

// RegisterInterest records the mode (online or in_person) u means to
// attend the session in.
func (a *App) RegisterInterest(ctx context.Context, u *store.User, sessionID, mode string) error {
	c, _, s, err := a.Session(ctx, sessionID)
	if err != nil {
		return err
	}
	if mode != training.ModeOnline && mode != training.ModeInPerson {
		return apperr.Fields{"mode": `Choose "online" or "in_person"`}
	}
	return a.Store.SetInterest(ctx, c.ID, s.ID, u.ID, mode)
}

// MyAttendance returns u's attendance at each session of the programme.
func (a *App) MyAttendance(ctx context.Context, u *store.User, p *training.Programme) (map[string]training.Attendance, error) {
	ids := make([]string, len(p.Sessions))
	for i, s := range p.Sessions {
		ids[i] = s.ID
	}
	return a.Store.AttendanceOf(ctx, u.ID, ids)
}

// fileInvalid is a file that cannot be read, as a 422 about the file field.
func fileInvalid(fe *training.FileError) error {
	return &apperr.Invalid{Message: fe.Text, Fields: map[string]string{"file": fe.Text}}
}

// AttendanceReport is the answer to an attendance import.
type AttendanceReport struct {
	Imported int               `json:"imported"`
	Read     int               `json:"read"`
	Report   AttendanceProblem `json:"report"`
	Mapping  training.Mapping  `json:"mapping"`
}

// AttendanceProblem lists the rows an import did not take as they were.
type AttendanceProblem struct {
	Unmatched  []training.Row       `json:"unmatched"`
	Duplicates []training.Duplicate `json:"duplicates"`
	Malformed  []training.Problem   `json:"malformed"`
}

// AttendanceRejected is an attendance report refused whole: some row is
// malformed (422; nothing was imported).
type AttendanceRejected struct{ Report *AttendanceReport }

// Error is the text for the log.
func (e *AttendanceRejected) Error() string {
	return fmt.Sprintf("attendance report refused: %d malformed rows", len(e.Report.Report.Malformed))
}

// SafeMessage says why nothing was imported.
func (e *AttendanceRejected) SafeMessage() string {
	m := e.Report.Report.Malformed
	if len(m) == 1 {
		return "Nothing was imported: " + m[0].Message + " Fix the row and upload the file again."
	}
	return fmt.Sprintf("Nothing was imported: %d rows are malformed (listed below). Fix them and upload the file again.", len(m))
}

// MappingNeeded is an attendance report whose columns could not be found
// under the mapping given (or guessed): Headers are the header cells the
// file has, to choose from.
type MappingNeeded struct{ Headers []string }

// Error is the text for the log.
func (e *MappingNeeded) Error() string { return "attendance report: columns not found" }

// SafeMessage asks for the columns.
func (e *MappingNeeded) SafeMessage() string {
	if len(e.Headers) == 0 {
		return "No header row was found in the first rows of the file: the report needs a row naming its columns."
	}
	return "Say which columns hold the e-mail and the minutes: the file's columns are " + strings.Join(quoteAll(e.Headers), ", ") + "."
}

func quoteAll(list []string) []string {
	out := make([]string, 0, len(list))
	for _, s := range list {
		if len(out) == 20 {
			out = append(out, "…")
			break
		}
		out = append(out, fmt.Sprintf("%q", s))
	}
	return out
}

// ImportAttendance imports an attendance report (xlsx or csv bytes) for a
// session (coordinators). mapping nil or empty uses the programme's last
// mapping, or one guessed from the headers; the mapping that worked is
// remembered. Any malformed row refuses the whole file
// (*AttendanceRejected); unmatched and duplicate rows are reported, and the
// matched participants' minutes recorded. progress, when set, hears how far
// the import has got.
func (a *App) ImportAttendance(ctx context.Context, u *store.User, sessionID string, data []byte, mapping *training.Mapping, progress func(training.Progress)) (*AttendanceReport, error) {
	if !u.Has("coordinator") {
		return nil, fmt.Errorf("import attendance: %w", apperr.ErrForbidden)
	}
	c, p, s, err := a.Session(ctx, sessionID)
	if err != nil {
		return nil, err
	}
	rows, err := training.ReadRows(data)
	if err != nil {
		var fe *training.FileError
		if errors.As(err, &fe) {
			return nil, fileInvalid(fe)
		}
		return nil, err
	}
	m := training.Mapping{}
	switch {
	case mapping != nil && (mapping.Email != "" || mapping.Minutes != ""):
		m = *mapping
	case p.Mapping != nil:
		m = *p.Mapping
	}
	if m.Email == "" || m.Minutes == "" {
		if g, ok := training.Guess(rows); ok {
			m = g
		}
	}
	opts := training.Options{Normalize: store.NormalizeEmail, Progress: progress,
		Lookup: func(email string) (string, error) {
			usr, err := a.Store.UserByEmail(ctx, email)
			if store.IsNotFound(err) || (err == nil && usr.Disabled) {
				return "", nil
			}
			if err != nil {
				return "", err
			}
			return usr.ID, nil
		}}
	res, err := training.Import(rows, m, opts)
	if errors.Is(err, training.ErrNoHeader) {
		// The remembered mapping may not fit this platform's report: guess.
		if g, ok := training.Guess(rows); ok && g != m && (mapping == nil || mapping.Email == "") {
			m = g
			res, err = training.Import(rows, m, opts)
		}
	}
	if errors.Is(err, training.ErrNoHeader) {
		return nil, &MappingNeeded{Headers: training.Headers(rows)}
	}
	if err != nil {
		return nil, err
	}
	rep := &AttendanceReport{Read: res.Read, Mapping: m,
		Report: AttendanceProblem{Unmatched: res.Unmatched, Duplicates: res.Duplicates, Malformed: res.Malformed}}
	if len(res.Malformed) > 0 {
		return nil, &AttendanceRejected{Report: rep}
	}
	minutes := make(map[string]int, len(res.Matched))
	for _, r := range res.Matched {
		minutes[r.UserID] = r.Minutes
	}
	err = a.Store.SetMinutes(ctx, c.ID, s.ID, minutes)
	a.trainingChanged(c.ID) // also after a failure: part of it may be written
	if err != nil {
		return nil, err
	}
	rep.Imported = len(minutes)
	if p.Mapping == nil || *p.Mapping != m {
		if err := a.Store.SetImportMapping(ctx, c.ID, m); err != nil {
			a.Log.Warn("remember the attendance mapping", "call", c.ID, "err", err)
		}
	}
	return rep, nil
}

// CheckInInput is the body of PUT /api/v1/sessions/{id}/attendance/{user_id}.
type CheckInInput struct {
	Present *bool `json:"present"`
	Minutes *int  `json:"minutes"`
}

// CheckIn records whether a participant was present in person at a
// session (coordinators), and optionally their minutes.
// It returns the participant.
func (a *App) CheckIn(ctx context.Context, u *store.User, sessionID, userID string, in CheckInInput) (*store.User, error) {
	if !u.Has("coordinator") {
		return nil, fmt.Errorf("check in: %w", apperr.ErrForbidden)
	}
	if in.Present == nil {
		return nil, apperr.Fields{"present": "Say whether the participant was present (true or false)"}
	}
	if in.Minutes != nil && (*in.Minutes < 0 || *in.Minutes > 24*60) {
		return nil, apperr.Fields{"minutes": "Minutes must be between 0 and 1440"}
	}
	c, _, s, err := a.Session(ctx, sessionID)
	if err != nil {
		return nil, err
	}
	p, err := a.Store.UserByID(ctx, userID)
	if err != nil {
		return nil, err
	}
	err = a.Store.SetCheckedIn(ctx, c.ID, s.ID, p.ID, *in.Present, in.Minutes)
	a.trainingChanged(c.ID)
	return p, err
}

// SessionAttendance returns every attendance record of a session
// (coordinators).
func (a *App) SessionAttendance(ctx context.Context, u *store.User, sessionID string) ([]training.Attendance, error) {
	if !u.Has("coordinator") {
		return nil, fmt.Errorf("session attendance: %w", apperr.ErrForbidden)
	}
	c, _, s, err := a.Session(ctx, sessionID)
	if err != nil {
		return nil, err
	}
	all, err := a.Store.AttendanceOfCall(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	var out []training.Attendance
	for _, by := range all {
		if at, ok := by[s.ID]; ok {
			out = append(out, at)
		}
	}
	return out, nil
}

// RosterRow is one person on a session's check-in page.
type RosterRow struct {
	User       *store.User
	Attendance training.Attendance
}

// Roster lists the participants whose name or e-mail contains q (every
// participant registered for or attending the session when q is empty),
// by name, at most 50, with their attendance (coordinators).
func (a *App) Roster(ctx context.Context, u *store.User, sessionID, q string) ([]RosterRow, error) {
	if !u.Has("coordinator") {
		return nil, fmt.Errorf("roster: %w", apperr.ErrForbidden)
	}
	c, _, s, err := a.Session(ctx, sessionID)
	if err != nil {
		return nil, err
	}
	att, err := a.Store.AttendanceOfCall(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	users, err := a.Store.AllUsers(ctx)
	if err != nil {
		return nil, err
	}
	q = strings.ToLower(strings.TrimSpace(q))
	var out []RosterRow
	for _, usr := range users {
		if usr.Disabled {
			continue
		}
		rec, known := att[usr.ID][s.ID]
		switch {
		case q == "" && !known:
			continue
		case q != "" && !strings.Contains(strings.ToLower(usr.Name), q) && !strings.Contains(usr.Email, q):
			continue
		}
		out = append(out, RosterRow{User: usr, Attendance: rec})
	}
	sort.Slice(out, func(i, j int) bool { return strings.ToLower(out[i].User.Name) < strings.ToLower(out[j].User.Name) })
	if len(out) > 50 {
		out = out[:50]
	}
	return out, nil
}

// Completion returns where userID stands in the call's programme; a call
// without a programme has nothing to complete (Complete false, no missing).
func (a *App) Completion(ctx context.Context, p *training.Programme, userID string) (training.Completion, error) {
	ids := make([]string, len(p.Sessions))
	for i, s := range p.Sessions {
		ids[i] = s.ID
	}
	by, err := a.Store.AttendanceOf(ctx, userID, ids)
	if err != nil {
		return training.Completion{}, err
	}
	return training.Complete(p, by), nil
}

// CompletedTraining returns the ids of the participants who completed the
// call's programme (none when it has no programme).
func (a *App) CompletedTraining(ctx context.Context, callID string) (map[string]bool, error) {
	p, err := a.Store.ProgrammeOf(ctx, callID)
	if store.IsNotFound(err) {
		return map[string]bool{}, nil
	}
	if err != nil {
		return nil, err
	}
	att, err := a.Store.AttendanceOfCall(ctx, callID)
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for uid, by := range att {
		if training.Complete(p, by).Complete {
			out[uid] = true
		}
	}
	return out, nil
}

// trainingGate refuses a submission to a call that requires the training
// when the note's owner has not completed it, naming the sessions missing.
func (a *App) trainingGate(ctx context.Context, n *store.Note, c *store.Call) error {
	if !c.RequiresTraining {
		return nil
	}
	p, err := a.Store.ProgrammeOf(ctx, c.ID)
	if store.IsNotFound(err) {
		return &apperr.Invalid{Message: "This call requires the training programme, which has not been published yet: your note is saved as a draft.",
			Fields: map[string]string{"training": "The training programme has not been published yet"}}
	}
	if err != nil {
		return err
	}
	sortSessions(p)
	done, err := a.Completion(ctx, p, n.Owner)
	if err != nil {
		return err
	}
	if done.Complete {
		return nil
	}
	loc := c.Location()
	var miss []string
	for _, s := range done.Missing {
		miss = append(miss, fmt.Sprintf("%s (%s)", s.Title, s.StartsAt.In(loc).Format("2 January 2006")))
	}
	msg := "This call accepts concept notes only from participants who attended every session of the training programme. Your note is saved as a draft; the attendance records show you missing: " + strings.Join(miss, "; ") + ". If you attended, ask the coordinator to check the attendance."
	return &apperr.Invalid{Message: msg, Fields: map[string]string{"training": msg}}
}

// TrainingMissing is why the note's owner may not submit to a call that
// requires the training ("" when they may: the call does not require it,
// or they completed it).
func (a *App) TrainingMissing(ctx context.Context, n *store.Note, c *store.Call) (string, error) {
	err := a.trainingGate(ctx, n, c)
	var inv *apperr.Invalid
	if errors.As(err, &inv) {
		return inv.Message, nil
	}
	return "", err
}

// submitCheck is a submission's guard: the note's rules, then the training.
func (a *App) submitCheck(ctx context.Context) func(n *store.Note, c *store.Call) error {
	return func(n *store.Note, c *store.Call) error {
		if err := a.checkSubmit(n, c); err != nil {
			return err
		}
		return a.trainingGate(ctx, n, c)
	}
}

// MyCertificate returns u's certificate of the call's programme, issuing
// it on first request; apperr.ErrNotFound unless u completed it.
func (a *App) MyCertificate(ctx context.Context, u *store.User, callKey string) (*store.Call, *training.Programme, *training.Certificate, error) {
	c, p, err := a.Programme(ctx, callKey)
	if err != nil {
		return nil, nil, nil, err
	}
	done, err := a.Completion(ctx, p, u.ID)
	if err != nil {
		return nil, nil, nil, err
	}
	if !done.Complete {
		return nil, nil, nil, apperr.Say(apperr.ErrNotFound, "You have no certificate for this programme: it is issued to those present at every session.")
	}
	cert, err := a.issue(ctx, c, p, u)
	return c, p, cert, err
}

func (a *App) issue(ctx context.Context, c *store.Call, p *training.Programme, u *store.User) (*training.Certificate, error) {
	return a.Store.IssueCertificate(ctx, &training.Certificate{Code: training.NewCode(), CallID: c.ID, UserID: u.ID,
		Name: u.Name, Programme: p.Title, CompletedAt: training.CompletedAt(p), IssuedAt: a.Now().UTC().Truncate(time.Millisecond)})
}

// EachCertificate calls fn with the certificate of every participant who
// completed the call's programme (coordinators), by name, issuing those
// not yet issued. It holds the list, never the PDFs.
func (a *App) EachCertificate(ctx context.Context, u *store.User, callKey string, fn func(*training.Certificate) error) (*store.Call, *training.Programme, error) {
	if !u.Has("coordinator") {
		return nil, nil, fmt.Errorf("certificates: %w", apperr.ErrForbidden)
	}
	c, p, err := a.Programme(ctx, callKey)
	if err != nil {
		return nil, nil, err
	}
	done, err := a.CompletedTraining(ctx, c.ID)
	if err != nil {
		return nil, nil, err
	}
	have, err := a.Store.CertificatesOfCall(ctx, c.ID)
	if err != nil {
		return nil, nil, err
	}
	ids := make([]string, 0, len(done))
	for id := range done {
		ids = append(ids, id)
	}
	users, err := a.Store.UsersByIDs(ctx, ids)
	if err != nil {
		return nil, nil, err
	}
	var list []*training.Certificate
	for _, id := range ids {
		cert := have[id]
		if cert == nil {
			usr := users[id]
			if usr == nil {
				continue
			}
			if cert, err = a.issue(ctx, c, p, usr); err != nil {
				return nil, nil, err
			}
		}
		list = append(list, cert)
	}
	sort.Slice(list, func(i, j int) bool { return strings.ToLower(list[i].Name) < strings.ToLower(list[j].Name) })
	return c, p, eachCert(list, fn)
}

func eachCert(list []*training.Certificate, fn func(*training.Certificate) error) error {
	for _, c := range list {
		if err := fn(c); err != nil {
			return err
		}
	}
	return nil
}

// WriteCertificate writes cert as a PDF; base starts the verification
// link when the service's public address (COCREATE_BASE_URL) is not set.
func (a *App) WriteCertificate(w io.Writer, c *store.Call, p *training.Programme, cert *training.Certificate, base string) error {
	return training.WriteCertificate(w, training.CertificateData{Name: cert.Name, Programme: cert.Programme, Issuers: p.Issuers,
		Sessions: p.Sessions, Location: c.Location(), Code: cert.Code, VerifyURL: a.VerifyURL(cert.Code, base), CompletedAt: cert.CompletedAt, Compress: true})
}

// VerifyURL is the public address of the certificate's verification page.
func (a *App) VerifyURL(code, base string) string { return a.PublicURL("/verify/"+code, base) }

// PublicURL is the public address of path: under the service's public
// address (COCREATE_BASE_URL) when it is set, else under base (the address
// the request came to).
func (a *App) PublicURL(path, base string) string {
	if a.Messages.BaseURL != "" {
		return a.link(path)
	}
	return strings.TrimRight(base, "/") + path
}

// VerifyCertificate returns the certificate a code (as typed) names;
// apperr.ErrNotFound for an unknown or malformed code.
func (a *App) VerifyCertificate(ctx context.Context, code string) (*training.Certificate, error) {
	norm, ok := training.NormalizeCode(code)
	if !ok {
		return nil, fmt.Errorf("certificate: malformed code: %w", apperr.ErrNotFound)
	}
	return a.Store.CertificateByCode(ctx, norm)
}
