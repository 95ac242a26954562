package accounts

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/loopgo/loopgo/framework/apierr"
	"github.com/loopgo/loopgo/framework/filter"
	"github.com/loopgo/loopgo/framework/schema"
)

// lastUsedEvery is how stale a token's lastUsed may get before a request refreshes it.
const lastUsedEvery = time.Minute

// TokenMeta is what an access token records about the client that obtained it.
type TokenMeta struct {
	ClientAddress string
	UserAgent     string
}

// Resolved is a valid access token found by its raw id.
type Resolved struct {
	Digest    string // the stored id: SHA-256 hex of the raw id
	UserID    any
	UserModel string // the token's principalType, or this Users' model name
	TTL       int64
	Scopes    []string // nil when the token has none (LoopBack then means ["DEFAULT"])
	Created   time.Time
	LastUsed  time.Time // when the token was last used (refreshed at most once a minute); zero = never
}

// errInvalidToken is the token middleware's answer for an expired or invalid token.
func errInvalidToken() *apierr.Error {
	return apierr.Unauthorized("INVALID_TOKEN", "Invalid Access Token")
}

// isInvalidToken reports whether err is errInvalidToken.
func isInvalidToken(err error) bool {
	e, ok := apierr.As(err)
	return ok && e.Code == "INVALID_TOKEN" && e.StatusCode == http.StatusUnauthorized
}

// CreateAccessToken creates an access token for userID and returns the raw id (given to the
// client once) and the stored record (whose id is Digest(raw)). As LoopBack's createAccessToken,
// ttl 0 means the model's ttl setting and any ttl is capped at maxTTL; -1 (eternal) is stored as
// is and validates only when the model allows eternal tokens.
func (u *Users) CreateAccessToken(ctx context.Context, userID any, ttl int64, scopes []string, meta TokenMeta) (string, schema.Record, error) {
	set := SettingsOf(u.model)
	if ttl == 0 {
		ttl = set.TTL
	}
	ttl = min(ttl, set.MaxTTL)
	raw, err := NewTokenID()
	if err != nil {
		return "", nil, fmt.Errorf("create access token: %w", err)
	}
	data := map[string]any{
		"id":            Digest(raw),
		"ttl":           ttl,
		"created":       u.now().UTC().Truncate(time.Millisecond),
		"userId":        userID,
		"principalType": u.model.Name,
	}
	if scopes != nil {
		list := make([]any, len(scopes))
		for i, s := range scopes {
			list[i] = s
		}
		data["scopes"] = list
	}
	if meta.ClientAddress != "" {
		data["clientAddress"] = meta.ClientAddress
	}
	if meta.UserAgent != "" {
		data["userAgent"] = meta.UserAgent
	}
	rec, err := u.tokens.Create(ctx, u.tokenModel, data)
	if err != nil {
		return "", nil, fmt.Errorf("create access token for %s %v: %w", u.model.Name, userID, err)
	}
	return raw, rec, nil
}

// ResolveToken finds the access token with that raw id. Unknown (or empty) ids answer nil, nil
// (the request is anonymous). A token that is expired, malformed, or unused for longer than its
// user model's inactivityTimeout (see tokenValid) is deleted and answers 401 INVALID_TOKEN. A
// valid token's lastUsed is refreshed when older than a minute.
func (u *Users) ResolveToken(ctx context.Context, raw string) (*Resolved, error) {
	if raw == "" {
		return nil, nil
	}
	digest := Digest(raw)
	rec, err := u.tokens.FindByID(ctx, u.tokenModel, digest, nil)
	if err != nil {
		return nil, fmt.Errorf("resolve access token: %w", err)
	}
	if rec == nil {
		return nil, nil
	}
	now := u.now()
	tok := &Resolved{Digest: digest, UserID: u.userIDValue(rec["userId"]), Scopes: stringList(rec["scopes"])}
	tok.LastUsed, _ = timeValue(rec["lastUsed"])
	tok.UserModel, _ = rec["principalType"].(string)
	if tok.UserModel == "" {
		tok.UserModel = u.model.Name
	}
	created, hasCreated := timeValue(rec["created"])
	ttl, hasTTL := requestedTTL(rec["ttl"])
	tok.Created, tok.TTL = created, ttl
	if !hasCreated || !hasTTL || !u.tokenValid(tok, now) {
		if _, err := u.tokens.DeleteByID(ctx, u.tokenModel, digest); err != nil {
			return nil, errInvalidToken().WithCause(fmt.Errorf("delete expired access token: %w", err))
		}
		return nil, errInvalidToken()
	}
	if err := u.touch(ctx, digest, rec["lastUsed"], now); err != nil {
		return nil, err
	}
	return tok, nil
}

