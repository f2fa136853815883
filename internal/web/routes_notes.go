package web

// noteRoutes are the participant's notes: form, submit, receipt, print, my notes, withdraw.
func (h *Handler) noteRoutes() []route {
	return []route{}
}
