package web

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"cocreate/internal/app"
	"cocreate/internal/apperr"
)

func (h *Handler) callEditPage(c *gin.Context) {
	call, err := h.app.CallByID(c.Request.Context(), c.Param("id"))
	if err != nil {
		h.fail(c, err)
		return
	}
	h.render(c, http.StatusOK, "admin_call_form", &callFormPage{Layout: Layout{Title: "Change " + call.Title},
		Edit: true, ID: call.ID, Form: formOfCall(call)})
}

// callEditSubmit saves the form over the call, or shows it again with the
// problems; a call changed meanwhile by someone else is not overwritten.
func (h *Handler) callEditSubmit(c *gin.Context) {
	ctx := c.Request.Context()
	call, err := h.app.CallByID(ctx, c.Param("id"))
	if err != nil {
		h.fail(c, err)
		return
	}
	f := parseCallForm(c)
	p, formErrs := f.patch()
	var errs apperr.Fields
	status := http.StatusUnprocessableEntity
	if len(formErrs) > 0 {
		errs = mergeErrors(app.CheckCallPatch(call, p), formErrs)
	} else {
		saved, err := h.app.UpdateCall(ctx, currentUser(c), call.ID, p)
		switch {
		case err == nil:
			h.flash(c, "The changes to “"+saved.Title+"” were saved.")
			redirect(c, "/admin/calls")
			return
		case errors.Is(err, apperr.ErrStaleVersion):
			status = http.StatusConflict
			errs = apperr.Fields{"form": "Someone else changed this call since you opened it. Your changes are below but were not saved: open the call again to see theirs."}
		default:
			var ok bool
			if errs, ok = formErrors(err); !ok {
				h.fail(c, err)
				return
			}
		}
	}
	h.render(c, status, "admin_call_form", &callFormPage{Layout: Layout{Title: "Error: Change " + call.Title},
		Edit: true, ID: call.ID, Form: f, Errors: errs, ErrorKeys: callErrorKeys(f, errs)})
}
