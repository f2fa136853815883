package web

// reviewRoutes are assignment, scoring, aggregation and the committee dashboard.
// Under /admin/calls/ the wildcard is :id, as the call pages already name it.
func (h *Handler) reviewRoutes() []route {
	staff := roles("reviewer", "chair", "coordinator")
	return []route{
		// Pages: the committee's dashboard, a reviewer's queue, scoring and reviews
		{"GET", "/committee", staff, h.dashboard},
		{"GET", "/committee/reviews", committee, h.reviewQueue},
		{"GET", "/notes/:id/review", committee, h.reviewFormGet},
		{"POST", "/notes/:id/review", committee, h.reviewFormPost},
		{"GET", "/notes/:id/reviews", staff, h.reviewList},
		{"GET", "/notes/:id/conflict", committee, h.conflictGet},
		{"POST", "/notes/:id/conflict", committee, h.conflictPost},

		// Pages: assignment (coordinator)
		{"GET", "/admin/calls/:id/assignments", coord, h.assignPageGet},
		{"POST", "/admin/calls/:id/assignments/auto", coord, h.assignAutoPost},
		{"POST", "/admin/calls/:id/assignments/note", coord, h.assignNotePost},

		// API: assignment (coordinator)
		{"POST", "/api/v1/calls/:call_id/assignments/auto", coord, h.apiAutoAssign},
		{"PUT", "/api/v1/notes/:id/assignments", coord, h.apiSetAssignments},

		// API: scoring and conflicts of interest
		{"PUT", "/api/v1/notes/:id/review", committee, h.apiSaveReview},
		{"GET", "/api/v1/notes/:id/reviews", staff, h.apiListReviews},
		{"POST", "/api/v1/notes/:id/conflict", committee, h.apiDeclareConflict},
	}
}
