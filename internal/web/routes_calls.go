package web

// callRoutes are calls for concept notes (coordinator pages and API, public pages).
// Every API route under /api/v1/calls/ names its wildcard :call_id (an id or
// a slug), as gin requires one name per position.
func (h *Handler) callRoutes() []route {
	return []route{
		// API: calls
		{"GET", "/api/v1/calls", anyone, h.apiListCalls},
		{"GET", "/api/v1/calls/:call_id", anyone, h.apiGetCall},
		{"POST", "/api/v1/calls", coord, h.apiCreateCall},
		{"PATCH", "/api/v1/calls/:call_id", coord, h.apiPatchCall},
	}
}
