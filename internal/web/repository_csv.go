package web

import (
	"bytes"
	"fmt"
	"slices"

	"github.com/gin-gonic/gin"

	"cocreate/internal/app"
	"cocreate/internal/export"
)

// apiRepositoryCSV is GET /api/v1/calls/{call_id}/repository.csv: the public
// repository's rows as CSV, for anyone once the results are published (404
// before). The file is complete before the answer starts.
func (h *Handler) apiRepositoryCSV(c *gin.Context) {
	repo, err := h.app.Repository(c.Request.Context(), c.Param("call_id"), app.RepositoryFilter{})
	if err != nil {
		h.failRepository(c, err)
		return
	}
	var buf bytes.Buffer
	if err := export.WriteRepositoryCSV(&buf, slices.Values(repo.Rows)); err != nil {
		h.fail(c, fmt.Errorf("write the repository of %s: %w", repo.Call.Slug, err))
		return
	}
	sendFile(c, fmt.Sprintf("%s-repository-%s.csv", repo.Call.Slug, dayIn(h.now(), repo.Call.Location())), csvType, buf.Bytes())
}
