package throttle

import (
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/loopgo/loopgo/framework/apierr"
)

// Error codes of throttled requests.
const (
	// CodeRateLimited is the code of a throttled request in general.
	CodeRateLimited = "RATE_LIMITED"
	// CodeLoginThrottled is the code of a throttled login.
	CodeLoginThrottled = "LOGIN_THROTTLED"
)

// RetrySeconds rounds a wait up to whole seconds, at least 1: the Retry-After value.
func RetrySeconds(d time.Duration) int {
	return max(1, int(math.Ceil(d.Seconds())))
}

// TooMany returns the 429 error of a throttled request: message "<what>; try again in N
// seconds" and a Retry-After header of N seconds.
func TooMany(code, what string, retryAfter time.Duration) *apierr.Error {
	n := RetrySeconds(retryAfter)
	e := apierr.New(http.StatusTooManyRequests, code, "%s; try again in %d seconds", what, n)
	e.Details = map[string]any{"retryAfter": n}
	return e.WithHeader("Retry-After", strconv.Itoa(n))
}
