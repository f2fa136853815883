package web

// noteRoutes are the participant's notes: form, submit, receipt, print, my notes, withdraw.
func (h *Handler) noteRoutes() []route {
	return []route{
		// Pages: the participant's journey
		{"GET", "/calls/:slug/notes/new", roles("participant"), h.noteNewPage},
		{"POST", "/calls/:slug/notes", roles("participant"), h.noteCreateSubmit},
		{"GET", "/notes", member, h.myNotesPage},
		{"GET", "/notes/:id", member, h.noteShowPage},
		{"GET", "/notes/:id/edit", member, h.noteEditPage},
		// anyone: a post whose session expired gets its unsaved text back (the handler saves only for the owner).
		{"POST", "/notes/:id/edit", anyone, h.noteEditSubmit},
		{"GET", "/notes/:id/check", member, h.noteCheckPage},
		{"POST", "/notes/:id/submit", member, h.noteSubmit},
		{"POST", "/notes/:id/resubmit", member, h.noteResubmit},
		{"GET", "/notes/:id/submitted", member, h.noteSubmittedPage},
		{"GET", "/notes/:id/print", member, h.notePrintPage},
		{"GET", "/notes/:id/withdraw", member, h.noteWithdrawPage},
		{"POST", "/notes/:id/withdraw", member, h.noteWithdrawSubmit},

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
