package builtin

import (
	"context"
	"fmt"
	"strings"

	"github.com/loopgo/loopgo/framework/filter"
	"github.com/loopgo/loopgo/framework/schema"
	"github.com/loopgo/loopgo/framework/store"
)

// Hook state keys (in HookContext.HookState) shared by the hooks of one operation.
const (
	stateSaveDone   = "builtin.user.beforeSave"
	stateRevokeDone = "builtin.user.afterSave"
	stateDeleteDone = "builtin.user.beforeDelete"
	stateRevokeIDs  = "builtin.user.revokeIds"
)

// Hooks returns the operation hooks of user models by hook name ("access", "before save",
// "after save", "before delete"), to register with store.Observe on "User" (they then fire for
// every model extending it). Settings are read from the model being saved, so one registration
// serves every user model on the store; registering the hooks of several Users is harmless, as
// each operation is handled once.
func (u *Users) Hooks() map[string]store.Hook {
	return map[string]store.Hook{
		"access":        u.normalizeEmailQuery,
		"before save":   u.beforeSave,
		"after save":    u.afterSave,
		"before delete": u.beforeDelete,
	}
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
	if hc.Query == nil || hc.Query.Where == nil || settingsOf(hc.Model).caseSensitiveEmail {
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

// beforeSave hashes a new password (a bcrypt hash is kept as given; an invalid password is 422;
// a non-string one is dropped so that presence validation answers), lower-cases the email when
// caseSensitiveEmail is false, and, on updates that change the email or the password, resets
// emailVerified (when emailVerificationRequired) and records which users lose their tokens.
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
	set := settingsOf(hc.Model)
	if err := preparePassword(ctx, rec, set.cost); err != nil {
		return err
	}
	if s, ok := rec["email"].(string); ok && !set.caseSensitiveEmail {
		rec["email"] = strings.ToLower(s)
	}
	if hc.IsNewInstance {
		return nil
	}
	_, hasEmail := rec["email"]
	_, hasPassword := rec["password"]
	if !hasEmail && !hasPassword {
		return nil
	}
	originals, err := u.originalUsers(ctx, hc)
	if err != nil {
		return err
	}
	newEmail, _ := rec["email"].(string)
	newPassword, _ := rec["password"].(string)
	emailChanged := false
	var revoke []any
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
	}
	if emailChanged && set.verificationReq {
		rec["emailVerified"] = false
	}
	hc.HookState[stateRevokeIDs] = revoke
	return nil
}

// preparePassword replaces rec's plain password with its bcrypt hash at cost.
func preparePassword(ctx context.Context, rec schema.Record, cost int) error {
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
	if err := ValidatePassword(plain); err != nil {
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

// afterSave revokes the access tokens of the users whose email or password an update changed,
// except the current request's token (see WithCurrentToken and WithPreserveAccessTokens).
func (u *Users) afterSave(ctx context.Context, hc *store.HookContext) error {
	if hc.IsNewInstance || !firstRun(hc, stateRevokeDone) || preserveAccessTokens(ctx) {
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
