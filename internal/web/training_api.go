package web

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"cocreate/internal/app"
	"cocreate/internal/apperr"
	"cocreate/internal/store"
	"cocreate/internal/training"
)

// programmeJSON is a programme as the API gives it (api.md).
type programmeJSON struct {
	Title    string        `json:"title"`
	Issuers  string        `json:"issuers"`
	Version  int           `json:"version"`
	Sessions []sessionJSON `json:"sessions"`
}

type sessionJSON struct {
	training.Session
	StartsAt string              `json:"starts_at"`
	Library  []training.Resource `json:"resources"`
}

func toProgrammeJSON(p *training.Programme) programmeJSON {
	out := programmeJSON{Title: p.Title, Issuers: p.Issuers, Version: p.Version, Sessions: []sessionJSON{}}
	for _, s := range p.Sessions {
		lib := s.Resources
		if lib == nil {
			lib = []training.Resource{}
		}
		out.Sessions = append(out.Sessions, sessionJSON{Session: s, StartsAt: s.StartsAt.UTC().Format(time.RFC3339), Library: lib})
	}
	return out
}

// apiProgramme is GET /api/v1/calls/{call_id}/programme.
func (h *Handler) apiProgramme(c *gin.Context) {
	_, p, err := h.app.Programme(c.Request.Context(), c.Param("call_id"))
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"programme": toProgrammeJSON(p)})
}

// apiPutProgramme is PUT /api/v1/calls/{call_id}/programme.
func (h *Handler) apiPutProgramme(c *gin.Context) {
	var in app.ProgrammeInput
	if !h.bindJSON(c, &in) {
		return
	}
	p, err := h.app.SaveProgramme(c.Request.Context(), currentUser(c), c.Param("call_id"), in)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"programme": toProgrammeJSON(p)})
}

// apiInterest is POST /api/v1/sessions/{id}/interest: {mode} → 204.
func (h *Handler) apiInterest(c *gin.Context) {
	var in struct {
		Mode string `json:"mode"`
	}
	if !h.bindJSON(c, &in) {
		return
	}
	if err := h.app.RegisterInterest(c.Request.Context(), currentUser(c), c.Param("id"), in.Mode); err != nil {
		h.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// apiImportAttendance is POST /api/v1/sessions/{id}/attendance: multipart
// file and mapping → {imported, report}; any malformed row → 422 with the
// report, and nothing imported.
func (h *Handler) apiImportAttendance(c *gin.Context) {
	data, _, err := readTrainingUpload(c, maxAttendanceUpload)
	if err != nil {
		h.failUpload(c, err)
		return
	}
	var m *training.Mapping
	if raw := c.PostForm("mapping"); raw != "" {
		m = &training.Mapping{}
		if err := decodeStrict([]byte(raw), m); err != nil {
			h.fail(c, badRequest(`The mapping must be JSON naming the columns: {"email": "...", "name": "...", "minutes": "..."}.`))
			return
		}
	}
	rep, err := h.app.ImportAttendance(c.Request.Context(), currentUser(c), c.Param("id"), data, m, nil)
	var rej *app.AttendanceRejected
	var need *app.MappingNeeded
	switch {
	case errors.As(err, &rej):
		c.AbortWithStatusJSON(http.StatusUnprocessableEntity, gin.H{
			"error":  apiError{Code: "validation_failed", Message: rej.SafeMessage(), RequestID: requestID(c)},
			"report": rej.Report.Report, "imported": 0})
		return
	case errors.As(err, &need):
		c.AbortWithStatusJSON(http.StatusUnprocessableEntity, gin.H{
			"error":   apiError{Code: "validation_failed", Message: need.SafeMessage(), RequestID: requestID(c), Fields: map[string]string{"mapping": need.SafeMessage()}},
			"headers": need.Headers})
		return
	case err != nil:
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, rep)
}

// apiCheckIn is PUT /api/v1/sessions/{id}/attendance/{user_id}: {present, minutes?} → 204.
func (h *Handler) apiCheckIn(c *gin.Context) {
	var in app.CheckInInput
	if !h.bindJSON(c, &in) {
		return
	}
	if _, err := h.app.CheckIn(c.Request.Context(), currentUser(c), c.Param("id"), c.Param("user_id"), in); err != nil {
		h.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// apiCertificate is GET /api/v1/certificates/{code}.
func (h *Handler) apiCertificate(c *gin.Context) {
	cert, err := h.app.VerifyCertificate(c.Request.Context(), c.Param("code"))
	if err != nil {
		if store.IsNotFound(err) {
			apiFail(c, http.StatusNotFound, "not_found", "No certificate has that code.")
			return
		}
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"name": cert.Name, "programme": cert.Programme, "completed_at": cert.CompletedAt.UTC().Format(time.RFC3339)})
}

// baseURL is the address this request came to, for links when the
// service's public address is not configured.
func (h *Handler) baseURL(c *gin.Context) string {
	scheme := "http"
	if h.secure(c.Request) {
		scheme = "https"
	}
	return scheme + "://" + c.Request.Host
}

// myCertificatePDF answers the caller's certificate of a call's programme
// (?call_id= in the API, the call's slug on the page); 404 unless they
// completed it.
func (h *Handler) myCertificatePDF(c *gin.Context) {
	key := c.Param("slug")
	if key == "" {
		key = c.Query("call_id")
	}
	if key == "" {
		h.fail(c, badRequest("Name the call: ?call_id=."))
		return
	}
	call, p, cert, err := h.app.MyCertificate(c.Request.Context(), currentUser(c), key)
	if err != nil {
		h.fail(c, err)
		return
	}
	var buf strings.Builder
	if err := h.app.WriteCertificate(&buf, call, p, cert, h.baseURL(c)); err != nil {
		h.fail(c, err)
		return
	}
	c.Header("Content-Disposition", `attachment; filename="certificate-`+call.Slug+`.pdf"`)
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, "application/pdf", []byte(buf.String()))
}

// certificatesZip streams every certificate of a call's programme as a
// zip: zip.Writer on the response, one PDF made and written at a time, so
// memory holds one certificate however many there are. The list is read
// before the first byte is sent, so a failure to read it is a clean error
// answer; a failure after that cuts the download short (the zip then
// lacks its directory and no tool takes it for complete).
func (h *Handler) certificatesZip(c *gin.Context) {
	key := c.Param("call_id")
	if key == "" {
		key = c.Param("id")
	}
	u := currentUser(c)
	var certs []*training.Certificate
	call, p, err := h.app.EachCertificate(c.Request.Context(), u, key, func(cert *training.Certificate) error {
		certs = append(certs, cert)
		return nil
	})
	if err != nil {
		h.fail(c, err)
		return
	}
	c.Header("Content-Type", "application/zip")
	c.Header("Content-Disposition", `attachment; filename="certificates-`+call.Slug+`.zip"`)
	c.Header("Cache-Control", "no-store")
	c.Status(http.StatusOK)
	if err := writeCertificatesZip(c.Writer, h.app, call, p, certs, h.baseURL(c)); err != nil {
		h.log.Error("certificates zip cut short", "request_id", requestID(c), "err", err)
		return
	}
	if err := h.app.RecordExport(c.Request.Context(), u, "export.certificates", h.clientAddr(c.Request),
		map[string]string{"call": call.Slug, "certificates": fmt.Sprint(len(certs))}); err != nil {
		h.log.Error("record the certificates download", "request_id", requestID(c), "err", err)
	}
}

// writeCertificatesZip writes one PDF per certificate into a zip on w,
// named after the participant, flushing after each.
func writeCertificatesZip(w http.ResponseWriter, a *app.App, call *store.Call, p *training.Programme, certs []*training.Certificate, base string) error {
	z := zip.NewWriter(w)
	used := map[string]int{}
	for _, cert := range certs {
		name := fileSafe(cert.Name)
		used[name]++
		if n := used[name]; n > 1 {
			name = fmt.Sprintf("%s-%d", name, n)
		}
		f, err := z.CreateHeader(&zip.FileHeader{Name: name + ".pdf", Method: zip.Store, Modified: cert.IssuedAt})
		if err != nil {
			return err
		}
		if err := a.WriteCertificate(f, call, p, cert, base); err != nil {
			return err
		}
		if fl, ok := w.(http.Flusher); ok {
			if err := z.Flush(); err != nil {
				return err
			}
			fl.Flush()
		}
	}
	return z.Close()
}

// fileSafe makes a person's name into a file name.
func fileSafe(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '/' || r == '\\' || r == ':' || r == '"' || r == '*' || r == '?' || r == '<' || r == '>' || r == '|' || r < 0x20 || r == 0x7f:
			b.WriteRune('_')
		default:
			b.WriteRune(r)
		}
	}
	out := strings.TrimSpace(strings.Trim(b.String(), "."))
	if out == "" {
		out = "certificate"
	}
	if len([]rune(out)) > 80 {
		out = string([]rune(out)[:80])
	}
	return out
}

