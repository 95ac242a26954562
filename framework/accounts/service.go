package accounts

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/loopgo/loopgo/framework/mail"
	"github.com/loopgo/loopgo/framework/rest"
	"github.com/loopgo/loopgo/framework/schema"
	"github.com/loopgo/loopgo/framework/store"
	"github.com/loopgo/loopgo/framework/throttle"
)

// Config is what the account layer takes from the application that installs it.
type Config struct {
	Registry *schema.Registry                                         // the model definitions
	StoreOf  func(model string) *store.Store                          // a model's datasource, nil when not attached
	Logger   *slog.Logger                                             // nil = slog.Default()
	IsAdmin  func(ctx context.Context, tok *rest.Token) (bool, error) // whether the token's user has the admin role
	RESTRoot func() string                                            // the REST API root of the verification links, read when mailing
	// PublicURL is the app's public base URL (verification links, allowed redirects).
	PublicURL string
	Mail      MailConfig // the mailer and templates (see Service.Setup)
	// TokenCacheTTL is how long a resolved access token is remembered; 0 = no cache.
	TokenCacheTTL time.Duration
}

// MailConfig configures the account lifecycle's mail.
type MailConfig struct {
	SMTPURL       string   // smtp://, smtps://, smtp+insecure://; "" = development log mailer
	From          string   // sender address
	AppName       string   // named in the messages
	TemplatesDir  string   // overrides of the templates
	ResetURL      string   // the page that receives #access_token=...
	RedirectAllow []string // URL prefixes confirm may redirect to, besides PublicURL
}

// Service is the account layer of an application: the Users handle of each user model, the
// REST methods and remote hooks of user models, the operation hooks, the access token cache,
// the throttle limiter and the mail of the account lifecycle.
type Service struct {
	cfg       Config
	log       *slog.Logger
	tokens    tokenCache
	mailer    mail.Mailer
	templates *mail.Templates
	limiter   *throttle.Limiter

	mu    sync.Mutex
	users map[string]*Users
}

// New returns the account layer of an application described by cfg.
func New(cfg Config) *Service {
	l := cfg.Logger
	if l == nil {
		l = slog.Default()
	}
	s := &Service{cfg: cfg, log: l, users: map[string]*Users{}}
	s.tokens.ttl = cfg.TokenCacheTTL
	return s
}

// Users returns the handle of a user model (User or a model with base: User), once it and
// AccessToken are attached to datasources.
func (s *Service) Users(model string) (*Users, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u, ok := s.users[model]; ok {
		return u, nil
	}
	reg := s.cfg.Registry
	m := reg.Model(model)
	if m == nil || !m.IsA("User") {
		return nil, fmt.Errorf("model %q is not a user model (User or a model with base: User)", model)
	}
	st := s.cfg.StoreOf(model)
	tm := reg.Model("AccessToken")
	tst := s.cfg.StoreOf("AccessToken")
	if st == nil || tm == nil || tst == nil {
		return nil, fmt.Errorf("user model %q needs itself and AccessToken attached to datasources in model-config.yaml", model)
	}
	u := NewUsers(m, st, tm, tst)
	u.SetModelLookup(reg.Model)
	s.setupUsersLifecycle(u)
	s.users[model] = u
	return u, nil
}

// anyUsers returns the Users handle of the first attached user model, or nil.
func (s *Service) anyUsers() *Users {
	for _, m := range s.cfg.Registry.Models() {
		if s.cfg.StoreOf(m.Name) != nil && m.IsA("User") {
			if u, err := s.Users(m.Name); err == nil {
				return u
			}
		}
	}
	return nil
}

// attachedUserModels returns the user models attached to a datasource.
func (s *Service) attachedUserModels() []*schema.Model {
	var out []*schema.Model
	for _, m := range s.cfg.Registry.Models() {
		if m.IsA("User") && s.cfg.StoreOf(m.Name) != nil {
			out = append(out, m)
		}
	}
	return out
}

// Setup runs once the datasources are open and migrated: it builds the throttle limiter and the
// mailer and templates, warns of a weak saltWorkFactor, and returns the operation hooks of
// user models, for the application to register on "User" (see OperationHooks).
func (s *Service) Setup() ([]OperationHook, error) {
	s.setupThrottle()
	if err := s.setupMail(); err != nil {
		return nil, err
	}
	for _, m := range s.attachedUserModels() {
		if f := SettingsOf(m).SaltWorkFactor; f < MinSaltWorkFactor {
			s.log.Warn("saltWorkFactor is below the ASVS floor of 10: passwords are hashed weakly", "model", m.Name, "saltWorkFactor", f)
		}
	}
	u := s.anyUsers()
	if u == nil {
		return nil, nil
	}
	return u.OperationHooks(), nil
}

// Finish runs after the boot functions, which may change user settings: it refuses a too short
// mfaSecretKey and makes the dummy bcrypt hash of every user model's cost, so the first login
// of an unknown account is not slower than the others.
func (s *Service) Finish(ctx context.Context) error {
	for _, m := range s.attachedUserModels() {
		set := SettingsOf(m)
		if key := set.MFASecretKey; key != "" && len(key) < minMFAKeyLength {
			return fmt.Errorf("model %s: mfaSecretKey must be at least 16 characters (it encrypts the TOTP secrets); set a longer key", m.Name)
		}
		_ = DummyCompare(ctx, "", set.SaltWorkFactor)
	}
	return nil
}

// SetMailer replaces the mailer (the SMTP mailer of the config, or the development log mailer).
func (s *Service) SetMailer(m mail.Mailer) { s.mailer = m }

// CallContext carries the caller's token digest to operation hooks (token revocation keeps
// it): the rest.Options Context of the application.
func CallContext(ctx context.Context, c *rest.Call) context.Context {
	if c.Token != nil {
		return WithCurrentToken(ctx, c.Token.Digest)
	}
	return ctx
}

// RelaxResetScope lets any token call setPassword when a user model turns
// restrictResetPasswordTokenScope off (LoopBack's default); Loopgo restricts it by default.
func RelaxResetScope(m *schema.Model, methods []*rest.Method) {
	if !m.IsA("User") || SettingsOf(m).RestrictResetScope {
		return
	}
	for _, mt := range methods {
		if mt.Name == "setPassword" && mt.Static {
			mt.AccessScopes = nil
		}
	}
}
