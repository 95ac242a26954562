package framework

import (
	"context"
	"time"

	"github.com/loopgo/loopgo/framework/accounts"
	"github.com/loopgo/loopgo/framework/mail"
	"github.com/loopgo/loopgo/framework/rest"
)

// Users is the user-management handle of a user model: login, logout, tokens, passwords.
type Users = accounts.Users

// LoginOptions are the options of Users.Login: client address, user agent, include.
type LoginOptions = accounts.LoginOptions

// Digest returns the stored form (SHA-256, hex) of a raw access token id, as Users.Logout takes it.
func Digest(rawToken string) string { return accounts.Digest(rawToken) }

// Users returns the handle of a user model (User or a model with base: User), after Setup.
func (a *App) Users(model string) (*Users, error) { return a.accounts.Users(model) }

// SetMailer replaces the mailer (the SMTP mailer of the config, or the development log mailer).
func (a *App) SetMailer(m mail.Mailer) { a.accounts.SetMailer(m) }

// ResolveToken implements rest.TokenResolver with the AccessToken model, through the cache.
func (a *App) ResolveToken(ctx context.Context, raw string) (*rest.Token, error) {
	return a.accounts.ResolveToken(ctx, raw)
}

// serverOwned lists User properties only the server (or the admin role) may write over REST.
var serverOwned = accounts.RESTOwned

// callContext carries the caller's token digest to operation hooks (token revocation keeps it).
func callContext(ctx context.Context, c *rest.Call) context.Context {
	return accounts.CallContext(ctx, c)
}

// installAccounts makes the account layer and installs its User methods (inherited by every
// model extending User), its remote hooks in their order, and the token cache's hook.
func (a *App) installAccounts() {
	a.accounts = accounts.New(accounts.Config{
		Registry: a.reg,
		StoreOf:  a.StoreOf,
		Logger:   a.log,
		IsAdmin: func(ctx context.Context, tok *rest.Token) (bool, error) {
			return a.HasRole(ctx, tok, "admin")
		},
		RESTRoot:  func() string { return a.rest.Root() },
		PublicURL: a.cfg.PublicURL,
		Mail: accounts.MailConfig{
			SMTPURL: a.cfg.Mail.SMTPURL, From: a.cfg.Mail.From, AppName: a.cfg.Mail.AppName,
			TemplatesDir: a.cfg.Mail.TemplatesDir, ResetURL: a.cfg.Mail.ResetURL, RedirectAllow: a.cfg.Mail.RedirectAllow,
		},
		TokenCacheTTL: time.Duration(*a.cfg.TokenCacheSeconds * float64(time.Second)),
	})
	user := a.Model("User")
	for _, m := range a.accounts.Methods() {
		user.Method(m.Name, m.Fn)
	}
	for _, h := range a.accounts.RemoteHooks(a.stampOwner) {
		if h.When == accounts.BeforeRemote {
			a.BeforeRemote("**", h.Fn)
		} else {
			a.AfterRemote("**", h.Fn)
		}
	}
	a.Model("AccessToken").Observe("after delete", a.accounts.TokenCacheClear())
}

// setupAccounts builds the account layer's limiter and mailer once the datasources are open,
// and registers the user models' operation hooks.
func (a *App) setupAccounts() error {
	hooks, err := a.accounts.Setup()
	if err != nil {
		return err
	}
	for _, h := range hooks {
		a.Model("User").Observe(h.Name, h.Fn)
	}
	return nil
}

// finishUserModels runs after the boot functions (see accounts.Service.Finish).
func (a *App) finishUserModels(ctx context.Context) error { return a.accounts.Finish(ctx) }
