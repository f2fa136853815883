package web

import (
	"fmt"
	"math"
	"net/http"

	"github.com/gin-gonic/gin"

	"cocreate/internal/app"
	"cocreate/internal/apperr"
	"cocreate/internal/enum"
	"cocreate/internal/review"
	"cocreate/internal/store"
)

// callJSON is the api.md `call` object; status is derived from the clock.
type callJSON struct {
	ID               string             `json:"id"`
	Slug             string             `json:"slug"`
	Title            string             `json:"title"`
	Description      string             `json:"description"`
	RefPrefix        string             `json:"ref_prefix"`
	Status           string             `json:"status"`
	OpensAt          string             `json:"opens_at"`
	ClosesAt         string             `json:"closes_at"`
	PlanStart        string             `json:"plan_start"`
	PlanEnd          string             `json:"plan_end"`
	TimeZone         string             `json:"time_zone"`
	ReviewersPerNote int                `json:"reviewers_per_note"`
	MinReviews       int                `json:"min_reviews"`
	BlindReview      bool               `json:"blind_review"`
	Criteria         []review.Criterion `json:"criteria"`
	WordLimits       map[string]int     `json:"word_limits"`
	ReviewDue        *string            `json:"review_due,omitempty"`
	ReminderDays     int                `json:"reminder_days"`
	RequiresTraining bool               `json:"requires_training"`
	// RequiresVerifiedEmail: submission needs a verified e-mail address.
	RequiresVerifiedEmail bool    `json:"requires_verified_email"`
	PublishedAt           *string `json:"published_at,omitempty"`
	ContactEmail          string  `json:"contact_email"`
	Version               int     `json:"version"`
	CreatedAt             string  `json:"created_at"`
	UpdatedAt             string  `json:"updated_at"`
}

func (h *Handler) toCallJSON(c *store.Call) callJSON {
	return callJSON{ID: c.ID, Slug: c.Slug, Title: c.Title, Description: c.Description, RefPrefix: c.RefPrefix,
		Status: c.Status(h.now()), OpensAt: jsonTime(c.OpensAt), ClosesAt: jsonTime(c.ClosesAt),
		PlanStart: c.PlanStart, PlanEnd: c.PlanEnd, TimeZone: c.TimeZone, ReviewersPerNote: c.ReviewersPerNote,
		MinReviews: c.MinReviews, BlindReview: c.BlindReview, Criteria: c.Criteria, WordLimits: c.WordLimits,
		ReviewDue: jsonTimePtr(c.ReviewDue), ReminderDays: c.ReminderDays, RequiresTraining: c.RequiresTraining,
		RequiresVerifiedEmail: c.VerifiedEmailRequired(),
		PublishedAt:           jsonTimePtr(c.PublishedAt), ContactEmail: c.ContactEmail, Version: c.Version, CreatedAt: jsonTime(c.CreatedAt),
		UpdatedAt: jsonTime(c.UpdatedAt)}
}

// criterionBody takes a weight as any number, so a fraction is a 422 that
// names the criterion rather than a type error.
type criterionBody struct {
	Key    string  `json:"key"`
	Label  string  `json:"label"`
	Weight float64 `json:"weight"`
}

// wholeNumbers converts the rubric and word limits as sent, recording a
// message for each number that is not whole.
func wholeNumbers(criteria []criterionBody, limits map[string]float64, errs apperr.Fields) ([]review.Criterion, map[string]int) {
	var crit []review.Criterion
	if criteria != nil {
		crit = make([]review.Criterion, len(criteria))
		for i, c := range criteria {
			if c.Weight != math.Trunc(c.Weight) || math.Abs(c.Weight) > 1e6 {
				errs["criteria."+c.Key] = fmt.Sprintf("Weight for %s must be a whole number", enum.Criteria.Label(c.Key))
			}
			crit[i] = review.Criterion{Key: c.Key, Label: c.Label, Weight: int(c.Weight)}
		}
	}
	var lim map[string]int
	if limits != nil {
		lim = map[string]int{}
		for k, v := range limits {
			if v != math.Trunc(v) || math.Abs(v) > 1e6 {
				errs["word_limits."+k] = "The word limit must be a whole number of 1 or more"
			}
			lim[k] = int(v)
		}
	}
	return crit, lim
}

// callCreateBody is app.CallInput with the numbers taken as sent; the
// outer fields shadow the embedded ones of the same JSON name.
type callCreateBody struct {
	app.CallInput
	Criteria   []criterionBody    `json:"criteria"`
	WordLimits map[string]float64 `json:"word_limits"`
}

// callPatchBody is app.CallPatch with the numbers taken as sent.
type callPatchBody struct {
	app.CallPatch
	Criteria   []criterionBody    `json:"criteria"`
	WordLimits map[string]float64 `json:"word_limits"`
}

// apiListCalls lists every call.
func (h *Handler) apiListCalls(c *gin.Context) {
	list, err := h.app.Calls(c.Request.Context())
	if err != nil {
		h.fail(c, err)
		return
	}
	items := make([]callJSON, len(list))
	for i, call := range list {
		items[i] = h.toCallJSON(call)
	}
	c.JSON(http.StatusOK, gin.H{"items": items, "total": len(items)})
}

// apiGetCall returns one call by id or slug.
func (h *Handler) apiGetCall(c *gin.Context) {
	call, err := h.app.CallByKey(c.Request.Context(), c.Param("call_id"))
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"call": h.toCallJSON(call)})
}

// apiCreateCall creates a call.
func (h *Handler) apiCreateCall(c *gin.Context) {
	var b callCreateBody
	if !h.bindJSON(c, &b) {
		return
	}
	errs := apperr.Fields{}
	b.CallInput.Criteria, b.CallInput.WordLimits = wholeNumbers(b.Criteria, b.WordLimits, errs)
	if len(errs) > 0 {
		h.fail(c, errs)
		return
	}
	call, err := h.app.CreateCall(c.Request.Context(), currentUser(c), b.CallInput)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, gin.H{"call": h.toCallJSON(call)})
}

// apiPatchCall changes some of a call's fields.
func (h *Handler) apiPatchCall(c *gin.Context) {
	var b callPatchBody
	if !h.bindJSON(c, &b) {
		return
	}
	errs := apperr.Fields{}
	b.CallPatch.Criteria, b.CallPatch.WordLimits = wholeNumbers(b.Criteria, b.WordLimits, errs)
	if len(errs) > 0 {
		h.fail(c, errs)
		return
	}
	call, err := h.app.UpdateCall(c.Request.Context(), currentUser(c), c.Param("call_id"), b.CallPatch)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"call": h.toCallJSON(call)})
}
