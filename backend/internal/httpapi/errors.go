package httpapi

import (
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/salachat/sala/backend/internal/chat"
)

// statusOf is the one table from error codes to HTTP statuses.
var statusOf = map[string]int{
	chat.EInternal:            http.StatusInternalServerError,
	chat.EUnavailable:         http.StatusServiceUnavailable,
	chat.EInvalidRequest:      http.StatusBadRequest,
	chat.EValidation:          http.StatusUnprocessableEntity,
	chat.EUnsupportedMedia:    http.StatusUnsupportedMediaType,
	chat.EPayloadTooLarge:     http.StatusRequestEntityTooLarge,
	chat.EUnauthorized:        http.StatusUnauthorized,
	chat.EInvalidCredentials:  http.StatusUnauthorized,
	chat.EForbidden:           http.StatusForbidden,
	chat.ENotFound:            http.StatusNotFound,
	chat.EMethodNotAllowed:    http.StatusMethodNotAllowed,
	chat.ELoginTaken:          http.StatusConflict,
	chat.ERateLimited:         http.StatusTooManyRequests,
	chat.EUserNotFound:        http.StatusNotFound,
	chat.ERoomNotFound:        http.StatusNotFound,
	chat.ERoomExists:          http.StatusConflict,
	chat.EInvalidRoomName:     http.StatusBadRequest,
	chat.ENotRoomOwner:        http.StatusForbidden,
	chat.ECannotDeleteDefault: http.StatusForbidden,
	chat.EInvalidText:         http.StatusUnprocessableEntity,
	chat.EIDReused:            http.StatusConflict,
	chat.EUnknownCommand:      http.StatusBadRequest,
	chat.EInvalidCommand:      http.StatusBadRequest,
	chat.EInvalidEnvelope:     http.StatusBadRequest,
	chat.EUnknownType:         http.StatusBadRequest,
	chat.EMessageNotFound:     http.StatusNotFound,
	chat.ENotAuthor:           http.StatusForbidden,
	chat.EInvalidEmoji:        http.StatusUnprocessableEntity,
	chat.EAttachmentNotFound:  http.StatusUnprocessableEntity,
	chat.ENotUploadOwner:      http.StatusForbidden,
	chat.ETooManyAttachments:  http.StatusUnprocessableEntity,
	chat.EFileNotFound:        http.StatusNotFound,
	chat.EInvalidLink:         http.StatusForbidden,
}

// echoCodes translates the errors Echo itself raises (router, body limit).
var echoCodes = map[int]string{
	http.StatusNotFound:              chat.ENotFound,
	http.StatusMethodNotAllowed:      chat.EMethodNotAllowed,
	http.StatusRequestEntityTooLarge: chat.EPayloadTooLarge,
	http.StatusUnsupportedMediaType:  chat.EUnsupportedMedia,
	http.StatusBadRequest:            chat.EInvalidRequest,
	http.StatusUnauthorized:          chat.EUnauthorized,
	http.StatusForbidden:             chat.EForbidden,
	http.StatusTooManyRequests:       chat.ERateLimited,
	http.StatusServiceUnavailable:    chat.EUnavailable,
}

// errorBody is the one error shape of every response.
type errorBody struct {
	Error errorDetail `json:"error"`
}

// errorDetail carries each invalid field twice: fields holds an English
// sentence per field, field_errors the rule broken and its parameters, for
// clients that speak another language.
type errorDetail struct {
	Code        string                     `json:"code"`
	Message     string                     `json:"message"`
	Fields      map[string]string          `json:"fields,omitempty"`
	FieldErrors map[string]chat.FieldError `json:"field_errors,omitempty"`
}

// errorHandler is Echo's HTTPErrorHandler: every error, Echo's own 404/405
// and recovered panics included, leaves as {"error":{code,message,fields}}.
// Internal errors are logged with their details and shown as "internal error".
func errorHandler(log *slog.Logger) echo.HTTPErrorHandler {
	return func(err error, c echo.Context) {
		if c.Response().Committed {
			return
		}
		body := errorBody{Error: toDetail(err)}
		status := statusOf[body.Error.Code]
		if status == 0 {
			status = http.StatusInternalServerError
		}
		var he *echo.HTTPError
		if errors.As(err, &he) && echoCodes[he.Code] == "" {
			status = he.Code // an Echo status we have no code for keeps its status
		}
		if status >= 500 {
			log.Error("request failed", "method", c.Request().Method, "path", c.Request().URL.Path, "err", err)
		}
		var rl *chat.RateLimitError
		if errors.As(err, &rl) {
			c.Response().Header().Set("Retry-After", strconv.Itoa(int(rl.RetryAfter.Seconds())))
		}
		_ = c.JSON(status, body) // net/http drops the body of a HEAD response

	}
}

func toDetail(err error) errorDetail {
	var he *echo.HTTPError
	var ce *chat.Error
	switch {
	case errors.As(err, &ce):
		d := errorDetail{Code: ce.Code, Message: ce.Message}
		if len(ce.Fields) > 0 {
			d.Fields, d.FieldErrors = make(map[string]string, len(ce.Fields)), ce.Fields
			for name, fe := range ce.Fields {
				d.Fields[name] = fe.Message
			}
		}
		return d
	case errors.As(err, &he):
		code := echoCodes[he.Code]
		if code == "" {
			code = chat.EInternal
		}
		return errorDetail{Code: code, Message: http.StatusText(he.Code)}
	}
	return errorDetail{Code: chat.EInternal, Message: "internal error"}
}

// invalidParam is invalid_request naming one query or path parameter.
func invalidParam(name, problem string) error {
	return &chat.Error{Code: chat.EInvalidRequest, Message: "Invalid parameter " + name + ".",
		Fields: map[string]chat.FieldError{name: chat.FieldProblem(chat.FieldInvalid, problem)}}
}
