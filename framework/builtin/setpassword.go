package builtin

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
	keep := tokenDigest
	if slices.Contains(tokenScopes, ResetPasswordScope) {
		keep = ""
	}
	return u.replacePassword(ctx, user, newPassword, keep)
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
	key := []throttle.Keyed{{Rule: rule, Key: u.model.Name + "\x00" + fmt.Sprint(user[idProperty(u.model).Name])}}
	if wait, err := u.limiter().Check(ctx, key); err != nil {
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
		if err := u.limiter().Hit(ctx, key...); err != nil {
			return fmt.Errorf("change password: %w", err)
		}
		return apierr.BadRequest("INVALID_PASSWORD", "Invalid current password")
	}
	return u.replacePassword(ctx, user, newPassword, currentDigest)
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

// replacePassword checks newPassword against the policy, hashes it, saves it as a permitted
// password change, and deletes the user's tokens but keep ("" = all), in one transaction of the
// user store.
func (u *Users) replacePassword(ctx context.Context, user schema.Record, newPassword any, keep string) error {
	set := settingsOf(u.model)
	if err := PolicyOf(u.model).Check(u.model.Name, newPassword); err != nil {
		return err
	}
	plain, _ := newPassword.(string)
	hash, err := Hash(ctx, plain, set.cost)
	if err != nil {
		return fmt.Errorf("set password: %w", err)
	}
	id := user[idProperty(u.model).Name]
	return u.users.Transaction(ctx, func(ctx context.Context) error {
		save := withPasswordChange(WithPreserveAccessTokens(ctx))
		if _, err := u.users.PatchByID(save, u.model, id, map[string]any{"password": hash}); err != nil {
			return fmt.Errorf("set password of %s %v: %w", u.model.Name, id, err)
		}
		if _, err := u.DeleteTokens(ctx, id, keep); err != nil {
			return fmt.Errorf("set password: %w", err)
		}
		return nil
	})
}
