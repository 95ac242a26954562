package accounts

import (
	"context"
	"fmt"

	"github.com/loopgo/loopgo/framework/filter"
	"github.com/loopgo/loopgo/framework/schema"
	"github.com/loopgo/loopgo/framework/throttle"
)

// mfaCodeRule names the limit on wrong one-time codes given to MFAActivate and MFADisable; its
// Max and Window are those of the login throttle's per-account rule.
const mfaCodeRule = "mfa-acct"

// useCode checks code against the stored secret of user under the per-user code limit and, when
// it matches a step not used yet, applies data to the user in the same conditional update that
// records the step (extra narrows it, so a concurrent change makes it fail): a code works once.
// A wrong code is counted (before the check, atomically) and answers 400 INVALID_MFA_CODE.
func (u *Users) useCode(ctx context.Context, user schema.Record, stored, code string, data map[string]any, extra ...filter.Cond) error {
	id := user[idProperty(u.model).Name]
	rule := LoginThrottleOf(u.model).Account
	rule.Name = mfaCodeRule
	keys := []throttle.Keyed{{Rule: rule, Key: u.model.Name + "\x00" + schema.IDString(id)}}
	// counted before the code is checked (concurrent guesses beyond the limit are refused);
	// an accepted code takes the attempt back
	attempt, wait, err := u.limiter().Reserve(ctx, keys)
	if err != nil {
		if wait > 0 {
			return throttle.TooMany(throttle.CodeLoginThrottled, "Too many wrong one-time codes", wait)
		}
		return fmt.Errorf("mfa code: %w", err)
	}
	ok, err := u.acceptCode(ctx, user, stored, code, data, extra...)
	if err != nil {
		return err
	}
	if !ok {
		return errInvalidMFACode()
	}
	if err := attempt.Release(ctx); err != nil {
		return fmt.Errorf("mfa code: %w", err)
	}
	return nil
}

// acceptCode reports whether code (a string or a number, see normalizeCode) is a one-time code
// of the stored secret for a step after the user's last accepted one; if so it records the step
// and applies data (see claimStep). An unreadable secret is an error.
func (u *Users) acceptCode(ctx context.Context, user schema.Record, stored string, code any, data map[string]any, extra ...filter.Cond) (bool, error) {
	id := user[idProperty(u.model).Name]
	if stored == "" {
		return false, fmt.Errorf("mfa code: %s %v has no secret", u.model.Name, id)
	}
	key, err := openSecret(u.model, id, stored)
	if err != nil {
		return false, fmt.Errorf("mfa code: %w", err)
	}
	given, ok := normalizeCode(code)
	if !ok {
		return false, nil
	}
	last := int64(-1)
	if f, has := schema.ParseNumber(user[propMFALastStep]); has {
		last = int64(f)
	}
	step, ok := matchTOTP(key, given, u.now(), last)
	if !ok {
		return false, nil
	}
	return u.claimStep(ctx, id, step, data, extra...)
}

// claimStep records step as the user's last accepted TOTP step, with data (which may set
// mfaLastStep itself), in one UPDATE conditioned on the stored step being older and on extra:
// false when another request used that step (or a later one) first.
func (u *Users) claimStep(ctx context.Context, id any, step int64, data map[string]any, extra ...filter.Cond) (bool, error) {
	m := u.model
	set := map[string]any{propMFALastStep: float64(step)}
	for k, v := range data {
		set[k] = v
	}
	where := filter.And{
		eq(m, idProperty(m).Name, id),
		filter.Or{eq(m, propMFALastStep, nil), cmp(m, propMFALastStep, filter.Lt, float64(step))},
	}
	where = append(where, extra...)
	n, err := u.users.UpdateAll(withMFAChange(ctx), m, where, set)
	if err != nil {
		return false, fmt.Errorf("mfa code: save %s %v: %w", m.Name, id, err)
	}
	return n > 0, nil
}
