package web

import (
	"bytes"
	"fmt"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"cocreate/internal/app"
	"cocreate/internal/export"
)

// Content types of the downloads.
const (
	xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	csvType  = "text/csv; charset=utf-8"
)

func (h *Handler) shortlistXLSX(c *gin.Context) { h.shortlist(c, "xlsx") }
func (h *Handler) shortlistCSV(c *gin.Context)  { h.shortlist(c, "csv") }

// shortlist answers the scored shortlist of a call as a workbook or CSV,
// filtered by ?class= and ?state= (lists, comma-separated or repeated).
// The file is complete before the first header is sent, so a failure is an
// error answer and never a broken download; each download is audited.
func (h *Handler) shortlist(c *gin.Context, format string) {
	ctx := c.Request.Context()
	u := currentUser(c)
	key, err := h.exportCallKey(c)
	if err != nil {
		h.fail(c, err)
		return
	}
	f, err := app.ParseShortlistFilter(c.QueryArray("class"), c.QueryArray("state"))
	if err != nil {
		h.fail(c, err)
		return
	}
	s, err := h.app.Shortlist(ctx, u, key, f)
	if err != nil {
		h.fail(c, err)
		return
	}
	var buf bytes.Buffer
	ctype := xlsxType
	if format == "csv" {
		ctype = csvType
		err = export.WriteShortlistCSV(&buf, s)
	} else {
		err = export.WriteShortlistXLSX(&buf, s)
	}
	if err != nil {
		h.fail(c, fmt.Errorf("write the shortlist of %s: %w", s.CallSlug, err))
		return
	}
	err = h.app.RecordExport(ctx, u, app.EventExportShortlist, h.clientAddr(c.Request),
		map[string]string{"call": s.CallSlug, "format": format, "filters": f.Words(), "notes": fmt.Sprint(s.Notes)})
	if err != nil {
		h.fail(c, err)
		return
	}
	sendFile(c, fmt.Sprintf("%s-shortlist-%s.%s", s.CallSlug, dayIn(s.GeneratedAt, s.Zone), format), ctype, buf.Bytes())
}

// exportCallKey is the call an export is about: the API's {call_id}, or a
// page's ?call= (the newest call when none is named).
func (h *Handler) exportCallKey(c *gin.Context) (string, error) {
	if k := c.Param("call_id"); k != "" {
		return k, nil
	}
	_, call, err := h.pickCall(c)
	if err != nil {
		return "", err
	}
	if call == nil {
		return "", errNoSuchCall
	}
	return call.ID, nil
}

// dayIn is t's date in loc, as file names carry it.
func dayIn(t time.Time, loc *time.Location) string { return t.In(loc).Format("2006-01-02") }

// sendFile answers a finished file as a download.
func sendFile(c *gin.Context, name, ctype string, b []byte) {
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"`, name))
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, ctype, b)
}
