package accounts

import (
	"context"
	"fmt"
	"maps"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/loopgo/loopgo/framework/filter"
	"github.com/loopgo/loopgo/framework/schema"
	"github.com/loopgo/loopgo/framework/throttle"
)

// ResetOptions are the request facts a password reset records on the token it creates and uses
// for throttling.
type ResetOptions struct {
	ClientAddress string // "" = not limited by address
	UserAgent     string
	// Background issues the token and emits the event after ResetPassword has returned, so that
	// a known account answers as fast as an unknown one (the REST layer sets it).
	Background bool
}

// resetDelay is how long after answering a background reset issues its token.
const resetDelay = 20 * time.Millisecond

// ResetRequest is the event emitted for a password reset of an existing account (LoopBack's
// resetPasswordRequest): what is needed to mail the link.
type ResetRequest struct {
	Email   string         // the user's stored email address
	UserID  any            // the user's id
	User    schema.Record  // the user, without hidden properties
	Token   string         // the raw reset token (an access token id): put it in the link, never log it
	TTL     int64          // the token's lifetime in seconds
	Options map[string]any // the request's options (the REST body), as LoopBack passes them
}

// OnResetPasswordRequest registers fn to be called, in registration order and synchronously
// inside ResetPassword, for every reset of an existing account. The framework registers the
// listener that mails the link; applications may add their own (audit, notification). A
// listener that does slow work (SMTP) should start it in a goroutine with
// context.WithoutCancel(ctx), so that neither the response time nor its success depends on the
// mail, which would reveal whether the account exists. A panicking listener is logged.
func (u *Users) OnResetPasswordRequest(fn func(ctx context.Context, req ResetRequest)) {
	if fn == nil {
		return
	}
	u.listenersMu.Lock()
	defer u.listenersMu.Unlock()
	u.resetListeners = append(u.resetListeners, fn)
}

// ResetPassword requests a password reset (LoopBack's resetPassword, lb3.md 1.10) for the
// account with options["email"] (and options["realm"] when given). A missing or non-string
// email answers 400 EMAIL_REQUIRED; an invalid options["password"] the policy's 422; too many
// requests from the client address 429 RATE_LIMITED. Otherwise it answers nil whether or not
// the account exists, after the same work: for an existing, enabled account (verified, when
// emailVerificationRequired) it deletes the user's earlier reset tokens, creates an access token
// with ttl resetPasswordTokenTTL (default 900) and, with restrictResetPasswordTokenScope (default
// true), scopes ["reset-password"], and emits a ResetRequest to the OnResetPasswordRequest
// listeners. Past the per-email limit it silently does nothing (no token, no event).
func (u *Users) ResetPassword(ctx context.Context, options map[string]any, ro ResetOptions) error {
	email, ok := options["email"].(string)
	if !ok || email == "" {
		return errEmailRequired()
	}
	if pw, has := options["password"]; has {
		if err := PolicyOf(u.model).Check(u.model.Name, pw); err != nil {
			return err
		}
	}
	set := SettingsOf(u.model)
	if !set.CaseSensitiveEmail {
		email = strings.ToLower(email)
	}
	proceed, err := u.throttleReset(ctx, email, ro.ClientAddress)
	if err != nil || !proceed {
		return err
	}
	where := filter.And{eq(u.model, "email", email)}
	if realm, ok := options["realm"].(string); ok && realm != "" {
		where = append(where, eq(u.model, "realm", realm))
	}
	user, err := u.users.FindOne(ctx, u.model, &filter.Filter{Where: where})
	if err != nil {
		return fmt.Errorf("reset password: find %s: %w", u.model.Name, err)
	}
	if user == nil || schema.Truthy(user[propDisabled]) || (set.EmailVerificationRequired && !schema.Truthy(user["emailVerified"])) {
		// The same token work as for a real account, without storing anything.
		raw, err := NewTokenID()
		if err != nil {
			return fmt.Errorf("reset password: %w", err)
		}
		_ = Digest(raw)
		return nil
	}
	if ro.Background {
		// Started by a timer rather than `go`: a new goroutine would run on this request's
		// processor as soon as it blocks on writing the response, delaying it measurably.
		bg := context.WithoutCancel(ctx)
		time.AfterFunc(resetDelay, func() {
			if err := u.issueResetToken(bg, user, options, set, ro); err != nil {
				u.logger().Error("password reset token not issued", "model", u.model.Name, "err", err)
			}
		})
		return nil
	}
	return u.issueResetToken(ctx, user, options, set, ro)
}

