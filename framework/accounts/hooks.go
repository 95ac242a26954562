package accounts

import (
	"context"
	"fmt"
	"strings"

	"github.com/loopgo/loopgo/framework/apierr"
	"github.com/loopgo/loopgo/framework/filter"
	"github.com/loopgo/loopgo/framework/schema"
	"github.com/loopgo/loopgo/framework/store"
)

// Hook state keys (in HookContext.HookState) shared by the hooks of one operation.
const (
	stateSaveDone   = "accounts.user.beforeSave"
	stateRevokeDone = "accounts.user.afterSave"
	stateDeleteDone = "accounts.user.beforeDelete"
	stateRevokeIDs  = "accounts.user.revokeIds"
	stateDisableIDs = "accounts.user.disableIds"
)

// Hooks returns the operation hooks of user models by hook name ("access", "before save",
// "after save", "before delete"), to register with store.Observe on "User" (they then fire for
// every model extending it). Settings are read from the model being saved, so one registration
// serves every user model on the store; registering the hooks of several Users is harmless, as
// each operation is handled once.
func (u *Users) Hooks() map[string]store.Hook {
	out := map[string]store.Hook{}
	for _, h := range u.OperationHooks() {
		out[h.Name] = h.Fn
	}
	return out
}

// firstRun marks key in hc's hook state and reports whether it was not marked yet.
func firstRun(hc *store.HookContext, key string) bool {
	if hc.HookState == nil {
		hc.HookState = map[string]any{}
	}
	if done, _ := hc.HookState[key].(bool); done {
		return false
	}
	hc.HookState[key] = true
	return true
}

// normalizeEmailQuery lower-cases a top-level `email` equality of a query when the model's
// caseSensitiveEmail is false (LoopBack's access hook).
func (u *Users) normalizeEmailQuery(_ context.Context, hc *store.HookContext) error {
	if hc.Query == nil || hc.Query.Where == nil || SettingsOf(hc.Model).CaseSensitiveEmail {
		return nil
	}
	lower := func(c filter.Cond) {
		if x, ok := c.(*filter.Cmp); ok && x.Property == "email" && len(x.Path) == 0 && x.Op == filter.Eq {
			if s, ok := x.Value.(string); ok {
				x.Value = strings.ToLower(s)
			}
		}
	}
	lower(hc.Query.Where)
	if and, ok := hc.Query.Where.(filter.And); ok {
		for _, c := range and {
			lower(c)
		}
	}
	return nil
}

// beforeSave, for user models: rejects password changes by plain updates
// (rejectPasswordChangesViaPatchOrReplace), hashes a new password after the password policy (a
// bcrypt hash is kept as given; a non-string password is dropped so that presence validation
// answers), lower-cases the email when caseSensitiveEmail is false, and, on updates, resets
// emailVerified (when emailVerificationRequired) and the pending verification token when the
// email changes, drops MFA properties from any write but the MFA methods' (see guardMFA), and
// records which users lose their tokens: all of them when disabled, all but the current
// request's when the email or password changes.
func (u *Users) beforeSave(ctx context.Context, hc *store.HookContext) error {
	if !firstRun(hc, stateSaveDone) {
		return nil
	}
	rec := hc.Instance
	if rec == nil {
		rec = hc.Data
	}
	if rec == nil {
		return nil
	}
	set := SettingsOf(hc.Model)
	_, hasPassword := rec["password"]
	guarded := !hc.IsNewInstance && set.RejectPasswordPatch && !passwordChangeAllowed(ctx)
	if guarded && hasPassword {
		return errPasswordChangeNotAllowed()
	}
	if !mfaChangeAllowed(ctx) {
		guardMFA(hc.Model, rec, hc.IsNewInstance)
	}
	if err := preparePassword(ctx, hc.Model, rec, set.Cost); err != nil {
		return err
	}
	if s, ok := rec["email"].(string); ok && !set.CaseSensitiveEmail {
		rec["email"] = strings.ToLower(s)
	}
	if hc.IsNewInstance {
		return nil
	}
	_, hasEmail := rec["email"]
	disabling := schema.Truthy(rec["disabled"])
	replacing := hc.Instance != nil
	if !hasEmail && !hasPassword && !disabling && !replacing {
		return nil
	}
	originals, err := u.originalUsers(ctx, hc)
	if err != nil {
		return err
	}
	_, verifiedGiven := rec["emailVerified"] // only an admin or Go code can send it
	if replacing && len(originals) == 1 {
		keepStored(rec, originals[0], guarded)
	}
	newEmail, _ := rec["email"].(string)
	newPassword, _ := rec["password"].(string)
	emailChanged := false
	var revoke, disable []any
	idName := idProperty(hc.Model).Name
	for _, o := range originals {
		oldEmail, _ := o["email"].(string)
		oldPassword, _ := o["password"].(string)
		if hasEmail && (hc.Instance != nil || newEmail != "") && oldEmail != newEmail {
			emailChanged = true
		}
		if (newEmail != "" && oldEmail != newEmail) || (newPassword != "" && oldPassword != newPassword) {
			revoke = append(revoke, o[idName])
		}
		if disabling {
			disable = append(disable, o[idName])
		}
	}
	if emailChanged {
		// the new address is not verified, whether or not logins require verification
		if !verifiedGiven {
			rec["emailVerified"] = false
		}
		// A pending verification link was sent to the old address: it must not verify the new one.
		for _, p := range []string{"verificationToken", propVerificationCreated} {
			if hc.Model.Property(p) != nil {
				rec[p] = nil
			}
		}
	}
	hc.HookState[stateRevokeIDs] = revoke
	hc.HookState[stateDisableIDs] = disable
	return nil
}

