package web

// noteRoutes are the participant's notes: form, submit, receipt, print, my notes, withdraw.
func (h *Handler) noteRoutes() []route {
	return []route{
		// API: notes (the participant's own actions check ownership in app)
		{"POST", "/api/v1/calls/:call_id/notes", roles("participant"), h.apiCreateNote},
		{"GET", "/api/v1/notes", member, h.apiListNotes},
		{"GET", "/api/v1/notes/:id", member, h.apiGetNote},
		{"PUT", "/api/v1/notes/:id", member, h.apiSaveNote},
		{"POST", "/api/v1/notes/:id/submit", member, h.apiSubmitNote},
		{"POST", "/api/v1/notes/:id/resubmit", member, h.apiResubmitNote},
		{"POST", "/api/v1/notes/:id/withdraw", member, h.apiWithdrawNote},
	}
}
