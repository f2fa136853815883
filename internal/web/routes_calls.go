package web

// callRoutes are calls for concept notes (coordinator pages and API, public pages).
func (h *Handler) callRoutes() []route {
	return []route{}
}
