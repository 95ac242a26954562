package accounts

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/loopgo/loopgo/framework/apierr"
	"github.com/loopgo/loopgo/framework/filter"
	"github.com/loopgo/loopgo/framework/schema"
)

// LoginOptions are the request facts login needs besides the credentials.
type LoginOptions struct {
	Include       []string // the `include` query argument; "user" (any case) adds the user
	ClientAddress string   // stored on the token; the address of the login throttle ("" = no address rules)
	UserAgent     string   // stored on the token
}

// LoginResult is a successful login: the new access token and, on request, the user.
type LoginResult struct {
	Token   string // the raw token id (64 characters); only its digest is stored
	TTL     int64
	Created time.Time
	UserID  any
	User    schema.Record // without hidden properties; nil unless include has "user"
}

// JSON returns the login response body: {"id","ttl","created","userId"[,"user"]}; created is a
// time.Time for the REST layer to format.
func (r *LoginResult) JSON() map[string]any {
	out := map[string]any{"id": r.Token, "ttl": r.TTL, "created": r.Created, "userId": r.UserID}
	if r.User != nil {
		out["user"] = r.User
	}
	return out
}

// errLoginFailed is LoopBack's answer for an unknown user or a wrong password.
func errLoginFailed() *apierr.Error { return apierr.Unauthorized("LOGIN_FAILED", "login failed") }

// Login checks credentials ({email|username, password[, realm][, ttl]}) as LoopBack's
// User.login does (lb3.md 1.7) and creates an access token. An unknown account costs the same
// bcrypt work as a wrong password; a disabled account answers LOGIN_FAILED like a wrong
// password; a store failure answers LOGIN_FAILED with the cause attached.
//
// With a limiter (SetLimiter) and the model's loginThrottle rules, a login whose account and
// client address, address, or account has too many recent failures answers 429
// LOGIN_THROTTLED with Retry-After, before any password check; the account rule is skipped for
// an address the account logged in from successfully before (see LoginThrottle.Trusted). A
// failure is counted on all three; a successful login clears the account+address count and
// trusts the address.
//
// A user with MFA enabled must also give credentials.code, a one-time code (see MFAEnroll):
// without one, a right password answers 401 MFA_REQUIRED (a wrong one LOGIN_FAILED, so that the
// answer tells nothing to whoever lacks the password); a wrong or already used code answers 401
// LOGIN_FAILED and counts as a failed login.
func (u *Users) Login(ctx context.Context, credentials map[string]any, opts LoginOptions) (*LoginResult, error) {
	set := SettingsOf(u.model)
	query, err := loginQuery(credentials, set)
	if err != nil {
		return nil, err
	}
	where := filter.And{}
	for _, k := range []string{"realm", "email", "username"} {
		if v, ok := query[k]; ok {
			where = append(where, eq(u.model, k, v))
		}
	}
	user, err := u.users.FindOne(ctx, u.model, &filter.Filter{Where: where})
	if err != nil {
		return nil, errLoginFailed().WithCause(fmt.Errorf("login: find %s: %w", u.model.Name, err))
	}
	// the budgets are the account's, whichever identifier names it (email or username)
	account := accountID(query)
	if user != nil {
		account = "id:" + schema.IDString(user[idProperty(u.model).Name])
	}
	keys := u.loginKeys(account, opts.ClientAddress)
	trust := u.trustMark(account, opts.ClientAddress)
	// the attempt is counted before the password is looked at, so that concurrent attempts
	// beyond the limit never reach bcrypt; a successful login takes it back
	attempt, err := u.reserveLogin(ctx, keys, trust)
	if err != nil {
		return nil, err
	}
	plain, _ := credentials["password"].(string)
	if user == nil {
		if err := DummyCompare(ctx, plain, set.Cost); err != nil {
			return nil, fmt.Errorf("login: %w", err)
		}
		return nil, errLoginFailed()
	}
	hash, _ := user["password"].(string)
	match, err := Compare(ctx, hash, plain)
	if err != nil {
		return nil, fmt.Errorf("login: %w", err)
	}
	if !match || schema.Truthy(user[propDisabled]) {
		return nil, errLoginFailed()
	}
	if schema.Truthy(user[propMFAEnabled]) {
		ok, err := u.loginCode(ctx, user, credentials["code"])
		if e, isAPI := apierr.As(err); isAPI && e.Code == codeMFARequired {
			// the right password without a code is not a failure
			if rerr := attempt.Release(ctx); rerr != nil {
				return nil, fmt.Errorf("login: %w", rerr)
			}
			return nil, err
		}
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, errLoginFailed()
		}
	}
	// Cleared only now: with MFA, a right password alone must not reset the count of wrong codes.
	if err := attempt.Release(ctx); err != nil {
		return nil, fmt.Errorf("login: %w", err)
	}
	if err := u.limiter().Reset(ctx, keys[0]); err != nil {
		return nil, fmt.Errorf("login: %w", err)
	}
	userID := user[idProperty(u.model).Name]
	if set.EmailVerificationRequired && !schema.Truthy(user["emailVerified"]) {
		e := apierr.Unauthorized("LOGIN_FAILED_EMAIL_NOT_VERIFIED", "login failed as the email has not been verified")
		e.Details = map[string]any{"userId": userID}
		return nil, e
	}
	if err := u.limiter().Remember(ctx, trust); err != nil {
		return nil, fmt.Errorf("login: %w", err)
	}
	ttl, _ := requestedTTL(credentials["ttl"])
	raw, rec, err := u.CreateAccessToken(ctx, userID, ttl, nil, TokenMeta{ClientAddress: opts.ClientAddress, UserAgent: opts.UserAgent})
	if err != nil {
		return nil, fmt.Errorf("login: %w", err)
	}
	res := &LoginResult{Token: raw, UserID: userID}
	res.TTL, _ = requestedTTL(rec["ttl"])
	res.Created, _ = timeValue(rec["created"])
	if wantsUser(opts.Include) {
		res.User = withoutHidden(u.model, user)
	}
	return res, nil
}

