package rest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/loopgo/loopgo/framework/apierr"
)

// StatusClientClosedRequest is the status logged for a request whose client went away before
// the answer (nginx's 499); the client never sees it.
const StatusClientClosedRequest = 499

// envelope is the JSON body of every error response.
type envelope struct {
	Error *apierr.Error `json:"error"`
}

// ErrorHandler returns Echo's error handler: every error becomes LoopBack's envelope; internal
// errors are logged with the request id and answered as a bare 500.
func ErrorHandler(log *slog.Logger) echo.HTTPErrorHandler {
	return func(err error, ec echo.Context) {
		if ec.Response().Committed {
			return
		}
		e := toAPIError(err, ec)
		if e.StatusCode >= 500 && errors.Is(ec.Request().Context().Err(), context.Canceled) {
			// the client went away (or shutdown cut it): its request failed for that reason,
			// not for a fault of the server; nginx's 499 says so in the request log
			log.Info("client aborted the request", "request_id", ec.Response().Header().Get(echo.HeaderXRequestID),
				"method", ec.Request().Method, "path", ec.Request().URL.Path)
			_ = ec.NoContent(StatusClientClosedRequest)
			return
		}
		if e.StatusCode >= 500 {
			log.Error("internal error", "request_id", ec.Response().Header().Get(echo.HeaderXRequestID),
				"method", ec.Request().Method, "path", ec.Request().URL.Path, "err", err.Error())
			e = &apierr.Error{StatusCode: e.StatusCode, Message: http.StatusText(e.StatusCode)}
		}
		for k, v := range e.Headers {
			ec.Response().Header().Set(k, v)
		}
		body, merr := json.Marshal(envelope{Error: e})
		if merr != nil {
			body = []byte(`{"error":{"statusCode":500,"message":"Internal Server Error"}}`)
		}
		if ec.Request().Method == http.MethodHead {
			ec.Response().Header().Set(echo.HeaderContentType, "application/json; charset=utf-8")
			_ = ec.NoContent(e.StatusCode)
			return
		}
		_ = ec.Blob(e.StatusCode, "application/json; charset=utf-8", body)
	}
}

func toAPIError(err error, ec echo.Context) *apierr.Error {
	var he *echo.HTTPError
	if errors.As(err, &he) {
		switch he.Code {
		case http.StatusNotFound, http.StatusMethodNotAllowed:
			return &apierr.Error{StatusCode: 404, Name: "Error", Message: fmt.Sprintf("Cannot %s %s", ec.Request().Method, ec.Request().URL.Path)}
		case http.StatusRequestEntityTooLarge:
			return &apierr.Error{StatusCode: 413, Name: "PayloadTooLargeError", Message: "request entity too large"}
		}
		if he.Code < 500 {
			return &apierr.Error{StatusCode: he.Code, Name: "Error", Message: fmt.Sprint(he.Message)}
		}
		return apierr.Internal(err)
	}
	e := apierr.From(err)
	if e.StatusCode < 400 {
		e.StatusCode = 500
	}
	return e
}

// RequestLogger logs one line per request at level: method, path (never the query, which may
// hold a token), status, duration, request id and user id. Nothing is built when the logger
// does not log at that level.
func RequestLogger(log *slog.Logger, level slog.Level) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(ec echo.Context) error {
			start := time.Now()
			err := next(ec)
			if err != nil {
				ec.Error(err)
			}
			ctx := ec.Request().Context()
			if !log.Enabled(ctx, level) {
				return nil
			}
			attrs := [7]slog.Attr{
				slog.String("method", ec.Request().Method), slog.String("path", ec.Request().URL.Path),
				slog.Int("status", ec.Response().Status), slog.Duration("duration", time.Since(start)),
				slog.String("request_id", ec.Response().Header().Get(echo.HeaderXRequestID)),
			}
			n := 5
			if t, ok := ec.Get(tokenKey).(*Token); ok && t != nil {
				attrs[n] = slog.Any("user_id", t.UserID)
				n++
			}
			log.LogAttrs(ctx, level, "request", attrs[:n]...)
			return nil
		}
	}
}

// SecurityHeaders sets X-Content-Type-Options: nosniff on every response.
func SecurityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(ec echo.Context) error {
		ec.Response().Header().Set("X-Content-Type-Options", "nosniff")
		return next(ec)
	}
}