// tokenValid applies LoopBack's AccessToken.validate: ttl must be -1 or positive; -1 is valid
// only when the token's user model allows eternal tokens; otherwise the age must be below ttl.
// Then Loopgo's inactivity timeout: the token must have been used (or, never used, created)
// less than the user model's inactivityTimeout ago (0 = no timeout), eternal tokens included.
func (u *Users) tokenValid(tok *Resolved, now time.Time) bool {
	m := u.userModelNamed(tok.UserModel)
	switch {
	case tok.TTL == -1:
		if m == nil || !SettingsOf(m).AllowEternalTokens {
			return false
		}
	case tok.TTL <= 0:
		return false
	case now.Sub(tok.Created).Seconds() >= float64(tok.TTL):
		return false
	}
	if m == nil {
		m = u.model
	}
	return active(tok, now, SettingsOf(m).InactivityTimeout)
}

// active reports whether tok was last used, or created when never used, less than timeout
// seconds before now (timeout 0 = always).
func active(tok *Resolved, now time.Time, timeout int64) bool {
	if timeout <= 0 {
		return true
	}
	last := tok.Created
	if tok.LastUsed.After(last) {
		last = tok.LastUsed
	}
	return now.Sub(last) < time.Duration(timeout)*time.Second
}

// userModelNamed returns the user model a token names: this model, one found by the lookup set
// with SetModelLookup (nil when it does not know the name), or this model when no lookup is set.
func (u *Users) userModelNamed(name string) *schema.Model {
	if name == u.model.Name || u.lookup == nil {
		return u.model
	}
	return u.lookup(name)
}

// userIDValue converts a stored userId to the user model's id type: whole numbers become int64
// for models with numeric ids, so that the id compares equal to the user record's id.
func (u *Users) userIDValue(v any) any {
	if idProperty(u.model).Type != schema.Number {
		return v
	}
	if f, ok := v.(float64); ok && f == float64(int64(f)) {
		return int64(f)
	}
	return v
}

// touch sets lastUsed to now when the stored value is missing or older than lastUsedEvery; the
// UPDATE is conditional, so concurrent requests refresh it once.
func (u *Users) touch(ctx context.Context, digest string, stored any, now time.Time) error {
	if last, ok := timeValue(stored); ok && now.Sub(last) < lastUsedEvery {
		return nil
	}
	tm := u.tokenModel
	now = now.UTC().Truncate(time.Millisecond)
	where := filter.And{
		eq(tm, "id", digest),
		filter.Or{eq(tm, "lastUsed", nil), cmp(tm, "lastUsed", filter.Lt, now.Add(-lastUsedEvery))},
	}
	if _, err := u.tokens.UpdateAll(ctx, tm, where, map[string]any{"lastUsed": now}); err != nil {
		return fmt.Errorf("update access token lastUsed: %w", err)
	}
	return nil
}

// Logout deletes the access token with that digest (the current request's token). No digest
// answers 401 "accessToken is required to logout"; an already deleted token answers 401
// "Could not find accessToken" (both without a code, as LoopBack).
func (u *Users) Logout(ctx context.Context, digest string) error {
	if digest == "" {
		return apierr.Unauthorized("", "accessToken is required to logout")
	}
	n, err := u.tokens.DeleteByID(ctx, u.tokenModel, digest)
	if err != nil {
		return fmt.Errorf("logout: %w", err)
	}
	if n == 0 {
		return apierr.Unauthorized("", "Could not find accessToken")
	}
	return nil
}
