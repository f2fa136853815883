package web

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"cocreate/internal/app"
	"cocreate/internal/apperr"
	"cocreate/internal/export"
	"cocreate/internal/store"
)

// maxUpload is the largest scoring sheet accepted (a sheet of a few hundred
// notes is well under 1 MiB).
const maxUpload = 10 << 20

// uploadPaths are the routes that take a file; limitUploads caps their bodies.
var uploadPaths = map[string]bool{"/committee/reviews/upload": true}

var errUploadTooLarge error = &apperr.Said{Text: "the file is larger than 10 MiB: upload the scoring sheet as downloaded"}

// limitUploads refuses an upload whose declared length is over the limit
// before any of it is read, and caps the body of one that declares none,
// so the form parsing in the CSRF and idempotency checks never reads more.
func (h *Handler) limitUploads(c *gin.Context) {
	p := c.Request.URL.Path
	if limit := trainingUploadLimit(c.Request.Method, p); limit > 0 {
		h.limitTrainingUpload(c, limit) // training_pages.go
		return
	}
	if c.Request.Method != http.MethodPost || !(uploadPaths[p] || strings.HasPrefix(p, "/api/v1/calls/") && strings.HasSuffix(p, "/imports/scoring-sheet")) {
		c.Next()
		return
	}
	const slack = 64 << 10 // the form's other fields and the multipart framing
	if c.Request.ContentLength > maxUpload+slack {
		if isAPI(c) {
			apiFail(c, http.StatusRequestEntityTooLarge, "too_large", uploadSentence(errUploadTooLarge))
			return
		}
		h.renderError(c, http.StatusRequestEntityTooLarge, uploadSentence(errUploadTooLarge))
		c.Abort()
		return
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, maxUpload+slack)
	c.Next()
}

// readUpload reads the form's file field: errUploadTooLarge over the limit,
// app.ErrNotWorkbook when it is not a zip package (as every xlsx is).
func readUpload(c *gin.Context) ([]byte, error) {
	fh, err := c.FormFile("file")
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, errUploadTooLarge
		}
		return nil, errNoFile
	}
	if fh.Size > maxUpload {
		return nil, errUploadTooLarge
	}
	f, err := fh.Open()
	if err != nil {
		return nil, errNoFile
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxUpload+1))
	switch {
	case err != nil:
		return nil, errNoFile
	case len(b) > maxUpload:
		return nil, errUploadTooLarge
	case !bytes.HasPrefix(b, []byte("PK\x03\x04")):
		return nil, app.ErrNotWorkbook
	}
	return b, nil
}

var errNoFile error = &apperr.Said{Text: "choose the scoring sheet (.xlsx) to upload"}

// apiImportScoringSheet is POST /api/v1/calls/{call_id}/imports/scoring-sheet:
// multipart field file → {imported, unchanged, conflicts}; any bad row →
// 422 with every problem, and nothing imported.
func (h *Handler) apiImportScoringSheet(c *gin.Context) {
	b, err := readUpload(c)
	switch {
	case errors.Is(err, errUploadTooLarge):
		apiFail(c, http.StatusRequestEntityTooLarge, "too_large", uploadSentence(err))
		return
	case errors.Is(err, app.ErrNotWorkbook):
		apiFail(c, http.StatusUnsupportedMediaType, "unsupported_media_type", uploadSentence(err)+" Upload the scoring sheet as downloaded.")
		return
	case err != nil:
		h.fail(c, badRequest("Send the scoring sheet as the multipart form field \"file\"."))
		return
	}
	u := currentUser(c)
	res, err := h.app.ImportScoringSheet(c.Request.Context(), u, c.Param("call_id"), bytes.NewReader(b))
	var ie *app.ImportError
	switch {
	case errors.As(err, &ie):
		c.AbortWithStatusJSON(http.StatusUnprocessableEntity, gin.H{
			"error":    apiError{Code: "validation_failed", Message: importSummary(ie), RequestID: requestID(c)},
			"imported": 0, "errors": ie.Problems})
		return
	case errors.Is(err, app.ErrNotWorkbook):
		apiFail(c, http.StatusUnsupportedMediaType, "unsupported_media_type", uploadSentence(err)+" Upload the scoring sheet as downloaded.")
		return
	case err != nil:
		h.fail(c, err)
		return
	}
	h.recordImport(c, u, c.Param("call_id"), res)
	c.JSON(http.StatusOK, res)
}

