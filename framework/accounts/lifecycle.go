package accounts

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/loopgo/loopgo/framework/apierr"
	"github.com/loopgo/loopgo/framework/filter"
	"github.com/loopgo/loopgo/framework/mail"
	"github.com/loopgo/loopgo/framework/rest"
	"github.com/loopgo/loopgo/framework/schema"
	"github.com/loopgo/loopgo/framework/throttle"
)

// setupMail builds the mailer and templates from the mail config, unless a mailer was set.
func (s *Service) setupMail() error {
	tpl, err := mail.NewTemplates(s.cfg.Mail.TemplatesDir)
	if err != nil {
		return fmt.Errorf("mail templates: %w", err)
	}
	s.templates = tpl
	if s.mailer != nil {
		return nil
	}
	if s.cfg.Mail.SMTPURL == "" {
		s.log.Warn("no SMTP server configured (mail.smtpUrl / SMTP_URL): the development mailer writes " +
			"messages, with their verification and reset links, to this log; do not use it in production")
		s.mailer = mail.NewLogMailer(s.log)
		return nil
	}
	m, err := mail.NewSMTP(mail.SMTPConfig{URL: s.cfg.Mail.SMTPURL, From: s.cfg.Mail.From})
	if err != nil {
		return fmt.Errorf("mail: %w", err)
	}
	s.mailer = m
	return nil
}

// setupUsersLifecycle gives every user model's handle the limiter and the reset mail listener.
func (s *Service) setupUsersLifecycle(u *Users) {
	u.SetLogger(s.log)
	if s.limiter != nil {
		u.SetLimiter(s.limiter)
	}
	u.OnResetPasswordRequest(func(ctx context.Context, req ResetRequest) {
		link := s.cfg.Mail.ResetURL + "#access_token=" + url.QueryEscape(req.Token)
		ttl := time.Duration(req.TTL) * time.Second
		// the REST reset runs listeners after answering already; Go callers get the same timing
		go s.sendMail(context.WithoutCancel(ctx), mail.TemplateReset, req.Email, link, ttl)
	})
}

// setupThrottle attaches the throttle model beside the first user model and builds the limiter.
func (s *Service) setupThrottle() {
	st := s.cfg.StoreOf(throttle.ModelName)
	m := s.cfg.Registry.Model(throttle.ModelName)
	if st == nil || m == nil {
		return
	}
	opts := throttle.Options{Logger: s.log}
	if s.cfg.StoreOf(throttle.LockModelName) == st {
		opts.Locks = s.cfg.Registry.Model(throttle.LockModelName)
	}
	s.limiter = throttle.New(st, m, opts)
}

// sendMail renders a template and sends it; failures are logged (never the link's token).
func (s *Service) sendMail(ctx context.Context, template, to, link string, ttl time.Duration) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	r, err := s.templates.Render(template, mail.TemplateData{AppName: s.cfg.Mail.AppName, Link: link, Email: to, TTL: mail.FormatTTL(ttl)})
	if err == nil {
		err = s.mailer.Send(ctx, r.Message(to))
	}
	if err != nil {
		s.log.Error("mail not sent", "template", template, "err", err)
	}
}

// userOf returns the Users handle of the call's model.
func (s *Service) userOf(c *rest.Call) (*Users, error) {
	u, err := s.Users(c.Method.Model.Name)
	if err != nil {
		return nil, apierr.Internal(err)
	}
	return u, nil
}

func (s *Service) remoteVerify(ctx context.Context, c *rest.Call) (any, error) {
	u, err := s.userOf(c)
	if err != nil {
		return nil, err
	}
	return nil, s.sendVerification(ctx, u, c.InstanceID, c.Echo.RealIP())
}

