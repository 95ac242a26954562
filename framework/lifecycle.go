package framework

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/loopgo/loopgo/framework/accounts"
	"github.com/loopgo/loopgo/framework/acl"
	"github.com/loopgo/loopgo/framework/apierr"
	"github.com/loopgo/loopgo/framework/filter"
	"github.com/loopgo/loopgo/framework/mail"
	"github.com/loopgo/loopgo/framework/rest"
	"github.com/loopgo/loopgo/framework/throttle"
)

// installLifecycle binds the account lifecycle methods of User (inherited by its subclasses).
func (a *App) installLifecycle() {
	a.Model("User").
		Method("prototype.verify", a.remoteVerify).
		Method("confirm", a.remoteConfirm).
		Method("resetPassword", a.remoteResetPassword).
		Method("changePassword", a.remoteChangePassword).
		Method("setPassword", a.remoteSetPassword).
		Method("prototype.sessions", a.remoteSessions).
		Method("prototype.revokeSession", a.remoteRevokeSession).
		Method("prototype.revokeOtherSessions", a.remoteRevokeOtherSessions).
		Method("prototype.revokeAllSessions", a.remoteRevokeAllSessions).
		Method("revokeEverySession", a.remoteRevokeEverySession).
		Method("prototype.mfaEnroll", a.remoteMFAEnroll).
		Method("prototype.mfaActivate", a.remoteMFAActivate).
		Method("prototype.mfaDisable", a.remoteMFADisable).
		Method("prototype.mfaReset", a.remoteMFAReset)
}

// SetMailer replaces the mailer (the SMTP mailer of the config, or the development log mailer).
func (a *App) SetMailer(m mail.Mailer) { a.mailer = m }

// setupMail builds the mailer and templates from the config, unless a mailer was set.
func (a *App) setupMail() error {
	tpl, err := mail.NewTemplates(a.cfg.Mail.TemplatesDir)
	if err != nil {
		return fmt.Errorf("mail templates: %w", err)
	}
	a.templates = tpl
	if a.mailer != nil {
		return nil
	}
	if a.cfg.Mail.SMTPURL == "" {
		a.log.Warn("no SMTP server configured (mail.smtpUrl / SMTP_URL): the development mailer writes " +
			"messages, with their verification and reset links, to this log; do not use it in production")
		a.mailer = mail.NewLogMailer(a.log)
		return nil
	}
	m, err := mail.NewSMTP(mail.SMTPConfig{URL: a.cfg.Mail.SMTPURL, From: a.cfg.Mail.From})
	if err != nil {
		return fmt.Errorf("mail: %w", err)
	}
	a.mailer = m
	return nil
}

// setupUsersLifecycle gives every user model's handle the limiter and the reset mail listener.
func (a *App) setupUsersLifecycle(u *Users) {
	u.SetLogger(a.log)
	if a.limiter != nil {
		u.SetLimiter(a.limiter)
	}
	u.OnResetPasswordRequest(func(ctx context.Context, req accounts.ResetRequest) {
		link := a.cfg.Mail.ResetURL + "#access_token=" + url.QueryEscape(req.Token)
		ttl := time.Duration(req.TTL) * time.Second
		// the REST reset runs listeners after answering already; Go callers get the same timing
		go a.sendMail(context.WithoutCancel(ctx), mail.TemplateReset, req.Email, link, ttl)
	})
}

// setupThrottle attaches the throttle model beside the first user model and builds the limiter.
func (a *App) setupThrottle() {
	st := a.attached[throttle.ModelName]
	m := a.reg.Model(throttle.ModelName)
	if st == nil || m == nil {
		return
	}
	opts := throttle.Options{Logger: a.log}
	if a.attached[throttle.LockModelName] == st {
		opts.Locks = a.reg.Model(throttle.LockModelName)
	}
	a.limiter = throttle.New(st, m, opts)
}

// sendMail renders a template and sends it; failures are logged (never the link's token).
func (a *App) sendMail(ctx context.Context, template, to, link string, ttl time.Duration) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	r, err := a.templates.Render(template, mail.TemplateData{AppName: a.cfg.Mail.AppName, Link: link, Email: to, TTL: mail.FormatTTL(ttl)})
	if err == nil {
		err = a.mailer.Send(ctx, r.Message(to))
	}
	if err != nil {
		a.log.Error("mail not sent", "template", template, "err", err)
	}
}

// userOf returns the Users handle of the call's model.
func (a *App) userOf(c *rest.Call) (*Users, error) {
	u, err := a.Users(c.Method.Model.Name)
	if err != nil {
		return nil, apierr.Internal(err)
	}
	return u, nil
}

func (a *App) remoteVerify(ctx context.Context, c *rest.Call) (any, error) {
	u, err := a.userOf(c)
	if err != nil {
		return nil, err
	}
	return nil, a.sendVerification(ctx, u, c.InstanceID, c.Echo.RealIP())
}

