// Package apierr holds the one error type every Loopgo layer returns to a client, shaped as
// LoopBack's error envelope ({"error":{"statusCode","name","message","code","details"}}).
package apierr

import (
	"errors"
	"fmt"
	"net/http"
)

// Error is an error with an HTTP status, a LoopBack name, a message, an optional code and details.
type Error struct {
	StatusCode int               `json:"statusCode"`
	Name       string            `json:"name,omitempty"`
	Message    string            `json:"message"`
	Code       string            `json:"code,omitempty"`
	Details    any               `json:"details,omitempty"`
	Headers    map[string]string `json:"-"`
	cause      error
}

// Error returns the message.
func (e *Error) Error() string {
	if e.cause != nil {
		return e.Message + ": " + e.cause.Error()
	}
	return e.Message
}

// Unwrap returns the wrapped internal cause, if any.
func (e *Error) Unwrap() error { return e.cause }

// WithCause records an internal cause that is logged but never sent to the client.
func (e *Error) WithCause(err error) *Error { e.cause = err; return e }

// WithHeader adds a response header sent with this error (e.g. Retry-After).
func (e *Error) WithHeader(k, v string) *Error {
	if e.Headers == nil {
		e.Headers = map[string]string{}
	}
	e.Headers[k] = v
	return e
}

// New returns an Error named "Error" with the given status, code and message.
func New(status int, code, format string, args ...any) *Error {
	msg := format
	if len(args) > 0 {
		msg = fmt.Sprintf(format, args...)
	}
	return &Error{StatusCode: status, Name: "Error", Message: msg, Code: code}
}

// BadRequest is a 400 error with an optional code.
func BadRequest(code, format string, args ...any) *Error {
	return New(http.StatusBadRequest, code, format, args...)
}

// NotFound is a 404 error with code MODEL_NOT_FOUND.
func NotFound(format string, args ...any) *Error {
	return New(http.StatusNotFound, "MODEL_NOT_FOUND", format, args...)
}

// Unauthorized is a 401 error with an optional code.
func Unauthorized(code, format string, args ...any) *Error {
	return New(http.StatusUnauthorized, code, format, args...)
}

// Unprocessable is a 422 error with a code (not a ValidationError).
func Unprocessable(code, format string, args ...any) *Error {
	return New(http.StatusUnprocessableEntity, code, format, args...)
}

// Internal is a 500 error whose cause is logged and whose message is the HTTP reason only.
func Internal(cause error) *Error {
	return (&Error{StatusCode: 500, Name: "Error", Message: "Internal Server Error"}).WithCause(cause)
}

// As returns err as an *Error when it is (or wraps) one.
func As(err error) (*Error, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e, true
	}
	return nil, false
}

// From maps any error to an *Error; unknown errors become a 500 Internal error.
func From(err error) *Error {
	if err == nil {
		return nil
	}
	if e, ok := As(err); ok {
		return e
	}
	if v, ok := AsValidation(err); ok {
		return v.APIError()
	}
	return Internal(err)
}
