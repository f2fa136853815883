package web

import (
	"fmt"
	"html/template"

	"github.com/gin-gonic/gin"

	"cocreate/internal/apperr"
	"cocreate/internal/review"
	"cocreate/internal/store"
)

// pickCall returns every call and the one chosen with ?call= (id or slug),
// the newest when none is named; nil when there is no call yet.
func (h *Handler) pickCall(c *gin.Context) ([]*store.Call, *store.Call, error) {
	calls, err := h.app.Calls(c.Request.Context())
	if err != nil || len(calls) == 0 {
		return calls, nil, err
	}
	key := c.Query("call")
	for _, cl := range calls {
		if cl.Slug == key || cl.ID == key {
			return calls, cl, nil
		}
	}
	if key != "" {
		return nil, nil, errNoSuchCall
	}
	return calls, calls[0], nil
}

// chooseCall returns the call a page is about: the ?call= key, or the only
// call there is. With several calls and no key it returns them instead, for
// the page to show a picker.
func (h *Handler) chooseCall(c *gin.Context) (key string, picker []*store.Call, err error) {
	if key = c.Query("call"); key != "" {
		return key, nil, nil
	}
	calls, err := h.app.Calls(c.Request.Context())
	if err != nil {
		return "", nil, err
	}
	if len(calls) != 1 {
		return "", calls, nil
	}
	return calls[0].Slug, nil, nil
}

var errNoSuchCall = fmt.Errorf("no such call: %w", apperr.ErrNotFound)

// dashboardFuncs are the template helpers of the committee's tables.
func dashboardFuncs() template.FuncMap {
	return template.FuncMap{"f1p": func(p *float64) string {
		if p == nil {
			return "—"
		}
		return fmt.Sprintf("%.1f", *p)
	},
		// criteriaLabels names criteria keys with the call's labels, for flags.
		"criteriaLabels": func(keys []string, c *store.Call) string { return review.CriteriaLabels(keys, c.Criteria) },
		"pluralOf":       pluralOf,
	}
}