// serverOwned are the user properties a replace keeps from the stored record when its data
// leaves them out (the REST layer strips them from the data of non-admin callers; the realm
// from their updates).
var serverOwned = append([]string{"emailVerified", "verificationToken", propVerificationCreated, propDisabled, "realm"}, mfaProperties...)

// keepStored copies into a replace's instance the server-owned properties it lacks from the
// stored record, and the stored password hash too when keepPassword (a replace may not change
// the password, so it need not carry one).
func keepStored(rec, stored schema.Record, keepPassword bool) {
	keep := serverOwned
	if keepPassword {
		keep = append([]string{"password"}, keep...)
	}
	for _, k := range keep {
		if _, has := rec[k]; !has {
			if v, ok := stored[k]; ok && v != nil {
				rec[k] = v
			}
		}
	}
}

// errPasswordChangeNotAllowed is LoopBack's answer to a password in a patch or replace when
// rejectPasswordChangesViaPatchOrReplace is on.
func errPasswordChangeNotAllowed() *apierr.Error {
	return apierr.Unauthorized("PASSWORD_CHANGE_NOT_ALLOWED",
		"Changing user password via patch/replace API is not allowed. Use changePassword() or setPassword() instead.")
}

// preparePassword replaces rec's plain password with its bcrypt hash at cost, after checking it
// against m's password policy.
func preparePassword(ctx context.Context, m *schema.Model, rec schema.Record, cost int) error {
	v, ok := rec["password"]
	if !ok {
		return nil
	}
	plain, isStr := v.(string)
	if !isStr {
		delete(rec, "password")
		return nil
	}
	if IsHash(plain) {
		return nil
	}
	if err := PolicyOf(m).Check(m.Name, plain); err != nil {
		return err
	}
	hash, err := Hash(ctx, plain, cost)
	if err != nil {
		return fmt.Errorf("before save: %w", err)
	}
	rec["password"] = hash
	return nil
}

// originalUsers loads the stored users an update is about to change: the current instance of
// a patch, the records matched by an updateAll's where, or the record of a replaced instance.
func (u *Users) originalUsers(ctx context.Context, hc *store.HookContext) ([]schema.Record, error) {
	if hc.CurrentInstance != nil {
		return []schema.Record{hc.CurrentInstance}, nil
	}
	where := hc.Where
	if where == nil && hc.Instance != nil {
		idName := idProperty(hc.Model).Name
		id, ok := hc.Instance[idName]
		if !ok || id == nil {
			return nil, nil
		}
		where = eq(hc.Model, idName, id)
	}
	list, err := u.users.Find(ctx, hc.Model, &filter.Filter{Where: where})
	if err != nil {
		return nil, fmt.Errorf("before save: load %s before update: %w", hc.Model.Name, err)
	}
	return list, nil
}

// afterSave revokes every access token of the users an update disabled, then (unless
// WithPreserveAccessTokens) the tokens of the users whose email or password it changed, except
// the current request's token (see WithCurrentToken).
func (u *Users) afterSave(ctx context.Context, hc *store.HookContext) error {
	if hc.IsNewInstance || !firstRun(hc, stateRevokeDone) {
		return nil
	}
	if ids, _ := hc.HookState[stateDisableIDs].([]any); len(ids) > 0 {
		if _, err := u.deleteTokensOf(ctx, hc.Model.Name, ids, ""); err != nil {
			return fmt.Errorf("after save: revoke tokens of disabled users: %w", err)
		}
	}
	if preserveAccessTokens(ctx) {
		return nil
	}
	ids, _ := hc.HookState[stateRevokeIDs].([]any)
	if _, err := u.deleteTokensOf(ctx, hc.Model.Name, ids, CurrentToken(ctx)); err != nil {
		return fmt.Errorf("after save: %w", err)
	}
	return nil
}

// beforeDelete deletes the access tokens of the users a delete matches, and narrows the delete
// to exactly those users (LoopBack rewrites where to their ids too).
func (u *Users) beforeDelete(ctx context.Context, hc *store.HookContext) error {
	if !firstRun(hc, stateDeleteDone) {
		return nil
	}
	idp := idProperty(hc.Model)
	where := hc.Where
	if where == nil && hc.Instance != nil {
		if id, ok := hc.Instance[idp.Name]; ok && id != nil {
			where = eq(hc.Model, idp.Name, id)
		}
	}
	list, err := u.users.Find(ctx, hc.Model, &filter.Filter{Where: where, Fields: &filter.Fields{Include: []string{idp.Name}}})
	if err != nil {
		return fmt.Errorf("before delete: find %s: %w", hc.Model.Name, err)
	}
	if len(list) == 0 {
		return nil
	}
	ids := make([]any, 0, len(list))
	for _, r := range list {
		ids = append(ids, r[idp.Name])
	}
	hc.Where = inq(hc.Model, idp.Name, ids)
	if _, err := u.deleteTokensOf(ctx, hc.Model.Name, ids, ""); err != nil {
		return fmt.Errorf("before delete: %w", err)
	}
	return nil
}