// verifyAfterCreate mails the verification link to a user created over REST when its model
// requires verified emails (the new user cannot log in, so it could not ask for the link).
func (a *App) verifyAfterCreate(ctx context.Context, c *rest.Call) error {
	m := c.Method.Model
	if !m.IsA("User") || c.Method.Name != "create" || !m.BoolSetting("emailVerificationRequired", false) {
		return nil
	}
	u, err := a.userOf(c)
	if err != nil {
		return err
	}
	var ids []any
	switch res := c.Result.(type) {
	case rest.Instance:
		ids = append(ids, res.Rec["id"])
	case []rest.Instance:
		for _, in := range res {
			ids = append(ids, in.Rec["id"])
		}
	}
	for _, id := range ids {
		if err := a.sendVerification(ctx, u, id, c.Echo.RealIP()); err != nil {
			a.log.Error("verification mail after sign-up not sent", "model", m.Name, "user_id", id, "err", err)
		}
	}
	return nil
}

// sendVerification mails a user the link that confirms its email address.
func (a *App) sendVerification(ctx context.Context, u *Users, userID any, clientAddress string) error {
	m := u.Model()
	linkBase := strings.TrimRight(a.cfg.PublicURL, "/") + a.rest.Root() + "/" + m.HTTPPath + "/confirm"
	ttl := time.Duration(m.IntSetting("verificationTokenTTL", accounts.DefaultVerificationTTL)) * time.Second
	return u.Verify(ctx, userID, accounts.VerifyOptions{
		LinkBase: linkBase, ClientAddress: clientAddress,
		Send: func(ctx context.Context, to, link string) error {
			r, err := a.templates.Render(mail.TemplateVerify, mail.TemplateData{AppName: a.cfg.Mail.AppName, Link: link, Email: to, TTL: mail.FormatTTL(ttl)})
			if err != nil {
				return err
			}
			return a.mailer.Send(ctx, r.Message(to))
		},
	})
}

func (a *App) remoteConfirm(ctx context.Context, c *rest.Call) (any, error) {
	u, err := a.userOf(c)
	if err != nil {
		return nil, err
	}
	redirect, _ := c.Args["redirect"].(string)
	if redirect != "" && !a.redirectAllowed(redirect) {
		return nil, apierr.BadRequest("INVALID_REDIRECT", "redirect must be a path of this app or a URL under publicUrl or mail.redirectAllow")
	}
	if err := u.Confirm(ctx, c.Args["uid"], fmt.Sprint(c.Args["token"])); err != nil {
		return nil, err
	}
	if redirect != "" {
		c.Status = http.StatusFound
		c.Echo.Response().Header().Set("Location", redirect)
	}
	return nil, nil
}

