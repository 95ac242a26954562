package rest

import (
	"log/slog"
	"strconv"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// EchoOptions configure the Echo instance of an application (NewEcho).
type EchoOptions struct {
	Logger *slog.Logger // the error handler's and the request logger's; nil = slog.Default()
	// RequestLog turns on one log line per request, at RequestLogLevel.
	RequestLog      bool
	RequestLogLevel slog.Level
	// TrustProxy takes the client address from X-Forwarded-For; otherwise it is the peer's.
	TrustProxy bool
	BodyLimit  int64 // bytes, for every route; 0 = 100 kB
	CORS       CORS  // cross-origin requests; no origins = no CORS middleware
}

// CORS configures cross-origin requests (Echo's CORS middleware).
type CORS struct {
	AllowOrigins     []string // origins allowed, e.g. "https://app.example.com", or "*"
	AllowCredentials bool     // answer Access-Control-Allow-Credentials: true
}

// NewEcho returns the Echo instance of an application with Loopgo's middleware, in this order:
// request id, request log, security headers, panic recovery, body limit, CORS. Its error handler
// writes LoopBack's envelope (ErrorHandler).
func NewEcho(o EchoOptions) *echo.Echo {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.BodyLimit <= 0 {
		o.BodyLimit = 100 * 1024
	}
	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	e.HTTPErrorHandler = ErrorHandler(o.Logger)
	// the client address (throttling, audit, sessions) is the peer's unless a proxy is trusted:
	// X-Forwarded-For from anyone else would let a client pick its own address
	e.IPExtractor = echo.ExtractIPDirect()
	if o.TrustProxy {
		e.IPExtractor = echo.ExtractIPFromXFFHeader()
	}
	ids := newRequestIDs()
	e.Use(middleware.RequestIDWithConfig(middleware.RequestIDConfig{Generator: ids.id}))
	if o.RequestLog {
		e.Use(RequestLogger(o.Logger, o.RequestLogLevel))
	}
	e.Use(SecurityHeaders)
	e.Use(middleware.Recover())
	// every route, boot routes included: a body over the limit is refused by its
	// Content-Length before it is read, or as soon as the limit is passed while reading (413)
	e.Use(middleware.BodyLimit(strconv.FormatInt(o.BodyLimit, 10) + "B"))
	UseCORS(e, o.CORS)
	return e
}

// UseCORS adds Echo's CORS middleware to e when c allows origins, and reports whether it did.
func UseCORS(e *echo.Echo, c CORS) bool {
	if len(c.AllowOrigins) == 0 {
		return false
	}
	e.Use(middleware.CORSWithConfig(middleware.CORSConfig{
		AllowOrigins: c.AllowOrigins, AllowCredentials: c.AllowCredentials,
		AllowHeaders: []string{echo.HeaderContentType, echo.HeaderAuthorization, "X-Access-Token"},
	}))
	return true
}
