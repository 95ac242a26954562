package framework

import (
	"github.com/loopgo/loopgo/framework/accounts"
	"github.com/loopgo/loopgo/framework/acl"
	"github.com/loopgo/loopgo/framework/apierr"
	"github.com/loopgo/loopgo/framework/rest"
	"github.com/loopgo/loopgo/framework/schema"
	"github.com/loopgo/loopgo/framework/store"
)

// The names user code needs (boot functions, models' Go side, examples, their tests), so that it
// imports this package only. Each is an alias: values pass freely to and from the packages below.

// Hook is an operation hook registered with Model.Observe.
type Hook = store.Hook

// HookContext is what an operation hook is given: the model, the hook, the data and the query.
type HookContext = store.HookContext

// RemoteHook is a remote hook registered with BeforeRemote, AfterRemote or AfterRemoteError.
type RemoteHook = rest.RemoteHook

// Token is a resolved access token: its digest, user, user model, ttl and scopes.
type Token = rest.Token

// ModelDefinition is a model's resolved definition (Model.Definition).
type ModelDefinition = schema.Model

// Error is the error answered to a client in LoopBack's envelope: status, name, message, code, details.
type Error = apierr.Error

// ValidationError is LoopBack's 422 ValidationError with details per property.
type ValidationError = apierr.ValidationError

// RoleResolver decides a custom role (App.RegisterRole) for one access request.
type RoleResolver = acl.RoleResolver

// RoleRequest is the access request a RoleResolver is asked about.
type RoleRequest = acl.Request

// LoginResult is a successful login (Users.Login): the raw token id, its ttl, the user.
type LoginResult = accounts.LoginResult

// AsError returns the *Error in err's chain, if any.
func AsError(err error) (*Error, bool) { return apierr.As(err) }

// ErrorFrom maps any error to the *Error a client would be answered (500 for unknown errors).
func ErrorFrom(err error) *Error { return apierr.From(err) }

// NewError returns an *Error with the given status, code and message.
func NewError(status int, code, format string, args ...any) *Error {
	return apierr.New(status, code, format, args...)
}

// BadRequest returns a 400 *Error.
func BadRequest(code, format string, args ...any) *Error {
	return apierr.BadRequest(code, format, args...)
}

// NotFound returns a 404 *Error with code MODEL_NOT_FOUND.
func NotFound(format string, args ...any) *Error { return apierr.NotFound(format, args...) }

// Unauthorized returns a 401 *Error.
func Unauthorized(code, format string, args ...any) *Error {
	return apierr.Unauthorized(code, format, args...)
}

// Unprocessable returns a 422 *Error.
func Unprocessable(code, format string, args ...any) *Error {
	return apierr.Unprocessable(code, format, args...)
}

// NewValidationError returns an empty 422 ValidationError for model; Add fills it, Err returns it.
func NewValidationError(model string) *ValidationError { return apierr.NewValidation(model) }