// Upload limits of the training routes.
const (
	maxAttendanceUpload = 10 << 20
	maxLibraryUpload    = training.MaxFile
)

var errNoTrainingFile error = &apperr.Said{Text: "Choose the file to upload."}

// tooLarge is an upload over its route's limit.
type tooLarge struct{ limit int64 }

// Error is the text for the log.
func (e *tooLarge) Error() string { return e.SafeMessage() }

// SafeMessage names the limit.
func (e *tooLarge) SafeMessage() string {
	return fmt.Sprintf("The file is larger than %d MB.", e.limit>>20)
}

// readTrainingUpload reads the form's file field, at most limit bytes.
func readTrainingUpload(c *gin.Context, limit int64) ([]byte, string, error) {
	fh, err := c.FormFile("file")
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, "", &tooLarge{limit}
		}
		return nil, "", errNoTrainingFile
	}
	if fh.Size > limit {
		return nil, "", &tooLarge{limit}
	}
	f, err := fh.Open()
	if err != nil {
		return nil, "", errNoTrainingFile
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	switch {
	case err != nil:
		return nil, "", errNoTrainingFile
	case int64(len(data)) > limit:
		return nil, "", &tooLarge{limit}
	}
	return data, fh.Filename, nil
}

// failUpload answers an upload that could not be taken, in the API.
func (h *Handler) failUpload(c *gin.Context, err error) {
	var tl *tooLarge
	if errors.As(err, &tl) {
		apiFail(c, http.StatusRequestEntityTooLarge, "too_large", tl.SafeMessage())
		return
	}
	h.fail(c, badRequest("Send the file as the multipart form field \"file\"."))
}

// trainingUploadLimit is the body limit of a training upload route (0: not one).
func trainingUploadLimit(method, path string) int64 {
	if method != http.MethodPost {
		return 0
	}
	switch {
	case strings.HasPrefix(path, "/admin/sessions/") && strings.HasSuffix(path, "/attendance"),
		strings.HasPrefix(path, "/api/v1/sessions/") && strings.HasSuffix(path, "/attendance"):
		return maxAttendanceUpload
	case strings.HasPrefix(path, "/admin/sessions/") && strings.HasSuffix(path, "/resources"):
		return maxLibraryUpload
	}
	return 0
}