// verifyAfterCreate mails the verification link to a user created over REST when its model
// requires verified emails (the new user cannot log in, so it could not ask for the link).
func (s *Service) verifyAfterCreate(ctx context.Context, c *rest.Call) error {
	m := c.Method.Model
	if !m.IsA("User") || c.Method.Name != "create" || !SettingsOf(m).EmailVerificationRequired {
		return nil
	}
	u, err := s.userOf(c)
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
		if err := s.sendVerification(ctx, u, id, c.Echo.RealIP()); err != nil {
			s.log.Error("verification mail after sign-up not sent", "model", m.Name, "user_id", id, "err", err)
		}
	}
	return nil
}

// sendVerification mails a user the link that confirms its email address.
func (s *Service) sendVerification(ctx context.Context, u *Users, userID any, clientAddress string) error {
	m := u.Model()
	linkBase := strings.TrimRight(s.cfg.PublicURL, "/") + s.cfg.RESTRoot() + "/" + m.HTTPPath + "/confirm"
	ttl := time.Duration(SettingsOf(m).VerificationTTL) * time.Second
	return u.Verify(ctx, userID, VerifyOptions{
		LinkBase: linkBase, ClientAddress: clientAddress,
		Send: func(ctx context.Context, to, link string) error {
			r, err := s.templates.Render(mail.TemplateVerify, mail.TemplateData{AppName: s.cfg.Mail.AppName, Link: link, Email: to, TTL: mail.FormatTTL(ttl)})
			if err != nil {
				return err
			}
			return s.mailer.Send(ctx, r.Message(to))
		},
	})
}