// recordImport audits a successful import; a failure to record is logged,
// since the reviews are saved by then.
func (h *Handler) recordImport(c *gin.Context, u *store.User, call string, res *app.ImportResult) {
	err := h.app.RecordExport(c.Request.Context(), u, app.EventImportScoringSheet, h.clientAddr(c.Request),
		map[string]string{"call": call, "imported": fmt.Sprint(res.Imported), "conflicts": fmt.Sprint(len(res.Conflicts))})
	if err != nil {
		h.log.Error("record an import", "request_id", requestID(c), "err", err)
	}
}

// importSummary says in one sentence why nothing was imported.
func importSummary(ie *app.ImportError) string {
	if len(ie.Problems) == 1 {
		return "The scoring sheet has a problem, so nothing was imported: " + ie.Problems[0].Message
	}
	return fmt.Sprintf("The scoring sheet has %d problems, so nothing was imported. Fix them and upload it again.", len(ie.Problems))
}

// uploadPage is the form that takes a filled-in scoring sheet back.
type uploadPage struct {
	Layout
	Calls    []*store.Call
	Call     *store.Call
	Error    string             // about the file field
	Problems []export.CellError // rows at fault; nothing was imported
	Result   *app.ImportResult  // after an import with conflicts
	Summary  string
}

// scoringSheetUploadPage is GET /committee/reviews/upload.
func (h *Handler) scoringSheetUploadPage(c *gin.Context) {
	calls, call, err := h.pickCall(c)
	if err != nil {
		h.fail(c, err)
		return
	}
	p := &uploadPage{Layout: Layout{Title: "Upload your scoring sheet"}, Calls: calls, Call: call}
	h.render(c, http.StatusOK, "scoring_upload", p)
}

// scoringSheetUploadSubmit imports the file; problems come back on the
// form, listed by sheet, row and column; a clean import goes back to the
// queue with a flash, one with conflicts lists them.
func (h *Handler) scoringSheetUploadSubmit(c *gin.Context) {
	ctx := c.Request.Context()
	u := currentUser(c)
	call, err := h.app.CallByKey(ctx, c.PostForm("call"))
	if err != nil {
		h.fail(c, err)
		return
	}
	p := &uploadPage{Layout: Layout{Title: "Upload your scoring sheet"}, Call: call}
	again := func(status int) {
		p.Title = "Error: " + p.Title
		h.render(c, status, "scoring_upload", p)
	}
	b, err := readUpload(c)
	switch {
	case errors.Is(err, errUploadTooLarge):
		p.Error = uploadSentence(err)
		again(http.StatusRequestEntityTooLarge)
		return
	case errors.Is(err, app.ErrNotWorkbook):
		p.Error = uploadSentence(err) + " Upload the scoring sheet as downloaded (or saved again) from Excel or LibreOffice."
		again(http.StatusUnsupportedMediaType)
		return
	case err != nil:
		p.Error = uploadSentence(err)
		again(http.StatusUnprocessableEntity)
		return
	}
	res, err := h.app.ImportScoringSheet(ctx, u, call.ID, bytes.NewReader(b))
	var ie *app.ImportError
	switch {
	case errors.As(err, &ie):
		p.Problems, p.Summary = ie.Problems, importSummary(ie)
		again(http.StatusUnprocessableEntity)
		return
	case errors.Is(err, app.ErrNotWorkbook):
		p.Error = uploadSentence(err) + " Upload the scoring sheet as downloaded (or saved again) from Excel or LibreOffice."
		again(http.StatusUnsupportedMediaType)
		return
	case err != nil:
		h.fail(c, err)
		return
	}
	h.recordImport(c, u, call.Slug, res)
	msg := fmt.Sprintf("Imported %d %s from your scoring sheet; %d left as they were.", res.Imported,
		pluralOf(res.Imported, "review", "reviews"), res.Unchanged)
	if len(res.Conflicts) == 0 {
		h.flash(c, msg)
		redirect(c, "/committee/reviews?call="+call.Slug)
		return
	}
	p.Result, p.Summary = res, msg
	h.render(c, http.StatusOK, "scoring_upload", p)
}

// uploadSentence is what a person reads about a file that could not be
// taken: the sentence the error carries for people, never its chain.
func uploadSentence(err error) string {
	return safeSentence(err, "The file could not be read.")
}
