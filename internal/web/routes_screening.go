package web

// screeningRoutes are screening, classification, reopen, reinstate, publication and committee comments.
func (h *Handler) screeningRoutes() []route {
	return []route{}
}
