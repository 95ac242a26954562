package accounts

import (
	"context"
	"fmt"
	"slices"

	"github.com/loopgo/loopgo/framework/apierr"
	"github.com/loopgo/loopgo/framework/schema"
	"github.com/loopgo/loopgo/framework/throttle"
)

// changePasswordRule names the limit on wrong current passwords given to ChangePassword; its
// Max and Window are those of the login throttle's per-account rule.
const changePasswordRule = "chpw-acct"

// SetPassword sets a user's password (LoopBack's setPassword, the end of a password reset):
// unknown user 401 USER_NOT_FOUND; a new password failing ValidatePassword or the password
// policy 422. The password is hashed and saved as a permitted password change; then the user's
// access tokens are deleted: all of them when the caller's token (tokenDigest, tokenScopes) is a
// reset token or none is given (Go callers), so that a reset token works once; all but the
// caller's otherwise.
func (u *Users) SetPassword(ctx context.Context, userID any, tokenDigest string, tokenScopes []string, newPassword any) error {
	user, err := u.findForPassword(ctx, userID)
	if err != nil {
		return err
	}
	change := passwordChange{keep: tokenDigest}
	if slices.Contains(tokenScopes, ResetPasswordScope) {
		change.keep, change.consume = "", tokenDigest
	}
	return u.replacePassword(ctx, user, newPassword, change)
}

// ChangePassword changes a user's password given the current one (LoopBack's changePassword):
// unknown user 401 USER_NOT_FOUND; a wrong (or non-string) current password 400
// INVALID_PASSWORD "Invalid current password"; too many wrong current passwords 429
// LOGIN_THROTTLED (the login throttle's per-account limit, counted per user); a new password
// failing the policy 422. On success every access token of the user but currentDigest (the
// caller's) is deleted.
func (u *Users) ChangePassword(ctx context.Context, userID any, currentDigest string, oldPassword, newPassword any) error {
	user, err := u.findForPassword(ctx, userID)
	if err != nil {
		return err
	}
	rule := LoginThrottleOf(u.model).Account
	rule.Name = changePasswordRule
	key := []throttle.Keyed{{Rule: rule, Key: u.model.Name + "\x00" + schema.IDString(user[idProperty(u.model).Name])}}
	// counted before the comparison, so that concurrent guesses beyond the limit never reach
	// bcrypt; a right current password takes the attempt back
	attempt, wait, err := u.limiter().Reserve(ctx, key)
	if err != nil {
		if wait > 0 {
			return throttle.TooMany(throttle.CodeLoginThrottled, "Too many wrong current passwords", wait)
		}
		return fmt.Errorf("change password: %w", err)
	}
	old, _ := oldPassword.(string)
	hash, _ := user["password"].(string)
	match, err := Compare(ctx, hash, old)
	if err != nil {
		return fmt.Errorf("change password: %w", err)
	}
	if !match {
		return errInvalidCurrentPassword()
	}
	if err := attempt.Release(ctx); err != nil {
		return fmt.Errorf("change password: %w", err)
	}
	// the change applies only to the password that was checked: of two concurrent changes
	// with the same current password, the second finds it changed
	return u.replacePassword(ctx, user, newPassword, passwordChange{keep: currentDigest, expect: hash})
}

// errInvalidCurrentPassword is changePassword's answer to a wrong current password.
func errInvalidCurrentPassword() error {
	return apierr.BadRequest("INVALID_PASSWORD", "Invalid current password")
}

// findForPassword loads the user whose password is set or changed: 401 USER_NOT_FOUND when
// there is none.
func (u *Users) findForPassword(ctx context.Context, userID any) (schema.Record, error) {
	user, err := u.users.FindByID(ctx, u.model, userID, nil)
	if err != nil {
		return nil, fmt.Errorf("find %s %v: %w", u.model.Name, userID, err)
	}
	if user == nil {
		return nil, apierr.Unauthorized("USER_NOT_FOUND", "User %v not found", userID)
	}
	return user, nil
}

// passwordChange says how replacePassword treats tokens and the stored password.
type passwordChange struct {
	keep    string // the digest of the one access token to keep ("" = delete all)
	consume string // the digest of a reset token, used up first: only one use may succeed
	expect  string // the stored hash the change was checked against ("" = any)
}

// replacePassword checks newPassword against the policy, uses up the reset token (a
// conditional delete: of concurrent uses, only the one that deleted it goes on; the others
// answer 401 INVALID_TOKEN), hashes the password, and saves it as a permitted password change
// with the user's record locked, deleting the user's tokens but change.keep, in one transaction
// of the user store. When the stored hash is no longer change.expect (a concurrent change won)
// it answers 400 INVALID_PASSWORD and changes nothing.
func (u *Users) replacePassword(ctx context.Context, user schema.Record, newPassword any, change passwordChange) error {
	set := SettingsOf(u.model)
	if err := PolicyOf(u.model).Check(u.model.Name, newPassword); err != nil {
		return err
	}
	if change.consume != "" {
		n, err := u.tokens.DeleteByID(ctx, u.tokenModel, change.consume)
		if err != nil {
			return fmt.Errorf("set password: use the reset token: %w", err)
		}
		if n == 0 {
			return errInvalidToken()
		}
	}
	plain, _ := newPassword.(string)
	hash, err := Hash(ctx, plain, set.Cost)
	if err != nil {
		return fmt.Errorf("set password: %w", err)
	}
	id := user[idProperty(u.model).Name]
	return u.users.Transaction(ctx, func(ctx context.Context) error {
		found, err := u.users.LockByID(ctx, u.model, id)
		if err != nil {
			return fmt.Errorf("set password: lock %s %v: %w", u.model.Name, id, err)
		}
		if !found {
			return apierr.Unauthorized("USER_NOT_FOUND", "User %v not found", id)
		}
		if change.expect != "" {
			cur, err := u.users.FindByID(ctx, u.model, id, nil)
			if err != nil {
				return fmt.Errorf("set password: read %s %v: %w", u.model.Name, id, err)
			}
			if stored, _ := cur["password"].(string); stored != change.expect {
				return errInvalidCurrentPassword()
			}
		}
		save := withPasswordChange(WithPreserveAccessTokens(ctx))
		if _, err := u.users.PatchByID(save, u.model, id, map[string]any{"password": hash}); err != nil {
			return fmt.Errorf("set password of %s %v: %w", u.model.Name, id, err)
		}
		if _, err := u.DeleteTokens(ctx, id, change.keep); err != nil {
			return fmt.Errorf("set password: %w", err)
		}
		return nil
	})
}
