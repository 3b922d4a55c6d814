package chat

import (
	"errors"
	"fmt"
	"time"
)

// Error codes: the machine-readable half of every error a client sees, over
// REST ({"error":{"code":…}}) and over the WebSocket (error envelopes). The
// HTTP status of each lives in one table in the httpapi package.
const (
	EInternal            = "internal"               // a fault of ours; details are logged, never shown
	EUnavailable         = "unavailable"            // the database is unreachable; retry later
	EInvalidRequest      = "invalid_request"        // malformed JSON, wrong types, bad query parameters
	EValidation          = "validation_failed"      // input fields break their rules; Fields names each
	EUnsupportedMedia    = "unsupported_media_type" // a body that is not application/json
	EPayloadTooLarge     = "payload_too_large"
	EUnauthorized        = "unauthorized"        // missing, expired or forged token
	EInvalidCredentials  = "invalid_credentials" // unknown login or wrong password, told apart by no one
	EForbidden           = "forbidden"
	ENotFound            = "not_found"
	EMethodNotAllowed    = "method_not_allowed"
	ELoginTaken          = "login_taken"
	ERateLimited         = "rate_limited"
	EUserNotFound        = "user_not_found"
	ERoomNotFound        = "room_not_found"
	ERoomExists          = "room_exists"
	EInvalidRoomName     = "invalid_room_name"
	ENotRoomOwner        = "not_room_owner"
	ECannotDeleteDefault = "cannot_delete_default"
	EInvalidText         = "invalid_text"
	EIDReused            = "id_reused" // a client id the sender gave an earlier, different message
	EUnknownCommand      = "unknown_command"
	EInvalidCommand      = "invalid_command" // a known command with missing or extra arguments
	EInvalidEnvelope     = "invalid_envelope"
	EUnknownType         = "unknown_type"
	EMessageNotFound     = "message_not_found" // no such message the caller may read, or it was deleted
	ENotAuthor           = "not_author"        // an edit (or delete) of someone else's message
	EInvalidEmoji        = "invalid_emoji"     // a reaction that is not one emoji
)

// Error is Sala's one error type. Code is stable and machine-readable,
// Message is for people, Fields maps input field names to what is wrong.
type Error struct {
	Code    string
	Message string
	Fields  map[string]string
}

func (e *Error) Error() string {
	return fmt.Sprintf("sala error: code=%s message=%s", e.Code, e.Message)
}

// Errorf builds an *Error with a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// RateLimitError is rate_limited with the time to wait: the HTTP layer sends
// it as Retry-After (seconds to wait before trying again).
type RateLimitError struct {
	Err        *Error
	RetryAfter time.Duration // whole seconds, at least one
}

func (e *RateLimitError) Error() string { return e.Err.Error() }

// Unwrap lets ErrorCode and ErrorMessage find the code and the message.
func (e *RateLimitError) Unwrap() error { return e.Err }

// RateLimited is a rate_limited error whose client may retry after wait,
// rounded up to whole seconds (at least one: Retry-After counts seconds).
func RateLimited(wait time.Duration, format string, args ...any) *RateLimitError {
	secs := max(time.Second, (wait + time.Second - 1).Truncate(time.Second))
	return &RateLimitError{Err: Errorf(ERateLimited, format, args...), RetryAfter: secs}
}

// FieldsError is a validation_failed error naming every invalid field.
func FieldsError(fields map[string]string) *Error {
	return &Error{Code: EValidation, Message: "some fields are invalid", Fields: fields}
}

// ErrorCode returns the code of an *Error anywhere in err's chain, or
// EInternal for any other non-nil error.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EInternal
}

// ErrorMessage returns the human message of an *Error, or a generic text for
// internal errors, whose details must not leak to clients.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}
