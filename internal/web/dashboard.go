package web

import (
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"cocreate/internal/app"
	"cocreate/internal/enum"
	"cocreate/internal/store"
)

// dashboardPerPage is how many notes a dashboard page shows unless per_page says otherwise.
const dashboardPerPage = 50

// dashboardPageSizes are the page sizes the dashboard offers, as per_page
// values; "all" shows every note of the call on one page.
var dashboardPageSizes = []string{"50", "100", "200", "all"}

// dashboardPage is the committee's dashboard of one call.
type dashboardPage struct {
	Layout
	Calls     []*store.Call // every call, for the picker
	Call      *store.Call
	Q         app.DashboardQuery
	Data      *app.DashboardPage
	Lead      bool // chair or coordinator: sees every score
	From, To  int
	Pages     int
	Prev      string
	Next      string
	Sort      map[string]sortLink
	SortLabel string
	PerPage   string            // the per_page value shown now
	Sizes     []string          // the page sizes offered
	View      string            // this view's query (filter, order, page size), carried to the note pages as ?from=
	StateHref map[string]string // each state count's link: this view filtered to that state; "" clears the filter
	Columns   []dashColumn      // the notes table's columns
	Rows      template.HTML     // the notes table's rows (dashRows)
}

// sortLabels name the dashboard's sort columns in the table's caption.
var sortLabels = map[string]string{"ref": "reference", "title": "title", "area": "policy area", "state": "state",
	"reviews": "reviews done", "mean": "mean", "median": "median", "normalised": "normalised mean",
	"flags": "disagreement", "class": "suggested class"}

// sortLink is a sortable column header: where it leads and how the table is sorted by it now.
type sortLink struct {
	Href string
	Aria string // "ascending", "descending" or ""
}

// dashboard is /committee: counts, progress per member and the notes table,
// filtered and sorted with GET parameters so every view can be bookmarked.
func (h *Handler) dashboard(c *gin.Context) {
	ctx := c.Request.Context()
	u := currentUser(c)
	calls, call, err := h.pickCall(c)
	if err != nil {
		h.fail(c, err)
		return
	}
	p := &dashboardPage{Layout: Layout{Title: "Committee dashboard"}, Calls: calls, Call: call,
		Lead: u.Has("chair") || u.Has("coordinator")}
	if call == nil {
		h.render(c, http.StatusOK, "dashboard", p)
		return
	}
	p.Title = "Committee dashboard: " + call.Title
	q, err := dashboardQuery(c)
	if err != nil {
		h.fail(c, err)
		return
	}
	p.Q = q
	if sortLabels[q.Sort] == "" {
		p.Q.Sort = "ref"
	}
	p.SortLabel = sortLabels[p.Q.Sort]
	p.PerPage, p.Sizes = perPageParam(p.Q.PerPage), dashboardPageSizes
	q = p.Q
	if p.Data, err = h.app.Dashboard(ctx, u, call, q); err != nil {
		h.fail(c, err)
		return
	}
	if n := len(p.Data.Rows); n > 0 {
		p.From = 1
		if q.PerPage > 0 {
			p.From = (q.Page-1)*q.PerPage + 1
		}
		p.To = p.From + n - 1
	}
	p.Pages = 1
	if q.PerPage > 0 {
		p.Pages = max(1, (p.Data.Total+q.PerPage-1)/q.PerPage)
	}
	if q.Page > 1 {
		p.Prev = dashboardURL(call, q, q.Sort, q.Desc, q.Page-1)
	}
	if q.Page < p.Pages {
		p.Next = dashboardURL(call, q, q.Sort, q.Desc, q.Page+1)
	}
	p.View = strings.TrimPrefix(dashboardURL(call, q, q.Sort, q.Desc, 1), "/committee?")
	p.StateHref = map[string]string{}
	for _, sc := range append(p.Data.Counts, app.StateCount{}) {
		fq := q
		fq.State = sc.State
		p.StateHref[sc.State] = dashboardURL(call, fq, q.Sort, q.Desc, 1)
	}
	p.Columns = dashColumnsFor(p.Data.Training)
	p.Rows = dashRows(p.Columns, p.Data.Rows, &dashRowsCtx{call: call, user: u, chair: u.Has("chair"), from: fromAttr(p.View)})
	p.Sort = map[string]sortLink{}
	for _, k := range app.DashboardSorts {
		l := sortLink{Href: dashboardURL(call, q, k, false, 1)}
		if k == q.Sort {
			l.Aria = "ascending"
			if q.Desc {
				l.Aria = "descending"
			} else {
				l.Href = dashboardURL(call, q, k, true, 1)
			}
		}
		p.Sort[k] = l
	}
	h.render(c, http.StatusOK, "dashboard", p)
}

// dashboardQuery reads the filters, sort and page; unknown values are
// ignored (a bookmarked view stays usable), a malformed page is a 400.
func dashboardQuery(c *gin.Context) (app.DashboardQuery, error) {
	q := dashboardQueryFrom(c.Request.URL.Query())
	page, err := pageParam(c)
	if err != nil {
		return q, err
	}
	if q.PerPage > 0 {
		q.Page = page
	}
	return q, nil
}

// dashboardQueryFrom reads the filters, sort and page size of v, page 1;
// unknown values are ignored.
func dashboardQueryFrom(v url.Values) app.DashboardQuery {
	q := app.DashboardQuery{State: v.Get("state"), PolicyArea: v.Get("area"), Class: v.Get("class"),
		Flagged: v.Get("flagged") == "yes", Text: v.Get("q"), Sort: v.Get("sort"), Desc: v.Get("dir") == "desc",
		Page: 1, PerPage: dashboardPerPage}
	if sortLabels[q.Sort] == "" {
		q.Sort = "ref"
	}
	switch pp := v.Get("per_page"); pp {
	case "all":
		q.PerPage = 0
	case "100", "200":
		q.PerPage, _ = strconv.Atoi(pp)
	}
	if !enum.States.Has(q.State) {
		q.State = ""
	}
	if !enum.PolicyAreas.Has(q.PolicyArea) {
		q.PolicyArea = ""
	}
	if q.Class != "A" && q.Class != "B" && q.Class != "D" {
		q.Class = ""
	}
	if t := v.Get("training"); t == "yes" || t == "no" {
		q.Training = t
	}
	return q
}

// dashboardURL is the dashboard with q's filters, sorted by sort, at page.
func dashboardURL(call *store.Call, q app.DashboardQuery, sort string, desc bool, page int) string {
	v := url.Values{}
	v.Set("call", call.Slug)
	for k, s := range map[string]string{"state": q.State, "area": q.PolicyArea, "class": q.Class, "q": q.Text, "training": q.Training} {
		if s != "" {
			v.Set(k, s)
		}
	}
	if q.Flagged {
		v.Set("flagged", "yes")
	}
	if s := perPageParam(q.PerPage); s != "50" {
		v.Set("per_page", s)
	}
	if sort != "" && sort != "ref" {
		v.Set("sort", sort)
	}
	if desc {
		v.Set("dir", "desc")
	}
	if page > 1 {
		v.Set("page", strconv.Itoa(page))
	}
	return "/committee?" + v.Encode()
}

// perPageParam is the per_page value of a page size: "all" for 0.
func perPageParam(n int) string {
	if n == 0 {
		return "all"
	}
	return strconv.Itoa(n)
}