// loginQuery normalises credentials into the properties to look the user up by (LoopBack's
// normalizeCredentials: email wins over username; with realm settings the realm comes from
// credentials.realm or from a "realm<delimiter>" prefix) and runs the 400 pre-checks.
func loginQuery(credentials map[string]any, set Settings) (map[string]any, error) {
	query := map[string]any{}
	key := ""
	switch {
	case schema.Truthy(credentials["email"]):
		key = "email"
	case schema.Truthy(credentials["username"]):
		key = "username"
	}
	if key != "" {
		query[key] = credentials[key]
	}
	if set.RealmRequired {
		if schema.Truthy(credentials["realm"]) {
			query["realm"] = credentials["realm"]
		}
		if name, ok := query[key].(string); ok && set.RealmDelimiter != "" {
			if realm, rest, found := strings.Cut(name, set.RealmDelimiter); found {
				query[key] = rest
				if realm != "" {
					query["realm"] = realm
				}
			}
		}
		if !schema.Truthy(query["realm"]) {
			return nil, apierr.BadRequest("REALM_REQUIRED", "realm is required")
		}
		if _, ok := query["realm"].(string); !ok {
			return nil, apierr.BadRequest("INVALID_REALM", "Invalid realm")
		}
	}
	if !schema.Truthy(query["email"]) && !schema.Truthy(query["username"]) {
		return nil, apierr.BadRequest("USERNAME_EMAIL_REQUIRED", "username or email is required")
	}
	if v, ok := query["username"]; ok && schema.Truthy(v) {
		if _, isStr := v.(string); !isStr {
			return nil, apierr.BadRequest("INVALID_USERNAME", "Invalid username")
		}
	}
	if v, ok := query["email"]; ok && schema.Truthy(v) {
		s, isStr := v.(string)
		if !isStr {
			return nil, apierr.BadRequest("INVALID_EMAIL", "Invalid email")
		}
		if !set.CaseSensitiveEmail {
			query["email"] = strings.ToLower(s)
		}
	}
	return query, nil
}

// requestedTTL reads a ttl value in whole seconds; ok is false when v is absent or not a number
// (a login then gets the model's default ttl).
func requestedTTL(v any) (int64, bool) {
	f, ok := schema.ParseNumber(v)
	if !ok {
		return 0, false
	}
	f = math.Trunc(f)
	if f > math.MaxInt64/2 || f < math.MinInt64/2 {
		return 0, false
	}
	return int64(f), true
}

// wantsUser reports whether an include list names "user" (case-insensitively).
func wantsUser(include []string) bool {
	for _, s := range include {
		if strings.EqualFold(strings.TrimSpace(s), "user") {
			return true
		}
	}
	return false
}
