package web

// screeningRoutes are screening, classification, reopen, reinstate, publication and committee comments.
func (h *Handler) screeningRoutes() []route {
	// The committee's discussion and workspace are for the committee and coordinators.
	staff := roles("reviewer", "chair", "coordinator")
	return []route{
		// Pages: screening
		{"GET", "/committee/screening", committee, h.screenQueue},
		{"GET", "/notes/:id/screen", committee, h.screenPageGet},
		{"POST", "/notes/:id/screen", committee, h.screenPagePost},

		// Pages: decisions
		{"GET", "/notes/:id/classify", chair, h.classifyPageGet},
		{"POST", "/notes/:id/classify", chair, h.classifyPagePost},
		{"GET", "/committee/classify", chair, h.classifyBulkGet},
		{"POST", "/committee/classify", chair, h.classifyBulkPost},
		{"GET", "/notes/:id/reopen", chair, h.reopenPageGet},
		{"POST", "/notes/:id/reopen", chair, h.reopenPagePost},
		{"GET", "/notes/:id/reinstate", chair, h.reinstatePageGet},
		{"POST", "/notes/:id/reinstate", chair, h.reinstatePagePost},
		{"GET", "/committee/publish", chair, h.publishPageGet},
		{"POST", "/committee/publish", chair, h.publishPagePost},

		// Pages: the committee's workspace for one note, with its discussion
		{"GET", "/committee/notes/:id", staff, h.committeeNotePage},
		{"POST", "/committee/notes/:id/comments", staff, h.committeeComment},

		// API
		{"POST", "/api/v1/notes/:id/screen", committee, h.apiScreenNote},
		{"POST", "/api/v1/notes/:id/classify", chair, h.apiClassifyNote},
		{"POST", "/api/v1/calls/:call_id/classify", chair, h.apiBulkClassify},
		{"POST", "/api/v1/notes/:id/reopen", chair, h.apiReopenNote},
		{"POST", "/api/v1/notes/:id/reinstate", chair, h.apiReinstateNote},
		{"POST", "/api/v1/calls/:call_id/publish", chair, h.apiPublishResults},
		{"GET", "/api/v1/notes/:id/comments", staff, h.apiListComments},
		{"POST", "/api/v1/notes/:id/comments", staff, h.apiAddComment},
		{"GET", "/api/v1/notes/:id/history", member, h.apiNoteHistory},
	}
}
