package framework

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Config is the application configuration (LoopBack's config.json + datasources.json).
type Config struct {
	Host               string                `yaml:"host"`
	Port               int                   `yaml:"port"`
	RestAPIRoot        string                `yaml:"restApiRoot"`
	Datasources        map[string]Datasource `yaml:"datasources"`
	DefaultDatasource  string                `yaml:"defaultDatasource"` // which one DATABASE_URL overrides; default "db"
	BodyLimit          int64                 `yaml:"bodyLimit"`         // bytes; default 100 kB
	AclErrorStatus     int                   `yaml:"aclErrorStatus"`    // 0 = 401 (LoopBack), or 403 / 404
	CurrentUserLiteral string                `yaml:"currentUserLiteral"`
	CookieSecret       string                `yaml:"cookieSecret"` // read signed token cookies; "" = off
	CORS               CORS                  `yaml:"cors"`
	PublicURL          string                `yaml:"publicUrl"`  // base of links in mail; default http://localhost:<port>
	TrustProxy         bool                  `yaml:"trustProxy"` // take the client address from X-Forwarded-For (behind a reverse proxy on a private network)
	// CaseSensitivePaths matches routes outside the REST root (boot routes) exactly as written;
	// by default they match in any case, as Express's router does (the REST API always does).
	CaseSensitivePaths bool       `yaml:"caseSensitivePaths"`
	Mail               MailConfig `yaml:"mail"`
	// TokenCacheSeconds caches resolved access tokens in memory (revocations through this
	// instance clear it at once; other instances see them within this time); nil = 1 s, 0 = off.
	TokenCacheSeconds *float64 `yaml:"tokenCacheSeconds"`
	Remoting          Remoting `yaml:"remoting"`
	Timeouts          Timeouts `yaml:"timeouts"`
	// HealthPath answers 200 when every datasource answers, 503 otherwise or while shutting
	// down (for load balancers); default /health, "off" for none.
	HealthPath string `yaml:"healthPath"`
	// RequestLog is the level of the one line logged per request: info (default), debug (seen
	// only with a debug logger) or off.
	RequestLog string       `yaml:"requestLog"`
	Logger     *slog.Logger `yaml:"-"`

	ChangeStreams ChangeStreamsConfig `yaml:"changeStreams"` // changestream_config.go

	// OpenAPI configures the API document ({restApiRoot}/openapi.json) and the explorer.
	OpenAPI OpenAPIConfig `yaml:"openapi"`
}

// Timeouts bound how long clients, start-up and shutdown may take; YAML durations such as
// "30s" or "2m", zero or absent for the default.
type Timeouts struct {
	ReadHeader time.Duration `yaml:"readHeader"` // a request's headers; default 10s
	Read       time.Duration `yaml:"read"`       // a whole request, body included; default 30s
	Write      time.Duration `yaml:"write"`      // from the end of the headers to the end of the answer; default 60s
	Idle       time.Duration `yaml:"idle"`       // a kept-alive connection between requests; default 120s
	Startup    time.Duration `yaml:"startup"`    // connecting to each datasource and its first queries; default 10s
	Shutdown   time.Duration `yaml:"shutdown"`   // grace for in-flight requests after SIGTERM; default 15s
}

// requestLogLevel is the level of request lines; ok is false when they are off.
func (c Config) requestLogLevel() (level slog.Level, ok bool, err error) {
	switch strings.ToLower(c.RequestLog) {
	case "", "info":
		return slog.LevelInfo, true, nil
	case "debug":
		return slog.LevelDebug, true, nil
	case "off":
		return 0, false, nil
	}
	return 0, false, fmt.Errorf("config: requestLog %q: want info, debug or off", c.RequestLog)
}

// orDefault returns d, or def when d is not positive.
func orDefault(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

// withDefaults returns the timeouts with every unset one at its default.
func (t Timeouts) withDefaults() Timeouts {
	return Timeouts{
		ReadHeader: orDefault(t.ReadHeader, 10*time.Second),
		Read:       orDefault(t.Read, 30*time.Second),
		Write:      orDefault(t.Write, 60*time.Second),
		Idle:       orDefault(t.Idle, 120*time.Second),
		Startup:    orDefault(t.Startup, 10*time.Second),
		Shutdown:   orDefault(t.Shutdown, 15*time.Second),
	}
}

// Datasource is one database connection, by URL: sqlite:PATH, postgres://..., mysql://...
type Datasource struct {
	URL          string `yaml:"url"`
	MaxOpenConns int    `yaml:"maxOpenConns"` // the pool's bound per instance; 0 = 10 for a SQLite file, none for servers
}

// redactURL is a datasource URL fit for logs and errors: the password replaced by "xxxxx".
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		if err != nil && strings.Contains(raw, "@") {
			return "(unparsable URL)"
		}
		return raw
	}
	return u.Redacted()
}

