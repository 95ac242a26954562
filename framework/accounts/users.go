package accounts

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/loopgo/loopgo/framework/filter"
	"github.com/loopgo/loopgo/framework/schema"
	"github.com/loopgo/loopgo/framework/store"
	"github.com/loopgo/loopgo/framework/throttle"
)

// Users is the Go logic of one user model (User or a model extending it) and its access tokens:
// login (throttled), token creation and resolution, logout, sessions, email verification,
// password reset and change, and the operation hooks of lb3.md 1.11.
type Users struct {
	model      *schema.Model
	users      *store.Store
	tokenModel *schema.Model
	tokens     *store.Store
	lookup     func(name string) *schema.Model
	clock      func() time.Time // nil = time.Now; tests of this package set it before use

	lim atomic.Pointer[throttle.Limiter] // see SetLimiter
	log atomic.Pointer[slog.Logger]      // see SetLogger

	listenersMu    sync.RWMutex
	resetListeners []func(ctx context.Context, req ResetRequest) // see OnResetPasswordRequest
}

// NewUsers returns the logic of userModel stored in users, with its access tokens (tokenModel,
// normally the built-in AccessToken) stored in tokens.
func NewUsers(userModel *schema.Model, users *store.Store, tokenModel *schema.Model, tokens *store.Store) *Users {
	return &Users{model: userModel, users: users, tokenModel: tokenModel, tokens: tokens}
}

// SetModelLookup lets ResolveToken find the user model named by a token's principalType when it
// is not this Users' model (apps with several user models); a *schema.Registry's Model fits.
// Without it, every token is judged with this model's settings.
func (u *Users) SetModelLookup(lookup func(name string) *schema.Model) { u.lookup = lookup }

// SetLogger sets where this package reports what it cannot return to a caller (a panicking
// reset listener); nil = slog.Default().
func (u *Users) SetLogger(l *slog.Logger) { u.log.Store(l) }

// logger returns the logger set by SetLogger, or slog.Default().
func (u *Users) logger() *slog.Logger {
	if l := u.log.Load(); l != nil {
		return l
	}
	return slog.Default()
}

// now returns the current time of u's clock.
func (u *Users) now() time.Time {
	if u.clock != nil {
		return u.clock()
	}
	return time.Now()
}

// Model returns the user model.
func (u *Users) Model() *schema.Model { return u.model }

// HasPassword reports whether plain is the password of user (LoopBack's hasPassword): false
// when either is empty or the context ends while waiting for the bcrypt pool.
func (u *Users) HasPassword(ctx context.Context, user schema.Record, plain string) bool {
	hash, _ := user["password"].(string)
	ok, err := Compare(ctx, hash, plain)
	return err == nil && ok
}

// FindByEmail returns the user with that email (lower-cased first when the model's
// caseSensitiveEmail is false), or nil when there is none.
func (u *Users) FindByEmail(ctx context.Context, email string) (schema.Record, error) {
	if email == "" {
		return nil, nil
	}
	if !SettingsOf(u.model).CaseSensitiveEmail {
		email = strings.ToLower(email)
	}
	rec, err := u.users.FindOne(ctx, u.model, &filter.Filter{Where: eq(u.model, "email", email)})
	if err != nil {
		return nil, fmt.Errorf("find %s by email: %w", u.model.Name, err)
	}
	return rec, nil
}

// FindByToken returns the user owning a valid access token given by its raw id, or nil when the
// token is unknown, invalid (it is then deleted) or belongs to another user model.
func (u *Users) FindByToken(ctx context.Context, raw string) (schema.Record, error) {
	tok, err := u.ResolveToken(ctx, raw)
	if err != nil {
		if isInvalidToken(err) {
			return nil, nil
		}
		return nil, err
	}
	if tok == nil || tok.UserModel != u.model.Name || tok.UserID == nil {
		return nil, nil
	}
	rec, err := u.users.FindByID(ctx, u.model, tok.UserID, nil)
	if err != nil {
		return nil, fmt.Errorf("find %s of token: %w", u.model.Name, err)
	}
	return rec, nil
}

// DeleteTokens deletes the access tokens of one user of this model, except the token whose
// digest is exceptDigest ("" = none), and returns how many were deleted.
func (u *Users) DeleteTokens(ctx context.Context, userID any, exceptDigest string) (int64, error) {
	return u.deleteTokensOf(ctx, u.model.Name, []any{userID}, exceptDigest)
}

// deleteTokensOf deletes the tokens of the users ids of model modelName (tokens without a
// principalType count as theirs too), except exceptDigest.
func (u *Users) deleteTokensOf(ctx context.Context, modelName string, ids []any, exceptDigest string) (int64, error) {
	if len(ids) == 0 {
		return 0, nil
	}
	tm := u.tokenModel
	where := filter.And{
		inq(tm, "userId", ids),
		filter.Or{eq(tm, "principalType", modelName), eq(tm, "principalType", nil)},
	}
	if exceptDigest != "" {
		where = append(where, cmp(tm, "id", filter.Neq, exceptDigest))
	}
	n, err := u.tokens.DeleteAll(ctx, tm, where)
	if err != nil {
		return 0, fmt.Errorf("delete access tokens of %s %v: %w", modelName, ids, err)
	}
	return n, nil
}
