package web

// callRoutes are calls for concept notes (coordinator pages and API, public pages).
// Every API route under /api/v1/calls/ names its wildcard :call_id (an id or
// a slug), as gin requires one name per position.
func (h *Handler) callRoutes() []route {
	return []route{
		// Pages: calls
		{"GET", "/calls", anyone, h.callListPage},
		{"GET", "/calls/:slug", anyone, h.callShowPage},
		{"GET", "/calls/:slug/repository", anyone, h.repositoryPage},
		{"GET", "/calls/:slug/repository/:ref", anyone, h.repositoryNotePage},
		{"GET", "/admin/calls", coord, h.adminCallsPage},
		{"GET", "/admin/calls/new", coord, h.callNewPage},
		{"POST", "/admin/calls", coord, h.callCreateSubmit},
		{"GET", "/admin/calls/:id/edit", coord, h.callEditPage},
		{"POST", "/admin/calls/:id/edit", coord, h.callEditSubmit},

		// API: calls
		{"GET", "/api/v1/calls", anyone, h.apiListCalls},
		{"GET", "/api/v1/calls/:call_id", anyone, h.apiGetCall},
		{"POST", "/api/v1/calls", coord, h.apiCreateCall},
		{"PATCH", "/api/v1/calls/:call_id", coord, h.apiPatchCall},
		{"GET", "/api/v1/calls/:call_id/repository.csv", anyone, h.apiRepositoryCSV},
	}
}
