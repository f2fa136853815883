package web

// trainingRoutes are the training programme (issue 12): the programme and
// its calendar, interest, attendance imports and check-in, certificates
// and their verification, the session library and the blank note template.
func (h *Handler) trainingRoutes() []route {
	participant := roles("participant")
	return []route{
		// Pages: public
		{"GET", "/calls/:slug/programme", anyone, h.programmePage},
		{"GET", "/calls/:slug/programme.ics", anyone, h.programmeICS},
		{"GET", "/calls/:slug/note-template.pdf", anyone, h.noteTemplatePDF},
		{"GET", "/sessions/:id/resources/:rid", anyone, h.resourceFile},
		{"GET", "/verify/:code", anyone, h.certificateVerifyPage},
		// Pages: participants
		{"POST", "/calls/:slug/programme/interest", participant, h.interestSubmit},
		{"GET", "/calls/:slug/programme/certificate.pdf", participant, h.myCertificatePDF},
		// Pages: coordinators
		{"GET", "/admin/calls/:id/programme", coord, h.programmeEditPage},
		{"POST", "/admin/calls/:id/programme", coord, h.programmeEditSubmit},
		{"GET", "/admin/calls/:id/certificates.zip", coord, h.certificatesZip},
		{"GET", "/admin/sessions/:id", coord, h.sessionAdminPage},
		{"POST", "/admin/sessions/:id/attendance", coord, h.attendanceUploadSubmit},
		{"GET", "/admin/sessions/:id/imports/:job", coord, h.attendanceImportPage},
		{"GET", "/admin/sessions/:id/checkin", coord, h.checkInPage},
		{"POST", "/admin/sessions/:id/checkin", coord, h.checkInSubmit},
		{"POST", "/admin/sessions/:id/resources", coord, h.resourceAddSubmit},
		{"POST", "/admin/sessions/:id/resources/:rid/delete", coord, h.resourceDeleteSubmit},

		// API
		{"GET", "/api/v1/calls/:call_id/programme", anyone, h.apiProgramme},
		{"PUT", "/api/v1/calls/:call_id/programme", coord, h.apiPutProgramme},
		{"POST", "/api/v1/sessions/:id/interest", participant, h.apiInterest},
		{"POST", "/api/v1/sessions/:id/attendance", coord, h.apiImportAttendance},
		{"PUT", "/api/v1/sessions/:id/attendance/:user_id", coord, h.apiCheckIn},
		{"GET", "/api/v1/me/certificate.pdf", participant, h.myCertificatePDF},
		{"GET", "/api/v1/calls/:call_id/certificates.zip", coord, h.certificatesZip},
		{"GET", "/api/v1/certificates/:code", anyone, h.apiCertificate},
	}
}
