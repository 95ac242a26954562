package accounts

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/loopgo/loopgo/framework/apierr"
	"github.com/loopgo/loopgo/framework/mail"
	"github.com/loopgo/loopgo/framework/rest"
	"github.com/loopgo/loopgo/framework/throttle"
)

// emailWrites are the user-model methods that can change an email address over REST.
var emailWrites = map[string]bool{"patchAttributes": true, "replaceById": true, "patchOrCreate": true, "replaceOrCreate": true}

// bulkWrites change any number of users at once; they may not change identities (no notices).
var bulkWrites = map[string]bool{"updateAll": true, "upsertWithWhere": true}

// refuseBulkIdentityChange refuses email, username and password changes through updateAll and
// upsertWithWhere on user models: identities change one user at a time, so that each is told.
func refuseBulkIdentityChange(c *rest.Call) error {
	if !bulkWrites[c.Method.Name] {
		return nil
	}
	data, _ := c.Args["data"].(map[string]any)
	for _, k := range []string{"email", "username", "password"} {
		if _, ok := data[k]; ok {
			return apierr.BadRequest("IDENTITY_CHANGE_NOT_ALLOWED",
				"%s cannot be changed for several users at once; change it with PATCH on each user", k)
		}
	}
	return nil
}

// noticeKey is the type of the keys under which a call keeps what its change notice needs
// (rest.Call.Value): typed, so that no application key in Call.State can meet them.
type noticeKey int

const (
	stateOldEmail   noticeKey = iota // the email before the change
	stateChangeText                  // what changed, in words
)

// guardEmailChange runs before REST writes to a user model that change its email: the caller must
// have logged in recently (setting reauthenticateWithin, seconds, default 900; 0 = off) unless it
// is an admin, and the old address is remembered to be told of the change afterwards.
func (s *Service) guardEmailChange(ctx context.Context, c *rest.Call) error {
	m := c.Method.Model
	if t := c.Method.Target; t != nil && t.IsA("User") && strings.HasPrefix(c.Method.Name, "__update") {
		m = t // a relation route that updates a user: the same rules as PATCH /users/:id
	} else if !m.IsA("User") || (!emailWrites[c.Method.Name] && !bulkWrites[c.Method.Name]) {
		return nil
	}
	if err := refuseBulkIdentityChange(c); err != nil {
		return err
	}
	data, ok := c.Args["data"].(map[string]any)
	if !ok {
		return nil
	}
	newEmail, hasEmail := data["email"].(string)
	newName, hasName := data["username"].(string)
	if !hasEmail && !hasName {
		return nil
	}
	var id any
	switch {
	case c.Method.Target != nil:
		id = c.Args["fk"]
	case c.InstanceID != nil:
		id = c.InstanceID
	case c.Args["id"] != nil:
		id = c.Args["id"]
	default:
		id = data["id"]
	}
	if id == nil {
		if c.Method.Target != nil {
			// a hasOne update names no user id: identities change on the user's own route
			return apierr.BadRequest("IDENTITY_CHANGE_NOT_ALLOWED", "change the email or username with PATCH on the user")
		}
		return nil // a create: nothing changes
	}
	current, err := s.findByID(ctx, m, rest.NormalizeID(m, id))
	if err != nil || current == nil {
		return err
	}
	old, _ := current["email"].(string)
	oldName, _ := current["username"].(string)
	var changes []string
	if hasName && newName != oldName && old != "" {
		c.SetValue(stateOldEmail, old)
		changes = append(changes, fmt.Sprintf("The username of your account was changed to %s.", newName))
		c.SetValue(stateChangeText, strings.Join(changes, " "))
	}
	if !hasEmail || old == newEmail {
		return nil
	}
	admin, err := s.isAdmin(ctx, c.Token)
	if err != nil {
		return err
	}
	if within := SettingsOf(m).ReauthenticateWithin; !admin && within > 0 && c.Token != nil &&
		time.Since(c.Token.Created) > time.Duration(within)*time.Second {
		return apierr.Unauthorized("REAUTHENTICATION_REQUIRED",
			"Log in again to change the email address (the session must be less than %d seconds old)", within)
	}
	if old != "" {
		c.SetValue(stateOldEmail, old)
		changes = append(changes, fmt.Sprintf("The email address of your account was changed to %s.", newEmail))
		c.SetValue(stateChangeText, strings.Join(changes, " "))
	}
	return nil
}

