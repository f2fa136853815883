package web

// exportRoutes are the shortlist exports and the offline scoring sheet round trip.
func (h *Handler) exportRoutes() []route {
	leads := roles("coordinator", "chair")
	return []route{
		// Pages: downloads from the dashboard and the publish page; the reviewer's sheet from their queue
		{"GET", "/committee/shortlist.xlsx", leads, h.shortlistXLSX},
		{"GET", "/committee/shortlist.csv", leads, h.shortlistCSV},
		{"GET", "/committee/reviews/scoring-sheet.xlsx", committee, h.scoringSheetDownload},
		{"GET", "/committee/reviews/upload", committee, h.scoringSheetUploadPage},
		{"POST", "/committee/reviews/upload", committee, h.scoringSheetUploadSubmit},

		// API
		{"GET", "/api/v1/calls/:call_id/exports/shortlist.xlsx", leads, h.shortlistXLSX},
		{"GET", "/api/v1/calls/:call_id/exports/shortlist.csv", leads, h.shortlistCSV},
		{"GET", "/api/v1/calls/:call_id/exports/scoring-sheet.xlsx", committee, h.scoringSheetDownload},
		{"POST", "/api/v1/calls/:call_id/imports/scoring-sheet", committee, h.apiImportScoringSheet},
	}
}
