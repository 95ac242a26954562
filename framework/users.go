package framework

import (
	"context"
	"fmt"
	"strings"

	"github.com/loopgo/loopgo/framework/accounts"
	"github.com/loopgo/loopgo/framework/acl"
	"github.com/loopgo/loopgo/framework/apierr"
	"github.com/loopgo/loopgo/framework/rest"
)

// Users is the user-management handle of a user model: login, logout, tokens, passwords.
type Users = accounts.Users

// Users returns the handle of a user model (User or a model with base: User), after Setup.
func (a *App) Users(model string) (*Users, error) {
	a.usersMu.Lock()
	defer a.usersMu.Unlock()
	if u, ok := a.users[model]; ok {
		return u, nil
	}
	m := a.reg.Model(model)
	if m == nil || !m.IsA("User") {
		return nil, fmt.Errorf("model %q is not a user model (User or a model with base: User)", model)
	}
	st := a.attached[model]
	tm := a.reg.Model("AccessToken")
	tst := a.attached["AccessToken"]
	if st == nil || tm == nil || tst == nil {
		return nil, fmt.Errorf("user model %q needs itself and AccessToken attached to datasources in model-config.yaml", model)
	}
	u := accounts.NewUsers(m, st, tm, tst)
	u.SetModelLookup(a.reg.Model)
	a.setupUsersLifecycle(u)
	a.users[model] = u
	return u, nil
}

// installUserModels binds User's remote methods and operation hooks; they are inherited by
// every model extending User.
func (a *App) installUserModels() {
	a.Model("User").Method("login", a.remoteLogin).Method("logout", a.remoteLogout)
	a.BeforeRemote("**", a.throttleRegistration) // first: every sign-up attempt counts
	a.BeforeRemote("**", noStoreForUsers)
	a.BeforeRemote("**", a.guardServerOwnedFields)
	a.BeforeRemote("**", a.stampOwner)
	a.BeforeRemote("**", a.guardEmailChange)
	a.BeforeRemote("**", a.guardSessions)
	a.AfterRemote("**", a.notifyEmailChange)
	a.AfterRemote("**", a.verifyAfterCreate)
}

// noStoreForUsers marks Cache-Control: no-store on every response of a user model's methods
// (login, tokens, account data), of relation routes to users, and of authenticated requests.
func noStoreForUsers(ctx context.Context, c *rest.Call) error {
	if c.Method.Model.IsA("User") || c.Token != nil || (c.Method.Target != nil && c.Method.Target.IsA("User")) {
		c.Echo.Response().Header().Set("Cache-Control", "no-store")
	}
	return nil
}

// serverOwned lists User properties only the server (or the admin role) may write over REST.
var serverOwned = []string{"emailVerified", "verificationToken", "verificationTokenCreated", "disabled"}

// writeMethods are the methods whose body data is stripped of server-owned fields.
var writeMethods = map[string]bool{
	"create": true, "patchOrCreate": true, "replaceOrCreate": true, "upsertWithWhere": true,
	"replaceById": true, "updateAll": true, "patchAttributes": true,
}

// guardServerOwnedFields drops emailVerified and verificationToken from REST writes to user
// models: always on create (as LoopBack), and on updates unless the caller has the admin role.
func (a *App) guardServerOwnedFields(ctx context.Context, c *rest.Call) error {
	if !writesUsers(c) {
		return nil
	}
	// a password given as a bcrypt hash would skip the password policy and the cost floor:
	// over REST a password is always plain text (Go code may still store an existing hash)
	var hashErr error
	eachDataRecord(c, func(rec map[string]any) {
		v, has := rec["password"]
		pw, isStr := v.(string)
		switch {
		case has && !isStr:
			// as LoopBack's password setter, a value that is not text is ignored: a required
			// password then answers "can't be blank"
			delete(rec, "password")
		case isStr && accounts.IsHash(pw):
			hashErr = apierr.Unprocessable("INVALID_PASSWORD", "Invalid password: send the password itself, not a hash")
		}
	})
	if hashErr != nil {
		return hashErr
	}
	creating := c.Method.Name == "create" || strings.HasPrefix(c.Method.Name, "__create__")
	if !creating {
		admin, err := a.HasRole(ctx, c.Token, "admin")
		if err != nil {
			return err
		}
		if admin {
			return nil
		}
	}
	eachDataRecord(c, func(rec map[string]any) {
		for _, k := range serverOwned {
			delete(rec, k)
		}
		if !creating {
			// the realm scopes a user's identity: chosen at sign-up, changed by an admin only
			delete(rec, "realm")
		}
	})
	return nil
}

// writesUsers reports whether a call writes user-model data from its body: a user model's own
// write methods, or a relation route that creates or updates users.
func writesUsers(c *rest.Call) bool {
	if c.Method.Model.IsA("User") && writeMethods[c.Method.Name] {
		return true
	}
	if t := c.Method.Target; t != nil && t.IsA("User") {
		for _, p := range []string{"__create__", "__update__", "__updateById__", "__link__"} {
			if strings.HasPrefix(c.Method.Name, p) {
				return true
			}
		}
	}
	return false
}