// notifyEmailChange tells the (old) address that the email or username of the account changed.
func (s *Service) notifyEmailChange(ctx context.Context, c *rest.Call) error {
	old, ok := c.Value(stateOldEmail).(string)
	change, _ := c.Value(stateChangeText).(string)
	if !ok || change == "" || !SettingsOf(c.Method.Model).NotifyChanges {
		return nil
	}
	go s.sendNotice(context.WithoutCancel(ctx), old, change)
	return nil
}

// sessionMethods are the account-security methods that need a recent login.
var sessionMethods = map[string]bool{"sessions": true, "revokeSession": true, "revokeOtherSessions": true,
	"mfaEnroll": true, "mfaDisable": true}

// guardSessions asks for a login of the last reauthenticateWithin seconds before a user lists or
// ends its sessions (an admin is exempt): a stolen old token cannot end the owner's new sessions.
func (s *Service) guardSessions(ctx context.Context, c *rest.Call) error {
	m := c.Method.Model
	if !m.IsA("User") || !sessionMethods[c.Method.Name] || c.Token == nil {
		return nil
	}
	within := SettingsOf(m).ReauthenticateWithin
	if within <= 0 || time.Since(c.Token.Created) <= time.Duration(within)*time.Second {
		return nil
	}
	admin, err := s.isAdmin(ctx, c.Token)
	if err != nil || admin {
		return err
	}
	return apierr.Unauthorized("REAUTHENTICATION_REQUIRED",
		"Log in again to do this (the session must be less than %d seconds old)", within)
}

// maxSignUpsPerRequest bounds a sign-up request that creates a list of users.
const maxSignUpsPerRequest = 10

// throttleRegistration limits REST sign-up attempts per client address, each user of a list
// counting once: account creation is abusable (mass accounts, probing which emails exist).
func (s *Service) throttleRegistration(ctx context.Context, c *rest.Call) error {
	key, ok := s.registrationKey(c)
	if !ok {
		return nil
	}
	n := 1
	if list, ok := c.Args["data"].([]any); ok {
		if len(list) > maxSignUpsPerRequest {
			return apierr.BadRequest("", "at most %d users can sign up in one request", maxSignUpsPerRequest)
		}
		n = max(1, len(list))
	}
	// counted before anything else is checked, all n at once or none: concurrent sign-ups
	// beyond the limit are refused on every instance
	_, wait, err := s.limiter.ReserveN(ctx, key, n)
	if wait > 0 {
		return throttle.TooMany(throttle.CodeRateLimited, "Too many sign-ups from this address", wait)
	}
	return err
}

// registrationKey returns the sign-up throttle key of a call, when the call is a sign-up.
func (s *Service) registrationKey(c *rest.Call) ([]throttle.Keyed, bool) {
	m := c.Method.Model
	if t := c.Method.Target; t != nil && t.IsA("User") && strings.HasPrefix(c.Method.Name, "__create__") {
		m = t // POST /teams/1/members creates accounts too
	} else if !m.IsA("User") || c.Method.Name != "create" {
		return nil, false
	}
	if s.limiter == nil {
		return nil, false
	}
	rule := SettingsOf(m).RegisterThrottle
	if rule == nil {
		return nil, false
	}
	return []throttle.Keyed{{Rule: *rule, Key: c.Echo.RealIP()}}, true
}

// notifyPasswordChange tells a user by mail that its password changed (change or reset).
func (s *Service) notifyPasswordChange(ctx context.Context, c *rest.Call, userID any) {
	s.notifyUser(ctx, c, userID, "The password of your account was changed.")
}

// noticeToUser tells the user of a prototype method's instance that its account changed.
func (s *Service) noticeToUser(ctx context.Context, c *rest.Call, change string) {
	s.notifyUser(ctx, c, c.InstanceID, change)
}

// notifyUser mails a security notice to a user's address (setting notifyChanges, default true).
func (s *Service) notifyUser(ctx context.Context, c *rest.Call, userID any, change string) {
	m := c.Method.Model
	if !SettingsOf(m).NotifyChanges {
		return
	}
	u, err := s.findByID(ctx, m, rest.NormalizeID(m, userID))
	if err != nil || u == nil {
		return
	}
	if email, ok := u["email"].(string); ok && email != "" {
		go s.sendNotice(context.WithoutCancel(ctx), email, change)
	}
}

// sendNotice sends the "changed" security notice.
func (s *Service) sendNotice(ctx context.Context, to, change string) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	r, err := s.templates.Render(mail.TemplateChanged, mail.TemplateData{AppName: s.cfg.Mail.AppName, Email: to, Change: change})
	if err == nil {
		err = s.mailer.Send(ctx, r.Message(to))
	}
	if err != nil {
		s.log.Error("account change notice not sent", "err", err)
	}
}
