package httpapi

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/salachat/sala/backend/internal/chat"
)

// bindJSON decodes a request body that must be one JSON object of
// Content-Type application/json. A value of the wrong type is reported as
// validation_failed naming the field; broken JSON as invalid_request.
func bindJSON(c echo.Context, dst any) error {
	mt, _, err := mime.ParseMediaType(c.Request().Header.Get(echo.HeaderContentType))
	if err != nil || mt != echo.MIMEApplicationJSON {
		return chat.Errorf(chat.EUnsupportedMedia, "Send the body as application/json.")
	}
	dec := json.NewDecoder(c.Request().Body)
	err = dec.Decode(dst)
	if err == nil && dec.More() {
		err = errors.New("trailing data")
	}
	var typeErr *json.UnmarshalTypeError
	var tooBig *http.MaxBytesError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &tooBig):
		return chat.Errorf(chat.EPayloadTooLarge, "The body is larger than %d bytes.", tooBig.Limit)
	case errors.As(err, &typeErr) && typeErr.Field != "":
		return chat.FieldsError(map[string]chat.FieldError{
			typeErr.Field: chat.FieldProblem(chat.FieldInvalid, "Must be "+jsonKind(typeErr.Type.Kind().String())+".")})
	case errors.Is(err, io.EOF):
		return chat.Errorf(chat.EInvalidRequest, "The body is empty: send a JSON object.")
	}
	return chat.Errorf(chat.EInvalidRequest, "The body is not a valid JSON object.")
}

func jsonKind(goKind string) string {
	switch goKind {
	case "int", "int64", "int32", "ptr":
		return "an integer"
	case "string":
		return "a string"
	case "bool":
		return "a boolean"
	}
	return "of another type"
}

// page reads the before and limit query parameters of a history page.
func page(c echo.Context) (before int64, limit int, err error) {
	limit = chat.JoinHistorySize
	if s := c.QueryParam("before"); s != "" {
		before, err = strconv.ParseInt(s, 10, 64)
		if err != nil || before < 1 {
			return 0, 0, invalidParam("before", "Must be an integer from 1 to 9223372036854775807.")
		}
	}
	if s := c.QueryParam("limit"); s != "" {
		limit, err = strconv.Atoi(s)
		if err != nil || limit < 1 || limit > chat.MaxPageSize {
			return 0, 0, invalidParam("limit", "Must be an integer from 1 to 200.")
		}
	}
	return before, limit, nil
}