// HasRole reports whether the token's user is mapped to a static role (Role + RoleMapping).
func (a *App) HasRole(ctx context.Context, tok *rest.Token, role string) (bool, error) {
	if tok == nil || tok.UserID == nil {
		return false, nil
	}
	names, err := a.staticRolesOf(ctx, tok)
	if err != nil {
		return false, err
	}
	for _, n := range names {
		if n == role {
			return true, nil
		}
	}
	return false, nil
}

// staticRolesOf returns the names of the roles mapped to a token's user, read once per REST call
// (the call that ctx carries, when its token is tok).
func (a *App) staticRolesOf(ctx context.Context, tok *rest.Token) ([]string, error) {
	c := rest.CallFrom(ctx)
	if c != nil && c.Token == tok {
		if names, ok := c.State[staticRolesKey].([]string); ok {
			return names, nil
		}
	}
	z := &authorizer{a: a, roles: a.roles}
	req := acl.Request{UserID: acl.IDString(tok.UserID), UserModel: a.principalModel(tok.UserModel)}
	names, err := z.RolesOf(ctx, req.Principals())
	if err != nil {
		return nil, err
	}
	if c != nil && c.Token == tok {
		if names == nil {
			names = []string{}
		}
		c.State[staticRolesKey] = names
	}
	return names, nil
}

const staticRolesKey = "loopgo.staticRoles"

// installUserHooks registers the user models' operation hooks once the datasources are open;
// the hooks read the settings of the model being saved, so one registration serves them all.
func (a *App) installUserHooks() {
	for _, m := range a.reg.Models() {
		if !m.IsA("User") || a.attached[m.Name] == nil {
			continue
		}
		if f := m.IntSetting("saltWorkFactor", accounts.DefaultSaltWorkFactor); f < accounts.MinSaltWorkFactor {
			a.log.Warn("saltWorkFactor is below the ASVS floor of 10: passwords are hashed weakly", "model", m.Name, "saltWorkFactor", f)
		}
	}
	if u := a.anyUsers(); u != nil {
		for hook, fn := range u.Hooks() {
			a.Model("User").Observe(hook, fn)
		}
	}
}

func (a *App) remoteLogin(ctx context.Context, c *rest.Call) (any, error) {
	u, err := a.Users(c.Method.Model.Name)
	if err != nil {
		return nil, apierr.Internal(err)
	}
	creds, _ := c.Args["credentials"].(map[string]any)
	var include []string
	switch v := c.Args["include"].(type) {
	case []any:
		for _, x := range v {
			if s, ok := x.(string); ok {
				include = append(include, strings.Split(s, ",")...)
			}
		}
	case string:
		include = strings.Split(v, ",")
	}
	res, err := u.Login(ctx, creds, accounts.LoginOptions{
		Include: include, ClientAddress: c.Echo.RealIP(), UserAgent: c.Request().UserAgent(),
	})
	if err != nil {
		return nil, err
	}
	out := res.JSON()
	if res.User != nil {
		out["user"] = rest.Instance{Model: c.Method.Model, Rec: res.User}
	}
	return out, nil
}

func (a *App) remoteLogout(ctx context.Context, c *rest.Call) (any, error) {
	u, err := a.Users(c.Method.Model.Name)
	if err != nil {
		return nil, apierr.Internal(err)
	}
	digest := ""
	if c.Token != nil {
		digest = c.Token.Digest
	}
	return nil, u.Logout(ctx, digest)
}

// anyUsers returns the Users handle of the first attached user model, or nil.
func (a *App) anyUsers() *accounts.Users {
	for _, m := range a.reg.Models() {
		if _, ok := a.attached[m.Name]; ok && m.IsA("User") {
			if u, err := a.Users(m.Name); err == nil {
				return u
			}
		}
	}
	return nil
}

// callContext carries the caller's token digest to operation hooks (token revocation keeps it).
func callContext(ctx context.Context, c *rest.Call) context.Context {
	if c.Token != nil {
		return accounts.WithCurrentToken(ctx, c.Token.Digest)
	}
	return ctx
}

// finishUserModels runs after the boot functions, which may change user settings: it refuses a
// too short mfaSecretKey and makes the dummy bcrypt hash of every user model's cost, so the first
// login of an unknown account is not slower than the others.
func (a *App) finishUserModels(ctx context.Context) error {
	for _, m := range a.reg.Models() {
		if !m.IsA("User") || a.attached[m.Name] == nil {
			continue
		}
		if key := m.StringSetting("mfaSecretKey", ""); key != "" && len(key) < 16 {
			return fmt.Errorf("model %s: mfaSecretKey must be at least 16 characters (it encrypts the TOTP secrets); set a longer key", m.Name)
		}
		_ = accounts.DummyCompare(ctx, "", m.IntSetting("saltWorkFactor", accounts.DefaultSaltWorkFactor))
	}
	return nil
}

// principalModel is the principal type a token's user model gives in ACLs and role mappings:
// "" (USER) when the app attaches one user model, the model's name when it attaches several (as
// LoopBack's polymorphic user relation: user 5 of Customer is not user 5 of User).
func (a *App) principalModel(model string) string {
	n := 0
	for name := range a.attached {
		if m := a.reg.Model(name); m != nil && m.IsA("User") {
			n++
		}
	}
	if n <= 1 {
		return ""
	}
	return model
}
