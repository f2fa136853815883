package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"github.com/gin-gonic/gin"

	"cocreate/internal/app"
	"cocreate/internal/enum"
	"cocreate/internal/export"
	"cocreate/internal/store"
)

// repositoryPerPage is how many notes a page of the repository shows.
const repositoryPerPage = 50

// repositoryCount is one line of the counts: a class or a policy area, how
// many notes it has, and the address of the repository filtered to it.
type repositoryCount struct {
	Label string
	Count int
	Href  string
}

// repositoryPage is the public repository of one call.
type repositoryPage struct {
	Layout
	Call                *store.Call
	Q                   app.RepositoryFilter
	Rows                []repositoryItem
	Total, Matching     int
	From, To, Page      int
	Pages               int
	Prev, Next          string
	ByClass, ByArea     []repositoryCount
	Published, CSV, All string
}

// repositoryPage is /calls/{slug}/repository: the call's consenting notes
// with their published decisions, filtered by a GET form and paged.
func (h *Handler) repositoryPage(c *gin.Context) {
	q := app.ParseRepositoryFilter(c.Query("area"), c.Query("class"), c.Query("sector"))
	page, err := pageParam(c)
	if err != nil {
		h.fail(c, err)
		return
	}
	repo, err := h.app.Repository(c.Request.Context(), c.Param("slug"), q)
	if err != nil {
		h.failRepository(c, err)
		return
	}
	call := repo.Call
	p := &repositoryPage{Layout: Layout{Title: "Public repository: " + call.Title}, Call: call, Q: q,
		Total: repo.Total, Matching: len(repo.Rows), Published: formatInZone(*call.PublishedAt, call.TimeZone),
		CSV: "/api/v1/calls/" + call.Slug + "/repository.csv", All: repositoryURL(call, app.RepositoryFilter{}, 1)}
	p.Pages = max(1, (p.Matching+repositoryPerPage-1)/repositoryPerPage)
	p.Page = min(page, p.Pages)
	if p.Matching > 0 {
		p.From = (p.Page-1)*repositoryPerPage + 1
		p.To = min(p.From+repositoryPerPage-1, p.Matching)
		for _, r := range repo.Rows[p.From-1 : p.To] {
			p.Rows = append(p.Rows, repositoryItemOf(r))
		}
	}
	if p.Page > 1 {
		p.Prev = repositoryURL(call, q, p.Page-1)
	}
	if p.Page < p.Pages {
		p.Next = repositoryURL(call, q, p.Page+1)
	}
	for _, o := range enum.Classes {
		p.ByClass = append(p.ByClass, repositoryCount{Label: o.Label, Count: repo.ByClass[o.Value],
			Href: repositoryURL(call, app.RepositoryFilter{Class: o.Value}, 1)})
	}
	if n := repo.ByClass[""]; n > 0 {
		p.ByClass = append(p.ByClass, repositoryCount{Label: "No published decision (under review, or did not pass screening)", Count: n})
	}
	for _, o := range enum.PolicyAreas {
		if n := repo.ByArea[o.Value]; n > 0 {
			p.ByArea = append(p.ByArea, repositoryCount{Label: o.Label, Count: n,
				Href: repositoryURL(call, app.RepositoryFilter{PolicyArea: o.Value}, 1)})
		}
	}
	h.render(c, http.StatusOK, "repository", p)
}

// repositoryItem is a row as the pages show it: its decision in words and colour.
type repositoryItem struct {
	export.RepositoryRow
	StatusLabel, Tag string
}

// classTags colour the classes; the label always says the class in words.
var classTags = map[string]string{"A": "tag-green", "B": "tag-blue", "C": "tag-purple", "D": "tag-grey"}

func repositoryItemOf(r export.RepositoryRow) repositoryItem {
	it := repositoryItem{RepositoryRow: r, StatusLabel: export.RepositoryStatus(r.Status), Tag: "tag-grey"}
	if r.Class != "" {
		it.StatusLabel, it.Tag = enum.Classes.Label(r.Class), classTags[r.Class]
	} else if r.Status == export.StatusIneligible {
		it.Tag = "tag-red"
	}
	return it
}

// repositoryURL is the repository of call with filter q at page.
func repositoryURL(call *store.Call, q app.RepositoryFilter, page int) string {
	v := url.Values{}
	for k, s := range map[string]string{"area": q.PolicyArea, "class": q.Class, "sector": q.Sector} {
		if s != "" {
			v.Set(k, s)
		}
	}
	if page > 1 {
		v.Set("page", strconv.Itoa(page))
	}
	u := "/calls/" + call.Slug + "/repository"
	if len(v) > 0 {
		u += "?" + v.Encode()
	}
	return u
}

// repositoryNotePage is the public one-page view of a note.
type repositoryNotePage struct {
	Layout
	Call       *store.Call
	Row        repositoryItem
	Answers    []noteAnswer
	Milestones []noteMilestone
	Submitted  string
	Back       string
}

// noteMilestone is a milestone row of the public view.
type noteMilestone struct{ Deliverable, Responsible, Due string }

// publicKeys are the note's answers the public view shows: the note's own
// text, without the consent itself and the conflict declaration (which
// may name people and is for the committee).
var publicKeys = map[string]bool{"summary": true, "problem": true, "commitment": true, "change": true, "values": true,
	"values_explanation": true, "milestones": true, "lead_agency": true, "partners": true, "policy_area": true, "resources": true}

// repositoryNotePage is /calls/{slug}/repository/{ref}: a note of the
// repository in the print layout, with its published decision; 404 for a
// note that is not in the repository.
func (h *Handler) repositoryNotePage(c *gin.Context) {
	call, n, row, err := h.app.RepositoryNote(c.Request.Context(), c.Param("slug"), c.Param("ref"))
	if err != nil {
		h.failRepository(c, err)
		return
	}
	p := &repositoryNotePage{Layout: Layout{Title: "Concept note " + row.Ref + ": " + row.Title}, Call: call,
		Row: repositoryItemOf(*row), Back: repositoryURL(call, app.RepositoryFilter{}, 1)}
	if row.Withheld { // the coordinators withheld the note's text: the decision only
		n = &store.Note{SubmittedAt: n.SubmittedAt}
	}
	for _, a := range noteAnswers(&store.Note{Fields: n.Fields}, call, nil) {
		if publicKeys[a.Key] {
			p.Answers = append(p.Answers, a)
		}
	}
	for _, m := range n.Milestones {
		p.Milestones = append(p.Milestones, noteMilestone{m.Deliverable, m.Responsible, monthName(m.Due)})
	}
	if n.SubmittedAt != nil {
		p.Submitted = formatInZone(*n.SubmittedAt, call.TimeZone)
	}
	h.render(c, http.StatusOK, "repository_note", p)
}

// failRepository answers a repository error: before publication a 404
// that says the results are not yet published, otherwise as fail does.
func (h *Handler) failRepository(c *gin.Context, err error) {
	if !errors.Is(err, app.ErrNotPublished) {
		h.fail(c, err)
		return
	}
	msg := safeSentence(err, "The results of this call are not yet published.")
	if isAPI(c) {
		apiFail(c, http.StatusNotFound, "not_found", msg)
		return
	}
	h.renderError(c, http.StatusNotFound, msg)
	c.Abort()
}
