package accounts

import (
	"context"
	"fmt"

	"github.com/loopgo/loopgo/framework/apierr"
	"github.com/loopgo/loopgo/framework/schema"
)

// errMFARequired answers a login with the right password but no one-time code, for a user with
// MFA enabled.
func errMFARequired() *apierr.Error {
	return apierr.Unauthorized(codeMFARequired, "a one-time code is required")
}

// loginCode checks the one-time code of a login whose password was right, for a user with MFA
// enabled: no code (absent, null or "") answers MFA_REQUIRED; ok is false for a wrong,
// malformed or already used code (a failed login); an unreadable secret is an error (500).
// An accepted code's step is recorded, so the code works once.
// codeMFARequired is the code of a login that needs a one-time code.
const codeMFARequired = "MFA_REQUIRED"

func (u *Users) loginCode(ctx context.Context, user schema.Record, code any) (ok bool, err error) {
	if code == nil || code == "" {
		return false, errMFARequired()
	}
	stored, _ := user[propMFASecret].(string)
	ok, err = u.acceptCode(ctx, user, stored, code, nil, eq(u.model, propMFAEnabled, true))
	if err != nil {
		return false, fmt.Errorf("login: %w", err)
	}
	return ok, nil
}
