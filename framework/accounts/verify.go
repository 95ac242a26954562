package accounts

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/loopgo/loopgo/framework/apierr"
	"github.com/loopgo/loopgo/framework/schema"
	"github.com/loopgo/loopgo/framework/throttle"
)

// User properties owned by the server (never written from a client's data, except by admins).
const (
	propVerificationCreated = "verificationTokenCreated" // when the pending verification token was made
	propDisabled            = "disabled"                 // a disabled user cannot log in and has no tokens
)

// verificationTokenBytes is the entropy of a verification token: 256 bits.
const verificationTokenBytes = 32

// VerifyOptions are what Verify needs besides the user: where the confirmation link points and
// how to deliver it.
type VerifyOptions struct {
	LinkBase      string // the confirm endpoint, e.g. "http://host:3000/api/users/confirm"
	Redirect      string // optional: where confirm sends the browser afterwards
	ClientAddress string // the requester's address, for the per-address mail limit ("" = not limited by address)
	// Send delivers the link to the user's email address (the framework renders and mails it).
	Send func(ctx context.Context, to, link string) error
}

// Verify starts email verification for a user (LoopBack's prototype.verify): it makes a random
// token (256 bits, hex), stores only its SHA-256 digest in verificationToken with the creation
// time in verificationTokenCreated (the token expires after verificationTokenTTL seconds,
// default 86400), and calls Send with the link `<LinkBase>?uid=<id>&token=<raw>[&redirect=<r>]`.
// A newer Verify replaces the pending token. Unknown user: 404 MODEL_NOT_FOUND; user without an
// email: 400 EMAIL_REQUIRED; over the mail limits (mailThrottle): 429 RATE_LIMITED.
func (u *Users) Verify(ctx context.Context, userID any, opts VerifyOptions) error {
	if opts.Send == nil {
		return fmt.Errorf("verify %s %v: VerifyOptions.Send is nil", u.model.Name, userID)
	}
	user, err := u.users.FindByID(ctx, u.model, userID, nil)
	if err != nil {
		return fmt.Errorf("verify: find %s %v: %w", u.model.Name, userID, err)
	}
	if user == nil {
		return apierr.NotFound("Unknown %q id %q.", u.model.Name, fmt.Sprint(userID))
	}
	email, _ := user["email"].(string)
	if email == "" {
		return errEmailRequired()
	}
	keys := u.mailKeys(email, opts.ClientAddress)
	if _, wait, err := u.limiter().Reserve(ctx, keys); err != nil {
		if wait > 0 {
			return throttle.TooMany(throttle.CodeRateLimited, "Too many verification requests", wait)
		}
		return fmt.Errorf("verify: %w", err)
	}
	raw, err := newVerificationToken()
	if err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	id := user[idProperty(u.model).Name]
	data := map[string]any{"verificationToken": Digest(raw), propVerificationCreated: time.Now().UTC().Truncate(time.Millisecond)}
	if _, err := u.users.PatchByID(ctx, u.model, id, data); err != nil {
		return fmt.Errorf("verify: store token of %s %v: %w", u.model.Name, id, err)
	}
	if err := opts.Send(ctx, email, verifyLink(opts.LinkBase, id, raw, opts.Redirect)); err != nil {
		return fmt.Errorf("verify: send link to %s %v: %w", u.model.Name, id, err)
	}
	return nil
}

// Confirm completes email verification (LoopBack's confirm, lb3.md 1.9): an unknown uid and a
// wrong, used or expired token all answer 400 INVALID_TOKEN "Invalid token" (LoopBack answers
// 404 for the uid and echoes the token; Loopgo reveals neither); success sets
// emailVerified and clears the token, which is therefore single use. The `redirect` argument
// of the REST method is the REST layer's business (204, or 302 to it).
func (u *Users) Confirm(ctx context.Context, uid any, token string) error {
	user, err := u.users.FindByID(ctx, u.model, uid, nil)
	if err != nil {
		return fmt.Errorf("confirm: find %s %v: %w", u.model.Name, uid, err)
	}
	if user == nil {
		// as a bad token: the answer must not tell which user ids exist
		return apierr.BadRequest("INVALID_TOKEN", "Invalid token")
	}
	stored, _ := user["verificationToken"].(string)
	created, hasCreated := timeValue(user[propVerificationCreated])
	ttl := time.Duration(SettingsOf(u.model).VerificationTTL) * time.Second
	match := subtle.ConstantTimeCompare([]byte(Digest(token)), []byte(stored)) == 1
	if token == "" || stored == "" || !match || !hasCreated || time.Since(created) >= ttl {
		return apierr.BadRequest("INVALID_TOKEN", "Invalid token")
	}
	id := user[idProperty(u.model).Name]
	data := map[string]any{"emailVerified": true, "verificationToken": nil, propVerificationCreated: nil}
	if _, err := u.users.PatchByID(ctx, u.model, id, data); err != nil {
		return fmt.Errorf("confirm: update %s %v: %w", u.model.Name, id, err)
	}
	return nil
}

// newVerificationToken returns a fresh random verification token (hex of 32 random bytes).
func newVerificationToken() (string, error) {
	b := make([]byte, verificationTokenBytes)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("verification token: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// verifyLink builds `<base>?uid=<id>&token=<raw>[&redirect=<redirect>]` (or with & when base
// already has a query).
func verifyLink(base string, id any, raw, redirect string) string {
	var b strings.Builder
	b.WriteString(base)
	if strings.Contains(base, "?") {
		b.WriteByte('&')
	} else {
		b.WriteByte('?')
	}
	b.WriteString("uid=" + url.QueryEscape(schema.IDString(id)) + "&token=" + url.QueryEscape(raw))
	if redirect != "" {
		b.WriteString("&redirect=" + url.QueryEscape(redirect))
	}
	return b.String()
}

// errEmailRequired is the 400 answer to a reset or verification without an email.
func errEmailRequired() *apierr.Error {
	return apierr.BadRequest("EMAIL_REQUIRED", "Email is required")
}
