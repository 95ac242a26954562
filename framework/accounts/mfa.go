package accounts

import (
	"context"
	"fmt"

	"github.com/loopgo/loopgo/framework/apierr"
	"github.com/loopgo/loopgo/framework/schema"
)

// User properties of multi-factor authentication (TOTP). Only the MFA methods and Login write
// them (see guardMFA); the secrets are hidden and never leave this package.
const (
	propMFAEnabled  = "mfaEnabled"       // visible: login needs a one-time code
	propMFASecret   = "mfaSecret"        // hidden: the active secret (see sealSecret)
	propMFAPending  = "mfaPendingSecret" // hidden: a secret enrolled, not yet activated
	propMFALastStep = "mfaLastStep"      // hidden: the last TOTP step accepted (replay protection)
)

// mfaProperties are the MFA properties of a user.
var mfaProperties = []string{propMFAEnabled, propMFASecret, propMFAPending, propMFALastStep}

// errInvalidMFACode is the answer to a wrong, malformed or already used one-time code outside
// login.
func errInvalidMFACode() *apierr.Error {
	return apierr.BadRequest("INVALID_MFA_CODE", "Invalid one-time code")
}

// MFAEnroll starts an MFA enrolment of a user: it makes a new TOTP secret, stores it as pending
// (sealed with the model's mfaSecretKey when set) and returns it in base32 with its otpauth URL
// (issuer: the model's mfaIssuer setting, default "Loopgo"; account: the email, else the
// username, else the id), to be shown once as text and QR code. Nothing changes until
// MFAActivate; a new enrolment replaces a pending one. Unknown user 401 USER_NOT_FOUND; MFA
// already enabled 400 MFA_ALREADY_ENABLED (disable it first).
func (u *Users) MFAEnroll(ctx context.Context, userID any) (secret, otpauthURL string, err error) {
	user, err := u.findForPassword(ctx, userID)
	if err != nil {
		return "", "", err
	}
	if schema.Truthy(user[propMFAEnabled]) {
		return "", "", apierr.BadRequest("MFA_ALREADY_ENABLED", "Multi-factor authentication is already enabled; disable it first")
	}
	id := user[idProperty(u.model).Name]
	secret, err = NewTOTPSecret()
	if err != nil {
		return "", "", fmt.Errorf("mfa enroll: %w", err)
	}
	stored, err := sealSecret(u.model, id, secret)
	if err != nil {
		return "", "", fmt.Errorf("mfa enroll: %w", err)
	}
	if _, err := u.users.PatchByID(withMFAChange(ctx), u.model, id, map[string]any{propMFAPending: stored}); err != nil {
		return "", "", fmt.Errorf("mfa enroll: save %s %v: %w", u.model.Name, id, err)
	}
	return secret, OTPAuthURL(SettingsOf(u.model).MFAIssuer, accountName(user, id), secret), nil
}

// MFAActivate ends an enrolment: code must be a current one-time code of the pending secret;
// the secret then becomes active and login needs a code. No access token is revoked. Unknown
// user 401 USER_NOT_FOUND; MFA already enabled 400 MFA_ALREADY_ENABLED; no enrolment pending
// 400 MFA_NOT_ENROLLED; a wrong code 400 INVALID_MFA_CODE; too many wrong codes 429
// LOGIN_THROTTLED.
func (u *Users) MFAActivate(ctx context.Context, userID any, code string) error {
	user, err := u.findForPassword(ctx, userID)
	if err != nil {
		return err
	}
	if schema.Truthy(user[propMFAEnabled]) {
		return apierr.BadRequest("MFA_ALREADY_ENABLED", "Multi-factor authentication is already enabled")
	}
	pending, _ := user[propMFAPending].(string)
	if pending == "" {
		return apierr.BadRequest("MFA_NOT_ENROLLED", "No multi-factor enrolment is pending; enroll first")
	}
	activate := map[string]any{propMFASecret: pending, propMFAPending: nil, propMFAEnabled: true}
	return u.useCode(ctx, user, pending, code, activate, eq(u.model, propMFAPending, pending))
}

// MFADisable turns MFA off for a user who gives a current one-time code, clears its secrets
// and revokes its access tokens but the current request's (CurrentToken). Unknown user 401
// USER_NOT_FOUND; MFA not enabled 400 MFA_NOT_ENABLED; a wrong code 400 INVALID_MFA_CODE; too
// many wrong codes 429 LOGIN_THROTTLED.
func (u *Users) MFADisable(ctx context.Context, userID any, code string) error {
	user, err := u.findForPassword(ctx, userID)
	if err != nil {
		return err
	}
	if !schema.Truthy(user[propMFAEnabled]) {
		return apierr.BadRequest("MFA_NOT_ENABLED", "Multi-factor authentication is not enabled")
	}
	stored, _ := user[propMFASecret].(string)
	id := user[idProperty(u.model).Name]
	// Not in a transaction: a wrong code's throttle event must survive the error.
	if err := u.useCode(ctx, user, stored, code, mfaCleared(), eq(u.model, propMFAEnabled, true)); err != nil {
		return err
	}
	if _, err := u.DeleteTokens(ctx, id, CurrentToken(ctx)); err != nil {
		return fmt.Errorf("mfa disable: %w", err)
	}
	return nil
}

// MFAReset turns MFA off for a user without a code (an administrator's action, e.g. for a lost
// phone), clears its secrets, pending enrolment included, and revokes its access tokens but the
// current request's (CurrentToken). Unknown user 401 USER_NOT_FOUND.
func (u *Users) MFAReset(ctx context.Context, userID any) error {
	user, err := u.findForPassword(ctx, userID)
	if err != nil {
		return err
	}
	id := user[idProperty(u.model).Name]
	return u.users.Transaction(ctx, func(ctx context.Context) error {
		if _, err := u.users.PatchByID(withMFAChange(ctx), u.model, id, mfaCleared()); err != nil {
			return fmt.Errorf("mfa reset: save %s %v: %w", u.model.Name, id, err)
		}
		if _, err := u.DeleteTokens(ctx, id, CurrentToken(ctx)); err != nil {
			return fmt.Errorf("mfa reset: %w", err)
		}
		return nil
	})
}

// mfaCleared is the data that turns MFA off and forgets every secret.
func mfaCleared() map[string]any {
	return map[string]any{propMFAEnabled: false, propMFASecret: nil, propMFAPending: nil, propMFALastStep: nil}
}

// guardMFA drops the MFA properties from the data of a user write not made by the MFA methods,
// so that no create, patch, replace or updateAll (by the owner or an admin) can turn MFA off or
// plant a known secret; a replace keeps the stored values (see keepStored), a new user starts
// with mfaEnabled false.
func guardMFA(m *schema.Model, rec schema.Record, isNew bool) {
	for _, p := range mfaProperties {
		delete(rec, p)
	}
	if isNew && m.Property(propMFAEnabled) != nil {
		rec[propMFAEnabled] = false
	}
}
