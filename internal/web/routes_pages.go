package web

// pageRoutes are the public pages around the forms: the privacy notice.
func (h *Handler) pageRoutes() []route {
	return []route{
		{"GET", "/privacy", anyone, h.privacyPage},
	}
}
