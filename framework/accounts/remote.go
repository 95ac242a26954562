package accounts

import (
	"context"
	"fmt"
	"strings"

	"github.com/loopgo/loopgo/framework/apierr"
	"github.com/loopgo/loopgo/framework/rest"
	"github.com/loopgo/loopgo/framework/schema"
)

// noStoreForUsers marks Cache-Control: no-store on every response of a user model's methods
// (login, tokens, account data), of relation routes to users, and of authenticated requests.
func noStoreForUsers(ctx context.Context, c *rest.Call) error {
	if c.Method.Model.IsA("User") || c.Token != nil || (c.Method.Target != nil && c.Method.Target.IsA("User")) {
		c.Echo.Response().Header().Set("Cache-Control", "no-store")
	}
	return nil
}

// RESTOwned lists the User properties only the server (or the admin role) may write over
// REST: they are dropped from the body of other callers' writes.
var RESTOwned = []string{"emailVerified", "verificationToken", "verificationTokenCreated", "disabled"}

// writeMethods are the methods whose body data is stripped of server-owned fields.
var writeMethods = map[string]bool{
	"create": true, "patchOrCreate": true, "replaceOrCreate": true, "upsertWithWhere": true,
	"replaceById": true, "updateAll": true, "patchAttributes": true,
}

// guardServerOwnedFields drops emailVerified and verificationToken from REST writes to user
// models: always on create (as LoopBack), and on updates unless the caller has the admin role.
func (s *Service) guardServerOwnedFields(ctx context.Context, c *rest.Call) error {
	if !writesUsers(c) {
		return nil
	}
	// a password given as a bcrypt hash would skip the password policy and the cost floor:
	// over REST a password is always plain text (Go code may still store an existing hash)
	var hashErr error
	c.EachDataRecord(func(rec map[string]any) {
		v, has := rec["password"]
		pw, isStr := v.(string)
		switch {
		case has && !isStr:
			// as LoopBack's password setter, a value that is not text is ignored: a required
			// password then answers "can't be blank"
			delete(rec, "password")
		case isStr && IsHash(pw):
			hashErr = apierr.Unprocessable("INVALID_PASSWORD", "Invalid password: send the password itself, not a hash")
		}
	})
	if hashErr != nil {
		return hashErr
	}
	creating := c.Method.Name == "create" || strings.HasPrefix(c.Method.Name, "__create__")
	if !creating {
		admin, err := s.isAdmin(ctx, c.Token)
		if err != nil {
			return err
		}
		if admin {
			return nil
		}
	}
	c.EachDataRecord(func(rec map[string]any) {
		for _, k := range RESTOwned {
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

// remoteLogin is User.login: the credentials checked, a token created (with the user when
// include names it).
func (s *Service) remoteLogin(ctx context.Context, c *rest.Call) (any, error) {
	u, err := s.Users(c.Method.Model.Name)
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
	res, err := u.Login(ctx, creds, LoginOptions{
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

// remoteLogout is User.logout: the caller's token deleted.
func (s *Service) remoteLogout(ctx context.Context, c *rest.Call) (any, error) {
	u, err := s.Users(c.Method.Model.Name)
	if err != nil {
		return nil, apierr.Internal(err)
	}
	digest := ""
	if c.Token != nil {
		digest = c.Token.Digest
	}
	return nil, u.Logout(ctx, digest)
}

// isAdmin reports whether the token's user has the admin role (Config.IsAdmin).
func (s *Service) isAdmin(ctx context.Context, tok *rest.Token) (bool, error) {
	if s.cfg.IsAdmin == nil {
		return false, nil
	}
	return s.cfg.IsAdmin(ctx, tok)
}

// findByID reads one record of model m by id from its datasource.
func (s *Service) findByID(ctx context.Context, m *schema.Model, id any) (schema.Record, error) {
	d, st := s.cfg.Registry.Model(m.Name), s.cfg.StoreOf(m.Name)
	if d == nil || st == nil {
		return nil, fmt.Errorf("model %s is not attached to a datasource (add it to model-config.yaml) or the app is not set up yet", m.Name)
	}
	return st.FindByID(ctx, d, id, nil)
}
