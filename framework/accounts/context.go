package accounts

import "context"

// ctxKey keys the values this package reads from a context.
type ctxKey int

const (
	currentTokenKey ctxKey = iota
	preserveTokensKey
	passwordChangeKey
	mfaChangeKey
)

// WithCurrentToken returns ctx carrying the digest of the access token of the current request,
// which survives the token revocation that follows an email or password change.
func WithCurrentToken(ctx context.Context, digest string) context.Context {
	return context.WithValue(ctx, currentTokenKey, digest)
}

// CurrentToken returns the digest set by WithCurrentToken, or "".
func CurrentToken(ctx context.Context) string {
	s, _ := ctx.Value(currentTokenKey).(string)
	return s
}

// WithPreserveAccessTokens returns ctx under which saving a user does not revoke its access
// tokens after an email or password change (LoopBack's options.preserveAccessTokens).
func WithPreserveAccessTokens(ctx context.Context) context.Context {
	return context.WithValue(ctx, preserveTokensKey, true)
}

// preserveAccessTokens reports whether ctx was made by WithPreserveAccessTokens.
func preserveAccessTokens(ctx context.Context) bool {
	return flagSet(ctx, preserveTokensKey)
}

// withPasswordChange returns ctx under which saving a user may change its password although
// rejectPasswordChangesViaPatchOrReplace is on: set only by SetPassword and ChangePassword
// (LoopBack's options.setPassword).
func withPasswordChange(ctx context.Context) context.Context {
	return context.WithValue(ctx, passwordChangeKey, true)
}

// passwordChangeAllowed reports whether ctx was made by withPasswordChange.
func passwordChangeAllowed(ctx context.Context) bool {
	return flagSet(ctx, passwordChangeKey)
}

// withMFAChange returns ctx under which saving a user may write its MFA properties: set only by
// this package's MFA methods and login.
func withMFAChange(ctx context.Context) context.Context {
	return context.WithValue(ctx, mfaChangeKey, true)
}

// mfaChangeAllowed reports whether ctx was made by withMFAChange.
func mfaChangeAllowed(ctx context.Context) bool {
	return flagSet(ctx, mfaChangeKey)
}

// flagSet reports whether ctx carries the boolean flag key set to true.
func flagSet(ctx context.Context, key ctxKey) bool {
	b, _ := ctx.Value(key).(bool)
	return b
}
