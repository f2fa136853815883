package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"cocreate/internal/app"
	"cocreate/internal/apperr"
)

// callFormPage is the coordinator's create and edit form.
type callFormPage struct {
	Layout
	Edit      bool
	ID        string
	Form      callForm
	Errors    apperr.Fields
	ErrorKeys []string
}

func (h *Handler) callNewPage(c *gin.Context) {
	h.render(c, http.StatusOK, "admin_call_form", &callFormPage{Layout: Layout{Title: "Create a call"}, Form: newCallForm()})
}

// callCreateSubmit creates a call from the form, or shows the form again
// with every problem beside its field and everything typed kept.
func (h *Handler) callCreateSubmit(c *gin.Context) {
	f := parseCallForm(c)
	in, formErrs := f.input()
	var errs apperr.Fields
	if len(formErrs) > 0 {
		errs = mergeErrors(app.CheckCallInput(in), formErrs)
	} else {
		call, err := h.app.CreateCall(c.Request.Context(), currentUser(c), in)
		if err == nil {
			h.flash(c, "The call “"+call.Title+"” was created.")
			redirect(c, "/admin/calls")
			return
		}
		var ok bool
		if errs, ok = formErrors(err); !ok {
			h.fail(c, err)
			return
		}
	}
	h.render(c, http.StatusUnprocessableEntity, "admin_call_form", &callFormPage{Layout: Layout{Title: "Error: Create a call"},
		Form: f, Errors: errs, ErrorKeys: callErrorKeys(f, errs)})
}
