// Package throttle counts events per key in sliding windows stored in the database, so that
// several application instances sharing a datasource share the counters: login throttling,
// password-reset and verification mail limits (anti-automation, ASVS 6.1.1, 6.3.1, 2.4.1).
//
// A Limiter checks rules (Check) before an action and records events (Hit) after it; keys are
// stored as a rule name plus the SHA-256 digest of the subject (an email, a client address), so
// the table holds no personal data in clear. Old events are pruned opportunistically.
//
// The same table keeps marks (Remember, Remembered, Forget): facts remembered for a while about
// a subject, such as the client addresses an account logged in from successfully, which the
// login throttle's per-account rule does not block (a soft lockout the owner is not locked out
// by).
//
// Check and Hit are two statements, not one atomic step: concurrent requests may each pass a
// check before any of them records its event. Reserve is the atomic form, for attempts whose
// work must not start beyond the limit (a password check, a mail): it counts and records the
// attempt in one transaction under a lock row of the ThrottleLock model (LockModelYAML), so
// that N concurrent attempts on any number of instances sharing the database pass exactly as
// many as the rules allow; Release takes the attempt back when it turns out not to count (a
// successful login).
package throttle

import _ "embed"

// ModelName is the name of the event model defined by ModelYAML.
const ModelName = "ThrottleEvent"

// ModelYAML is the definition of the ThrottleEvent model ({key string, at date}, both indexed;
// every REST access denied). The framework loads it into the registry, attaches it to the
// default datasource (not public) and passes the resolved model to New.
//
//go:embed ThrottleEvent.yaml
var ModelYAML []byte

// LockModelName is the name of the lock model defined by LockModelYAML.
const LockModelName = "ThrottleLock"

// LockModelYAML is the definition of the ThrottleLock model ({id string}; every REST access
// denied), which Reserve locks rows of; the framework attaches it beside ThrottleEvent.
//
//go:embed ThrottleLock.yaml
var LockModelYAML []byte