// CORS allows cross-origin requests from a list of origins; off when the list is empty.
type CORS struct {
	AllowOrigins     []string `yaml:"allowOrigins"`
	AllowCredentials bool     `yaml:"allowCredentials"`
}

// MailConfig configures the mail of the account lifecycle (verification and reset links).
type MailConfig struct {
	SMTPURL       string   `yaml:"smtpUrl"`       // smtp://, smtps://, smtp+insecure://; "" = development log mailer (SMTP_URL overrides)
	From          string   `yaml:"from"`          // sender address (MAIL_FROM overrides)
	AppName       string   `yaml:"appName"`       // named in the messages
	TemplatesDir  string   `yaml:"templatesDir"`  // overrides of verify.* and reset.* templates
	ResetURL      string   `yaml:"resetUrl"`      // the page that receives #access_token=...; default <publicUrl>/reset-password
	RedirectAllow []string `yaml:"redirectAllow"` // URL prefixes confirm may redirect to, besides publicUrl
}

// Remoting holds REST exposure settings.
type Remoting struct {
	SharedMethods map[string]bool `yaml:"sharedMethods"`
}

var envRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)(:-([^}]*))?\}`)

// ParseConfig reads YAML configuration, replacing ${VAR} and ${VAR:-default} from the environment,
// then applies the PORT, HOST and DATABASE_URL environment overrides.
func ParseConfig(src []byte) (Config, error) {
	var missing []string
	lines := strings.Split(string(src), "\n")
	for i, line := range lines {
		if strings.HasPrefix(strings.TrimSpace(line), "#") {
			lines[i] = "" // ${VAR} in a comment is not a reference
		}
	}
	expanded := envRef.ReplaceAllStringFunc(strings.Join(lines, "\n"), func(ref string) string {
		m := envRef.FindStringSubmatch(ref)
		if v, ok := os.LookupEnv(m[1]); ok && v != "" {
			return v
		}
		if m[2] != "" {
			return m[3]
		}
		missing = append(missing, m[1])
		return ""
	})
	if len(missing) > 0 {
		return Config{}, fmt.Errorf("config: environment variable(s) %s not set; set them or write ${NAME:-default}", strings.Join(missing, ", "))
	}
	var cfg Config
	dec := yaml.NewDecoder(strings.NewReader(expanded))
	dec.KnownFields(true) // a misspelt key is an error, not a silently ignored setting
	if err := dec.Decode(&cfg); err != nil && !errors.Is(err, io.EOF) {
		return Config{}, fmt.Errorf("config: %w", err)
	}
	if err := cfg.applyEnv(); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

// applyEnv applies PORT, HOST and DATABASE_URL.
func (c *Config) applyEnv() error {
	if v := os.Getenv("PORT"); v != "" {
		p, err := strconv.Atoi(v)
		if err != nil || p < 0 || p > 65535 {
			return fmt.Errorf("config: PORT=%q is not a port number", v)
		}
		c.Port = p
	}
	if v := os.Getenv("HOST"); v != "" {
		c.Host = v
	}
	if v := os.Getenv("SMTP_URL"); v != "" {
		c.Mail.SMTPURL = v
	}
	if v := os.Getenv("MAIL_FROM"); v != "" {
		c.Mail.From = v
	}
	if v := os.Getenv("PUBLIC_URL"); v != "" {
		c.PublicURL = v
	}
	if v := os.Getenv("DATABASE_URL"); v != "" {
		if c.Datasources == nil {
			c.Datasources = map[string]Datasource{}
		}
		ds := c.Datasources[c.defaultDS()]
		ds.URL = v
		c.Datasources[c.defaultDS()] = ds
	}
	return nil
}

func (c *Config) defaultDS() string {
	if c.DefaultDatasource != "" {
		return c.DefaultDatasource
	}
	return "db"
}

// withDefaults fills unset values: port 3000, restApiRoot /api, datasource db on data/app.db.
func (c Config) withDefaults() Config {
	if c.Port == 0 {
		c.Port = 3000
	}
	if c.RestAPIRoot == "" {
		c.RestAPIRoot = "/api"
	}
	if c.Datasources == nil {
		c.Datasources = map[string]Datasource{}
	}
	if _, ok := c.Datasources[c.defaultDS()]; !ok {
		c.Datasources[c.defaultDS()] = Datasource{URL: "sqlite:data/app.db"}
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.PublicURL == "" {
		c.PublicURL = fmt.Sprintf("http://localhost:%d", c.Port)
	}
	c.PublicURL = strings.TrimRight(c.PublicURL, "/")
	if c.Mail.ResetURL == "" {
		c.Mail.ResetURL = c.PublicURL + "/reset-password"
	}
	if c.Mail.From == "" {
		c.Mail.From = "noreply@localhost"
	}
	if c.Mail.AppName == "" {
		c.Mail.AppName = "Loopgo"
	}
	if c.TokenCacheSeconds == nil {
		one := 1.0
		c.TokenCacheSeconds = &one
	}
	return c
}

// ModelConfig attaches one model to a datasource (LoopBack's model-config.json entry); it may
// also add relations and ACLs to the model (e.g. to the built-in User).
type ModelConfig struct {
	DataSource string         `yaml:"dataSource"`
	Public     *bool          `yaml:"public"`
	Options    map[string]any `yaml:"-"` // settings, as in a model file's options
	OptionsDef yaml.Node      `yaml:"options"`
	Relations  yaml.Node      `yaml:"relations"`
	ACLs       yaml.Node      `yaml:"acls"`
	file       string
}

// IsPublic reports whether the model is exposed over REST (default true).
func (m ModelConfig) IsPublic() bool { return m.Public == nil || *m.Public }

func parseModelConfig(file string, src []byte) (map[string]ModelConfig, error) {
	var node yaml.Node
	if err := yaml.Unmarshal(src, &node); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	out := map[string]ModelConfig{}
	if len(node.Content) == 0 {
		return out, nil
	}
	root := node.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s:%d: model-config must map model names to {dataSource, public}", file, root.Line)
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		if k.Value == "_meta" {
			continue
		}
		var mc ModelConfig
		if err := v.Decode(&mc); err != nil {
			return nil, fmt.Errorf("%s:%d: model %s: %w; write {dataSource: db, public: true}", file, v.Line, k.Value, err)
		}
		for j := 0; j+1 < len(v.Content); j += 2 {
			switch v.Content[j].Value {
			case "dataSource", "public", "options", "relations", "acls":
			default:
				return nil, fmt.Errorf("%s:%d: model %s: unknown key %q; write dataSource, public, options, relations or acls", file, v.Content[j].Line, k.Value, v.Content[j].Value)
			}
		}
		if mc.OptionsDef.Kind != 0 {
			if err := mc.OptionsDef.Decode(&mc.Options); err != nil {
				return nil, fmt.Errorf("%s:%d: model %s: options: %w; write options as a mapping, e.g. options: {strict: false}", file, mc.OptionsDef.Line, k.Value, err)
			}
		}
		mc.file = file
		out[k.Value] = mc
	}
	return out, nil
}

// bodyLimit is the request body limit in bytes (BodyLimit, default 100 kB as LoopBack's).
func (c Config) bodyLimit() int64 {
	if c.BodyLimit > 0 {
		return c.BodyLimit
	}
	return 100 * 1024
}
