package framework

import (
	"fmt"
	"time"
)

// ChangeStreamsConfig configures change streams (GET|POST /api/<model>/change-stream,
// docs/change-streams.md); zero values take the defaults.
type ChangeStreamsConfig struct {
	// Enabled exposes createChangeStream on every persisted model; nil = true.
	Enabled *bool `yaml:"enabled"`
	// Heartbeat is how often an idle stream gets a comment line, so proxies keep it open and
	// dead clients are found; default 15s.
	Heartbeat time.Duration `yaml:"heartbeat"`
	// TokenCheck is how often a subscriber's access token is looked up again: a revoked or
	// expired token ends the stream (expiry also ends it at the moment it passes); default 15s.
	TokenCheck time.Duration `yaml:"tokenCheck"`
	// MaxSubscribers bounds open streams on one instance; default 1000 (more answer 503).
	MaxSubscribers int `yaml:"maxSubscribers"`
	// MaxSubscribersPerUser bounds the open streams of one user (anonymous callers: of one
	// address); default 10 (more answer 429).
	MaxSubscribersPerUser int `yaml:"maxSubscribersPerUser"`
	// Buffer is how many events may wait for one subscriber; one that falls further behind is
	// disconnected; default 256.
	Buffer int `yaml:"buffer"`
	// WriteTimeout bounds writing one event or heartbeat to a client; default 10s.
	WriteTimeout time.Duration `yaml:"writeTimeout"`
	// Transport carries changes between instances: "auto" (default: LISTEN/NOTIFY for
	// PostgreSQL datasources, in-process only for SQLite and MySQL), "local" (in-process only),
	// or "redis" (Redis pub/sub at RedisURL, for every datasource).
	Transport string `yaml:"transport"`
	// RedisURL is the Redis server of transport "redis", e.g. redis://127.0.0.1:6379/0.
	RedisURL string `yaml:"redisUrl"`
	// Channel overrides the NOTIFY or Redis channel name (default: derived from the database,
	// schema and datasource name, so apps sharing a server do not hear each other).
	Channel string `yaml:"channel"`
}

// enabled reports whether change streams are on.
func (c ChangeStreamsConfig) enabled() bool { return c.Enabled == nil || *c.Enabled }

// withDefaults returns the settings with every unset one at its default.
func (c ChangeStreamsConfig) withDefaults() ChangeStreamsConfig {
	c.Heartbeat = orDefault(c.Heartbeat, 15*time.Second)
	c.TokenCheck = orDefault(c.TokenCheck, 15*time.Second)
	c.WriteTimeout = orDefault(c.WriteTimeout, 10*time.Second)
	if c.MaxSubscribers <= 0 {
		c.MaxSubscribers = 1000
	}
	if c.MaxSubscribersPerUser <= 0 {
		c.MaxSubscribersPerUser = 10
	}
	if c.Buffer <= 0 {
		c.Buffer = 256
	}
	if c.Transport == "" {
		c.Transport = "auto"
	}
	return c
}

// check refuses unknown transports and a Redis transport without its URL.
func (c ChangeStreamsConfig) check() error {
	switch c.Transport {
	case "auto", "local":
	case "redis":
		if c.RedisURL == "" {
			return fmt.Errorf("changeStreams: transport redis needs redisUrl (e.g. redis://127.0.0.1:6379/0)")
		}
	default:
		return fmt.Errorf("changeStreams: unknown transport %q; write auto, local or redis", c.Transport)
	}
	return nil
}
