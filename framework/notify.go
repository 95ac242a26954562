package framework

import (
	"context"
	"fmt"
	"time"

	"github.com/loopgo/loopgo/framework/apierr"
	"github.com/loopgo/loopgo/framework/mail"
	"github.com/loopgo/loopgo/framework/rest"
)

// emailWrites are the user-model methods that can change an email address over REST.
var emailWrites = map[string]bool{"patchAttributes": true, "replaceById": true, "patchOrCreate": true, "replaceOrCreate": true}

const stateOldEmail = "loopgo.oldEmail"

// guardEmailChange runs before REST writes to a user model that change its email: the caller must
// have logged in recently (setting reauthenticateWithin, seconds, default 900; 0 = off) unless it
// is an admin, and the old address is remembered to be told of the change afterwards.
func (a *App) guardEmailChange(ctx context.Context, c *rest.Call) error {
	m := c.Method.Model
	data, ok := c.Args["data"].(map[string]any)
	if !m.IsA("User") || !emailWrites[c.Method.Name] || !ok {
		return nil
	}
	newEmail, ok := data["email"].(string)
	if !ok {
		return nil
	}
	id := c.InstanceID
	if id == nil {
		id = c.Args["id"]
	}
	if id == nil {
		id = data["id"]
	}
	if id == nil {
		return nil // a create: nothing changes
	}
	users := a.Model(m.Name)
	current, err := users.FindByID(ctx, rest.NormalizeID(m, id))
	if err != nil || current == nil {
		return err
	}
	old, _ := current["email"].(string)
	if old == newEmail {
		return nil
	}
	admin, err := a.HasRole(ctx, c.Token, "admin")
	if err != nil {
		return err
	}
	if within := m.IntSetting("reauthenticateWithin", 900); !admin && within > 0 && c.Token != nil &&
		time.Since(c.Token.Created) > time.Duration(within)*time.Second {
		return apierr.Unauthorized("REAUTHENTICATION_REQUIRED",
			"Log in again to change the email address (the session must be less than %d seconds old)", within)
	}
	if old != "" {
		c.State[stateOldEmail] = old
	}
	return nil
}

// notifyEmailChange tells the old address that the email of the account changed.
func (a *App) notifyEmailChange(ctx context.Context, c *rest.Call) error {
	old, ok := c.State[stateOldEmail].(string)
	if !ok || !c.Method.Model.BoolSetting("notifyChanges", true) {
		return nil
	}
	data, _ := c.Args["data"].(map[string]any)
	change := fmt.Sprintf("The email address of your account was changed to %v.", data["email"])
	go a.sendNotice(context.WithoutCancel(ctx), old, change)
	return nil
}

// notifyPasswordChange tells a user by mail that its password changed (change or reset).
func (a *App) notifyPasswordChange(ctx context.Context, c *rest.Call, userID any) {
	m := c.Method.Model
	if !m.BoolSetting("notifyChanges", true) {
		return
	}
	u, err := a.Model(m.Name).FindByID(ctx, rest.NormalizeID(m, userID))
	if err != nil || u == nil {
		return
	}
	if email, ok := u["email"].(string); ok && email != "" {
		go a.sendNotice(context.WithoutCancel(ctx), email, "The password of your account was changed.")
	}
}

// sendNotice sends the "changed" security notice.
func (a *App) sendNotice(ctx context.Context, to, change string) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	r, err := a.templates.Render(mail.TemplateChanged, mail.TemplateData{AppName: a.cfg.Mail.AppName, Email: to, Change: change})
	if err == nil {
		err = a.mailer.Send(ctx, r.Message(to))
	}
	if err != nil {
		a.log.Error("account change notice not sent", "err", err)
	}
}