// throttleReset applies the mail limits to a reset request: over the client-address limit it
// answers 429; over the per-email limit it answers proceed=false with no error, so that the
// response does not tell whether the email is known. Requests within the limits are counted.
func (u *Users) throttleReset(ctx context.Context, email, address string) (proceed bool, err error) {
	lim := u.limiter()
	keys := u.mailKeys(email, address)
	byEmail, byAddress := keys[0], keys[1]
	if _, wait, err := lim.Reserve(ctx, []throttle.Keyed{byAddress}); err != nil {
		if wait > 0 {
			return false, throttle.TooMany(throttle.CodeRateLimited, "Too many password reset requests", wait)
		}
		return false, fmt.Errorf("reset password: %w", err)
	}
	_, wait, err := lim.Reserve(ctx, []throttle.Keyed{byEmail})
	if err != nil && wait == 0 {
		return false, fmt.Errorf("reset password: %w", err)
	}
	return wait == 0, nil
}

// issueResetToken replaces the user's reset tokens with a new one and emits the event.
func (u *Users) issueResetToken(ctx context.Context, user schema.Record, options map[string]any, set Settings, ro ResetOptions) error {
	id := user[idProperty(u.model).Name]
	if err := u.deleteResetTokens(ctx, id); err != nil {
		return fmt.Errorf("reset password: %w", err)
	}
	var scopes []string
	if set.RestrictResetScope {
		scopes = []string{ResetPasswordScope}
	}
	raw, rec, err := u.CreateAccessToken(ctx, id, set.ResetTTL, scopes, TokenMeta{ClientAddress: ro.ClientAddress, UserAgent: ro.UserAgent})
	if err != nil {
		return fmt.Errorf("reset password: %w", err)
	}
	ttl, _ := requestedTTL(rec["ttl"])
	email, _ := user["email"].(string)
	req := ResetRequest{Email: email, UserID: id, User: withoutHidden(u.model, user), Token: raw, TTL: ttl, Options: maps.Clone(options)}
	u.listenersMu.RLock()
	listeners := slices.Clone(u.resetListeners)
	u.listenersMu.RUnlock()
	for _, fn := range listeners {
		u.callListener(ctx, fn, req)
	}
	return nil
}

// callListener runs one reset listener, logging a panic instead of propagating it.
func (u *Users) callListener(ctx context.Context, fn func(context.Context, ResetRequest), req ResetRequest) {
	defer func() {
		if r := recover(); r != nil {
			u.logger().ErrorContext(ctx, "accounts: resetPasswordRequest listener panicked",
				"panic", fmt.Sprint(r), "stack", string(debug.Stack()))
		}
	}()
	fn(ctx, req)
}

// deleteResetTokens deletes the user's access tokens that carry the reset-password scope.
func (u *Users) deleteResetTokens(ctx context.Context, userID any) error {
	tokens, err := u.tokensOf(ctx, userID)
	if err != nil {
		return err
	}
	var ids []any
	for _, t := range tokens {
		if slices.Contains(stringList(t["scopes"]), ResetPasswordScope) {
			ids = append(ids, t["id"])
		}
	}
	if len(ids) == 0 {
		return nil
	}
	if _, err := u.tokens.DeleteAll(ctx, u.tokenModel, inq(u.tokenModel, "id", ids)); err != nil {
		return fmt.Errorf("delete reset tokens of %s %v: %w", u.model.Name, userID, err)
	}
	return nil
}

// tokensOf returns the stored access tokens of one user of this model, newest first.
func (u *Users) tokensOf(ctx context.Context, userID any) ([]schema.Record, error) {
	tm := u.tokenModel
	where := filter.And{
		eq(tm, "userId", userID),
		filter.Or{eq(tm, "principalType", u.model.Name), eq(tm, "principalType", nil)},
	}
	list, err := u.tokens.Find(ctx, tm, &filter.Filter{Where: where, Order: []filter.Order{{Property: "created", Desc: true}}})
	if err != nil {
		return nil, fmt.Errorf("find access tokens of %s %v: %w", u.model.Name, userID, err)
	}
	return list, nil
}
