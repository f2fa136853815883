package web

import (
	"bytes"
	"fmt"

	"github.com/gin-gonic/gin"

	"cocreate/internal/app"
	"cocreate/internal/export"
)

// scoringSheetDownload answers the caller's offline scoring sheet of a
// call: the notes they may score now, with their reviews as they stand.
func (h *Handler) scoringSheetDownload(c *gin.Context) {
	ctx := c.Request.Context()
	u := currentUser(c)
	key, err := h.exportCallKey(c)
	if err != nil {
		h.fail(c, err)
		return
	}
	s, err := h.app.ScoringSheet(ctx, u, key)
	if err != nil {
		h.fail(c, err)
		return
	}
	var buf bytes.Buffer
	if err := export.WriteScoringSheet(&buf, s); err != nil {
		h.fail(c, fmt.Errorf("write the scoring sheet: %w", err))
		return
	}
	if err := h.app.RecordExport(ctx, u, app.EventExportScoringSheet, h.clientAddr(c.Request),
		map[string]string{"call": s.CallSlug}); err != nil {
		h.fail(c, err)
		return
	}
	sendFile(c, fmt.Sprintf("%s-scoring-sheet-%s.xlsx", s.CallSlug, dayIn(s.GeneratedAt, s.Zone)), xlsxType, buf.Bytes())
}
