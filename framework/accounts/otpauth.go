package accounts

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/loopgo/loopgo/framework/schema"
)

// accountName is the account an authenticator app lists: the email, else the username, else
// the id.
func accountName(user schema.Record, id any) string {
	for _, k := range []string{"email", "username"} {
		if s, _ := user[k].(string); s != "" {
			return s
		}
	}
	return schema.IDString(id)
}

// OTPAuthURL returns the key URI of a TOTP secret for authenticator apps:
// otpauth://totp/<issuer>:<account>?secret=...&issuer=...&algorithm=SHA1&digits=6&period=30,
// every part percent-encoded (spaces as %20).
func OTPAuthURL(issuer, account, secret string) string {
	esc := func(s string) string { return strings.ReplaceAll(url.QueryEscape(s), "+", "%20") }
	return fmt.Sprintf("otpauth://totp/%s:%s?secret=%s&issuer=%s&algorithm=SHA1&digits=%d&period=%d",
		esc(issuer), esc(account), esc(secret), esc(issuer), TOTPDigits, int(TOTPPeriod.Seconds()))
}
