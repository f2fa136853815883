package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"cocreate/internal/app"
	"cocreate/internal/apperr"
	"cocreate/internal/notes"
	"cocreate/internal/workflow"
)

// apiError is the error shape of api.md.
type apiError struct {
	Code      string            `json:"code"`
	Message   string            `json:"message"`
	Fields    map[string]string `json:"fields,omitempty"`
	RequestID string            `json:"request_id,omitempty"`
	State     string            `json:"state,omitempty"`
	Allowed   []string          `json:"allowed,omitempty"`
}

// classify maps an error to a status, a code, a safe message and fields.
// Anything it does not recognise is an internal error whose text stays in the log.
func classify(err error) (int, apiError) {
	var (
		fe  apperr.Fields
		nfe notes.FieldErrors
		inv *apperr.Invalid
		bad *apperr.BadRequest
		con *apperr.Conflict
		te  *workflow.TransitionError
		th  *app.ErrThrottled
	)
	switch {
	case errors.As(err, &fe):
		return 422, apiError{Code: "validation_failed", Message: "Some fields need attention.", Fields: fe}
	case errors.As(err, &nfe):
		return 422, apiError{Code: "validation_failed", Message: "Some fields need attention.", Fields: nfe}
	case errors.As(err, &inv):
		return 422, apiError{Code: "validation_failed", Message: inv.Message, Fields: inv.Fields}
	case errors.As(err, &bad):
		return 400, apiError{Code: "bad_request", Message: bad.Message}
	case errors.As(err, &te):
		allowed := make([]string, len(te.Allowed))
		for i, e := range te.Allowed {
			allowed[i] = string(e)
		}
		return 409, apiError{Code: "invalid_transition", Message: te.Error(), State: string(te.State), Allowed: allowed}
	case errors.As(err, &con):
		ae := apiError{Code: con.Code, Message: con.Message}
		if f, ok := con.Extra["fields"].(map[string]string); ok {
			ae.Fields = f
		}
		return 409, ae
	case errors.As(err, &th):
		return 429, apiError{Code: "rate_limited", Message: th.Error()}
	case errors.Is(err, apperr.ErrStaleVersion):
		return 409, apiError{Code: "stale_version", Message: apperr.ErrStaleVersion.Error()}
	case errors.Is(err, apperr.ErrDuplicate):
		return 409, apiError{Code: "duplicate", Message: "That already exists."}
	case errors.Is(err, workflow.ErrCallClosed):
		return 409, apiError{Code: "call_closed", Message: safeSentence(err, "The call is not accepting submissions now.")}
	case errors.Is(err, workflow.ErrReasonRequired), errors.Is(err, workflow.ErrMinReviews):
		return 422, apiError{Code: "validation_failed", Message: safeSentence(err, "Some fields need attention.")}
	case errors.Is(err, apperr.ErrUnauthenticated):
		return 401, apiError{Code: "unauthenticated", Message: safeSentence(err, "Sign in to continue.")}
	case errors.Is(err, apperr.ErrForbidden), errors.Is(err, workflow.ErrForbidden):
		return 403, apiError{Code: "forbidden", Message: safeSentence(err, "You are not allowed to do that.")}
	case errors.Is(err, apperr.ErrNotFound):
		return 404, apiError{Code: "not_found", Message: "Not found."}
	case errors.Is(err, apperr.ErrNoSpace):
		return 503, apiError{Code: "unavailable", Message: noSpaceMessage}
	case errors.Is(err, apperr.ErrUnavailable), errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return 503, apiError{Code: "unavailable", Message: "The database cannot be reached. Try again in a moment."}
	}
	return 500, apiError{Code: "internal", Message: "Something went wrong on our side. Quote the request id if you report it."}
}

// noSpaceMessage is what a user reads when the database's disk is full.
const noSpaceMessage = "The service cannot save anything right now: the server has run out of storage space. " +
	"Nothing was lost: everything saved before is safe, and this request changed nothing. Try again in a few minutes."

// safeSentence is the message for people that err carries (apperr.Safe),
// as a sentence, or fallback: never the text of the whole wrap chain,
// which is for the log.
func safeSentence(err error, fallback string) string {
	s, ok := apperr.SafeMessage(err)
	if !ok || s == "" {
		return fallback
	}
	s = strings.ToUpper(s[:1]) + s[1:]
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}

func isAPI(c *gin.Context) bool { return strings.HasPrefix(c.Request.URL.Path, "/api/") }

// fail answers err: JSON in the API, an error page elsewhere. Internal errors
// are logged with the request id; the user sees only a safe message.
func (h *Handler) fail(c *gin.Context, err error) {
	if clientGone(c) {
		// Nobody reads the answer, and the failure is the client's leaving,
		// not ours: the request line logs it as cancelled.
		h.cancelled(c)
		return
	}
	status, ae := classify(err)
	ae.RequestID = requestID(c)
	if errors.Is(err, apperr.ErrNoSpace) {
		h.space.failed()
	}
	if status >= 500 {
		h.log.Error("request failed", "request_id", ae.RequestID, "method", c.Request.Method,
			"path", c.FullPath(), "status", status, "err", err)
	}
	var th *app.ErrThrottled
	if errors.As(err, &th) {
		c.Header("Retry-After", strconv.Itoa(int(th.RetryAfter.Seconds())+1))
	}
	if isAPI(c) {
		c.AbortWithStatusJSON(status, gin.H{"error": ae})
		return
	}
	if status == 401 {
		// Come back here after signing in; a form post cannot be repeated by a redirect, so go home instead.
		next := "/"
		if c.Request.Method == http.MethodGet {
			next = safeNext(c.Request.URL.RequestURI())
		}
		c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(next))
		c.Abort()
		return
	}
	h.renderError(c, status, ae.Message)
	c.Abort()
}

// apiFail writes an error with an explicit code, for the router's own errors.
func apiFail(c *gin.Context, status int, code, msg string) {
	c.AbortWithStatusJSON(status, gin.H{"error": apiError{Code: code, Message: msg, RequestID: requestID(c)}})
}

func (h *Handler) notFound(c *gin.Context) {
	if isAPI(c) {
		apiFail(c, 404, "not_found", "No such route.")
		return
	}
	h.renderError(c, 404, "We cannot find that page.")
}

func (h *Handler) methodNotAllowed(c *gin.Context) {
	if isAPI(c) {
		apiFail(c, 405, "method_not_allowed", "That method is not allowed on this route.")
		return
	}
	h.renderError(c, 405, "That action is not available here.")
}
