package accounts

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/loopgo/loopgo/framework/schema"
	"github.com/loopgo/loopgo/framework/throttle"
)

// Default throttling rules (see LoginThrottle and MailThrottle).
var (
	// DefaultLoginThrottle: 5 failures per account and address per 15 minutes, 50 per address
	// per 15 minutes (credential stuffing), 20 per account per hour (ASVS: at most 100), the
	// last rule not applied to addresses the account logged in from in the last 30 days.
	DefaultLoginThrottle = LoginThrottle{
		AccountAddress: throttle.Rule{Name: "login-acct-addr", Max: 5, Window: 15 * time.Minute},
		Address:        throttle.Rule{Name: "login-addr", Max: 50, Window: 15 * time.Minute},
		Account:        throttle.Rule{Name: "login-acct", Max: 20, Window: time.Hour},
		Trusted:        DefaultTrustedFor,
	}
	// DefaultMailThrottle: 3 mails per email address per 15 minutes, 20 requests per client
	// address per 15 minutes.
	DefaultMailThrottle = MailThrottle{
		Email:   throttle.Rule{Name: "mail-email", Max: 3, Window: 15 * time.Minute},
		Address: throttle.Rule{Name: "mail-addr", Max: 20, Window: 15 * time.Minute},
	}
)

// DefaultTrustedFor is how long a client address stays trusted by an account after a
// successful login from it (30 days).
const DefaultTrustedFor = 30 * 24 * time.Hour

// trustedMark names the marks of trusted addresses (see LoginThrottle.Trusted).
const trustedMark = "login-trusted"

// LoginThrottle are the rules on failed logins. A rule with Max 0 is off.
//
// The Account rule is a soft lockout that cannot lock the owner out: it does not apply to a
// client address the account logged in from successfully within Trusted (0 = no address is
// trusted), while the AccountAddress and Address rules still do.
type LoginThrottle struct {
	AccountAddress throttle.Rule // failures of one account from one client address
	Address        throttle.Rule // failures from one client address, any account
	Account        throttle.Rule // failures of one account, any address but trusted ones
	Trusted        time.Duration // how long a successful login's address stays trusted
}

// MailThrottle are the rules on requests that send mail (password reset, verification).
type MailThrottle struct {
	Email   throttle.Rule // requests for one email address
	Address throttle.Rule // requests from one client address
}

// SetLimiter makes this user model's logins, password resets and verifications throttled by l
// (nil = no throttling, the initial state). The rules come from the model's loginThrottle and
// mailThrottle settings.
func (u *Users) SetLimiter(l *throttle.Limiter) { u.lim.Store(l) }

// limiter returns the limiter set by SetLimiter (nil = none; a nil *throttle.Limiter allows all).
func (u *Users) limiter() *throttle.Limiter { return u.lim.Load() }

// LoginThrottleOf returns a user model's loginThrottle setting (see Settings.LoginThrottle).
func LoginThrottleOf(m *schema.Model) LoginThrottle { return loginThrottleOf(m) }

// MailThrottleOf returns a user model's mailThrottle setting (see Settings.MailThrottle).
func MailThrottleOf(m *schema.Model) MailThrottle { return mailThrottleOf(m) }

// loginKeys returns the login rules applied to an account (its id, "id:<id>", when it exists,
// else the identifier the login named: accountID) and a client address: account+address,
// address, account, in that order. An empty address skips the address rules.
func (u *Users) loginKeys(account, address string) []throttle.Keyed {
	t := LoginThrottleOf(u.model)
	account = u.model.Name + "\x00" + account
	aa := ""
	if address != "" {
		aa = account + "\x00" + address
	}
	return []throttle.Keyed{
		{Rule: t.AccountAddress, Key: aa},
		{Rule: t.Address, Key: address},
		{Rule: t.Account, Key: account},
	}
}

// reserveLogin counts a login attempt against the login rules keys (see loginKeys) before the
// password is checked, atomically across instances: 429 LOGIN_THROTTLED when one is exhausted;
// the account rule (the last) is skipped when trust is remembered.
func (u *Users) reserveLogin(ctx context.Context, keys []throttle.Keyed, trust throttle.Mark) (*throttle.Reservation, error) {
	lim := u.limiter()
	trusted, err := lim.Remembered(ctx, trust)
	if err != nil {
		return nil, fmt.Errorf("login: %w", err)
	}
	if trusted {
		keys = keys[:len(keys)-1]
	}
	res, wait, err := lim.Reserve(ctx, keys)
	if err != nil {
		if wait > 0 {
			return nil, throttle.TooMany(throttle.CodeLoginThrottled, "Too many failed login attempts", wait)
		}
		return nil, fmt.Errorf("login: %w", err)
	}
	return res, nil
}

// trustMark returns the mark of a client address trusted by an account (see loginKeys)
// (inactive without an address or when the account rule or trust is off).
func (u *Users) trustMark(account, address string) throttle.Mark {
	t := LoginThrottleOf(u.model)
	if address == "" || t.Account.Max <= 0 || t.Account.Window <= 0 {
		return throttle.Mark{}
	}
	return throttle.Mark{Name: trustedMark, Keep: t.Trusted, Key: u.model.Name + "\x00" + account + "\x00" + address}
}

// accountID names the account a login query targets when no user has it: "email:" or
// "username:" with the value as the query has it (emails lower-cased unless caseSensitiveEmail,
// as the lookup does), and the realm when given. Two identifiers share a budget exactly when
// they would name the same account, so that how a throttle answers tells nothing about which
// accounts exist.
func accountID(query map[string]any) string {
	realm, _ := query["realm"].(string)
	if s, ok := query["email"].(string); ok && s != "" {
		return realm + "\x00email:" + s
	}
	s, _ := query["username"].(string)
	return realm + "\x00username:" + s
}

// mailKeys returns the mail rules applied to an email address (lower-cased) and a client
// address: email first, then address.
func (u *Users) mailKeys(email, address string) []throttle.Keyed {
	t := MailThrottleOf(u.model)
	return []throttle.Keyed{
		{Rule: t.Email, Key: u.model.Name + "\x00" + strings.ToLower(email)},
		{Rule: t.Address, Key: address},
	}
}