// redirectAllowed accepts a local path, or a URL under publicUrl or one of mail.redirectAllow:
// an open redirect would let anyone craft a confirmation link that lands on their own site.
func (a *App) redirectAllowed(redirect string) bool {
	// browsers drop tabs and newlines from URLs, so "/\t/evil.com" would become "//evil.com"
	if strings.ContainsFunc(redirect, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return false
	}
	if strings.HasPrefix(redirect, "/") && !strings.HasPrefix(redirect, "//") && !strings.Contains(redirect, `\`) {
		u, err := url.Parse(redirect)
		return err == nil && u.Scheme == "" && u.Host == ""
	}
	for _, base := range append([]string{a.cfg.PublicURL}, a.cfg.Mail.RedirectAllow...) {
		if base != "" && (redirect == base || strings.HasPrefix(redirect, strings.TrimRight(base, "/")+"/")) {
			return true
		}
	}
	return false
}

func (a *App) remoteResetPassword(ctx context.Context, c *rest.Call) (any, error) {
	u, err := a.userOf(c)
	if err != nil {
		return nil, err
	}
	opts, _ := c.Args["options"].(map[string]any)
	return nil, u.ResetPassword(ctx, opts, accounts.ResetOptions{ClientAddress: c.Echo.RealIP(), UserAgent: c.Request().UserAgent(), Background: true})
}

func (a *App) remoteChangePassword(ctx context.Context, c *rest.Call) (any, error) {
	u, err := a.userOf(c)
	if err != nil {
		return nil, err
	}
	if c.Token == nil {
		return nil, apierr.Unauthorized("AUTHORIZATION_REQUIRED", "Authorization Required")
	}
	if err := u.ChangePassword(ctx, c.Token.UserID, c.Token.Digest, c.Args["oldPassword"], c.Args["newPassword"]); err != nil {
		return nil, err
	}
	a.notifyPasswordChange(ctx, c, c.Token.UserID)
	return nil, nil
}

func (a *App) remoteSetPassword(ctx context.Context, c *rest.Call) (any, error) {
	u, err := a.userOf(c)
	if err != nil {
		return nil, err
	}
	if c.Token == nil {
		return nil, apierr.Unauthorized("AUTHORIZATION_REQUIRED", "Authorization Required")
	}
	if err := u.SetPassword(ctx, c.Token.UserID, c.Token.Digest, c.Token.Scopes, c.Args["newPassword"]); err != nil {
		return nil, err
	}
	a.notifyPasswordChange(ctx, c, c.Token.UserID)
	return nil, nil
}

func (a *App) remoteSessions(ctx context.Context, c *rest.Call) (any, error) {
	u, err := a.userOf(c)
	if err != nil {
		return nil, err
	}
	sessions, err := u.ListSessions(ctx, c.InstanceID)
	if err != nil {
		return nil, err
	}
	out := make([]any, 0, len(sessions))
	for _, s := range sessions {
		item := map[string]any{"id": s.ID, "created": s.Created, "ttl": s.TTL, "current": s.Current,
			"clientAddress": s.ClientAddress, "userAgent": s.UserAgent}
		if !s.LastUsed.IsZero() {
			item["lastUsed"] = s.LastUsed
		}
		if len(s.Scopes) > 0 {
			scopes := make([]any, len(s.Scopes))
			for i, x := range s.Scopes {
				scopes[i] = x
			}
			item["scopes"] = scopes
		}
		out = append(out, item)
	}
	return out, nil
}

func (a *App) remoteRevokeSession(ctx context.Context, c *rest.Call) (any, error) {
	u, err := a.userOf(c)
	if err != nil {
		return nil, err
	}
	return nil, u.RevokeSession(ctx, c.InstanceID, fmt.Sprint(c.Args["sid"]))
}

func (a *App) remoteRevokeOtherSessions(ctx context.Context, c *rest.Call) (any, error) {
	u, err := a.userOf(c)
	if err != nil {
		return nil, err
	}
	current := ""
	if c.Token != nil && acl.IDString(c.Token.UserID) == acl.IDString(c.InstanceID) {
		current = c.Token.Digest
	}
	return u.RevokeOtherSessions(ctx, c.InstanceID, current)
}

func (a *App) remoteRevokeAllSessions(ctx context.Context, c *rest.Call) (any, error) {
	u, err := a.userOf(c)
	if err != nil {
		return nil, err
	}
	return u.RevokeAllSessions(ctx, c.InstanceID)
}

func (a *App) remoteRevokeEverySession(ctx context.Context, c *rest.Call) (any, error) {
	m := c.Method.Model
	tm, st := a.reg.Model("AccessToken"), a.attached["AccessToken"]
	if tm == nil || st == nil {
		return nil, apierr.Internal(fmt.Errorf("AccessToken is not attached"))
	}
	// this user model's tokens: principalType names it (tokens of older rows may have none);
	// the caller's own session stays
	var where filter.Cond = filter.Or{
		&filter.Cmp{Property: "principalType", Prop: tm.Property("principalType"), Op: filter.Eq, Value: m.Name},
		&filter.Cmp{Property: "principalType", Prop: tm.Property("principalType"), Op: filter.Eq, Value: nil},
	}
	if c.Token != nil {
		where = filter.And{where, &filter.Cmp{Property: "id", Prop: tm.Property("id"), Op: filter.Neq, Value: c.Token.Digest}}
	}
	return st.DeleteAll(ctx, tm, where)
}

func (a *App) remoteMFAEnroll(ctx context.Context, c *rest.Call) (any, error) {
	u, err := a.userOf(c)
	if err != nil {
		return nil, err
	}
	secret, url, err := u.MFAEnroll(ctx, c.InstanceID)
	if err != nil {
		return nil, err
	}
	return map[string]any{"secret": secret, "otpauthUrl": url}, nil
}

func (a *App) remoteMFAActivate(ctx context.Context, c *rest.Call) (any, error) {
	u, err := a.userOf(c)
	if err != nil {
		return nil, err
	}
	if err := u.MFAActivate(ctx, c.InstanceID, fmt.Sprint(c.Args["code"])); err != nil {
		return nil, err
	}
	a.noticeToUser(ctx, c, "Two-step verification (one-time codes) was turned on for your account.")
	return nil, nil
}

func (a *App) remoteMFADisable(ctx context.Context, c *rest.Call) (any, error) {
	u, err := a.userOf(c)
	if err != nil {
		return nil, err
	}
	if err := u.MFADisable(ctx, c.InstanceID, fmt.Sprint(c.Args["code"])); err != nil {
		return nil, err
	}
	a.noticeToUser(ctx, c, "Two-step verification (one-time codes) was turned off for your account.")
	return nil, nil
}

func (a *App) remoteMFAReset(ctx context.Context, c *rest.Call) (any, error) {
	u, err := a.userOf(c)
	if err != nil {
		return nil, err
	}
	if err := u.MFAReset(ctx, c.InstanceID); err != nil {
		return nil, err
	}
	a.noticeToUser(ctx, c, "An administrator turned two-step verification off for your account.")
	return nil, nil
}
