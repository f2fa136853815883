package web

// reviewRoutes are assignment, scoring, aggregation and the committee dashboard.
func (h *Handler) reviewRoutes() []route {
	return []route{}
}