func (s *Service) remoteConfirm(ctx context.Context, c *rest.Call) (any, error) {
	u, err := s.userOf(c)
	if err != nil {
		return nil, err
	}
	redirect, _ := c.Args["redirect"].(string)
	if redirect != "" && !s.redirectAllowed(redirect) {
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
func (s *Service) redirectAllowed(redirect string) bool {
	// browsers drop tabs and newlines from URLs, so "/\t/evil.com" would become "//evil.com"
	if strings.ContainsFunc(redirect, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return false
	}
	if strings.HasPrefix(redirect, "/") && !strings.HasPrefix(redirect, "//") && !strings.Contains(redirect, `\`) {
		u, err := url.Parse(redirect)
		return err == nil && u.Scheme == "" && u.Host == ""
	}
	for _, base := range append([]string{s.cfg.PublicURL}, s.cfg.Mail.RedirectAllow...) {
		if base != "" && (redirect == base || strings.HasPrefix(redirect, strings.TrimRight(base, "/")+"/")) {
			return true
		}
	}
	return false
}

func (s *Service) remoteResetPassword(ctx context.Context, c *rest.Call) (any, error) {
	u, err := s.userOf(c)
	if err != nil {
		return nil, err
	}
	opts, _ := c.Args["options"].(map[string]any)
	return nil, u.ResetPassword(ctx, opts, ResetOptions{ClientAddress: c.Echo.RealIP(), UserAgent: c.Request().UserAgent(), Background: true})
}

func (s *Service) remoteChangePassword(ctx context.Context, c *rest.Call) (any, error) {
	u, err := s.userOf(c)
	if err != nil {
		return nil, err
	}
	if c.Token == nil {
		return nil, apierr.Unauthorized("AUTHORIZATION_REQUIRED", "Authorization Required")
	}
	if err := u.ChangePassword(ctx, c.Token.UserID, c.Token.Digest, c.Args["oldPassword"], c.Args["newPassword"]); err != nil {
		return nil, err
	}
	s.notifyPasswordChange(ctx, c, c.Token.UserID)
	return nil, nil
}

func (s *Service) remoteSetPassword(ctx context.Context, c *rest.Call) (any, error) {
	u, err := s.userOf(c)
	if err != nil {
		return nil, err
	}
	if c.Token == nil {
		return nil, apierr.Unauthorized("AUTHORIZATION_REQUIRED", "Authorization Required")
	}
	if err := u.SetPassword(ctx, c.Token.UserID, c.Token.Digest, c.Token.Scopes, c.Args["newPassword"]); err != nil {
		return nil, err
	}
	s.notifyPasswordChange(ctx, c, c.Token.UserID)
	return nil, nil
}

func (s *Service) remoteSessions(ctx context.Context, c *rest.Call) (any, error) {
	u, err := s.userOf(c)
	if err != nil {
		return nil, err
	}
	sessions, err := u.ListSessions(ctx, c.InstanceID)
	if err != nil {
		return nil, err
	}
	out := make([]any, 0, len(sessions))
	for _, ses := range sessions {
		item := map[string]any{"id": ses.ID, "created": ses.Created, "ttl": ses.TTL, "current": ses.Current,
			"clientAddress": ses.ClientAddress, "userAgent": ses.UserAgent}
		if !ses.LastUsed.IsZero() {
			item["lastUsed"] = ses.LastUsed
		}
		if len(ses.Scopes) > 0 {
			scopes := make([]any, len(ses.Scopes))
			for i, x := range ses.Scopes {
				scopes[i] = x
			}
			item["scopes"] = scopes
		}
		out = append(out, item)
	}
	return out, nil
}

func (s *Service) remoteRevokeSession(ctx context.Context, c *rest.Call) (any, error) {
	u, err := s.userOf(c)
	if err != nil {
		return nil, err
	}
	return nil, u.RevokeSession(ctx, c.InstanceID, fmt.Sprint(c.Args["sid"]))
}

func (s *Service) remoteRevokeOtherSessions(ctx context.Context, c *rest.Call) (any, error) {
	u, err := s.userOf(c)
	if err != nil {
		return nil, err
	}
	current := ""
	if c.Token != nil && schema.IDString(c.Token.UserID) == schema.IDString(c.InstanceID) {
		current = c.Token.Digest
	}
	return u.RevokeOtherSessions(ctx, c.InstanceID, current)
}

func (s *Service) remoteRevokeAllSessions(ctx context.Context, c *rest.Call) (any, error) {
	u, err := s.userOf(c)
	if err != nil {
		return nil, err
	}
	return u.RevokeAllSessions(ctx, c.InstanceID)
}

func (s *Service) remoteRevokeEverySession(ctx context.Context, c *rest.Call) (any, error) {
	m := c.Method.Model
	tm, st := s.cfg.Registry.Model("AccessToken"), s.cfg.StoreOf("AccessToken")
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

func (s *Service) remoteMFAEnroll(ctx context.Context, c *rest.Call) (any, error) {
	u, err := s.userOf(c)
	if err != nil {
		return nil, err
	}
	secret, url, err := u.MFAEnroll(ctx, c.InstanceID)
	if err != nil {
		return nil, err
	}
	return map[string]any{"secret": secret, "otpauthUrl": url}, nil
}

func (s *Service) remoteMFAActivate(ctx context.Context, c *rest.Call) (any, error) {
	u, err := s.userOf(c)
	if err != nil {
		return nil, err
	}
	if err := u.MFAActivate(ctx, c.InstanceID, fmt.Sprint(c.Args["code"])); err != nil {
		return nil, err
	}
	s.noticeToUser(ctx, c, "Two-step verification (one-time codes) was turned on for your account.")
	return nil, nil
}

func (s *Service) remoteMFADisable(ctx context.Context, c *rest.Call) (any, error) {
	u, err := s.userOf(c)
	if err != nil {
		return nil, err
	}
	if err := u.MFADisable(ctx, c.InstanceID, fmt.Sprint(c.Args["code"])); err != nil {
		return nil, err
	}
	s.noticeToUser(ctx, c, "Two-step verification (one-time codes) was turned off for your account.")
	return nil, nil
}

func (s *Service) remoteMFAReset(ctx context.Context, c *rest.Call) (any, error) {
	u, err := s.userOf(c)
	if err != nil {
		return nil, err
	}
	if err := u.MFAReset(ctx, c.InstanceID); err != nil {
		return nil, err
	}
	s.noticeToUser(ctx, c, "An administrator turned two-step verification off for your account.")
	return nil, nil
}
