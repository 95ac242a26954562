package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	netmail "net/mail"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// DefaultSMTPTimeout is the network timeout used when SMTPConfig.Timeout is zero.
const DefaultSMTPTimeout = 15 * time.Second

// SMTPConfig configures an SMTP mailer.
type SMTPConfig struct {
	// URL names the server and how to reach it:
	//   smtp://user:pass@host:587           STARTTLS when the server offers it (opportunistic)
	//   smtp://user:pass@host:587?tls=mandatory  STARTTLS required
	//   smtps://user:pass@host:465          implicit TLS
	//   smtp+insecure://host:25             no TLS (tests, trusted local relays); same as ?tls=none
	// Default ports: smtp 587, smtps 465, smtp+insecure 25. Credentials are optional;
	// reserved characters in them must be percent-encoded.
	URL string
	// From is the sender, e.g. "Acme <no-reply@acme.test>"; it is both the From header and
	// the envelope sender.
	From string
	// Timeout bounds connecting and each step of the SMTP exchange; 0 means DefaultSMTPTimeout.
	Timeout time.Duration
	// TLSConfig optionally replaces the TLS settings (e.g. RootCAs for a private CA); its
	// ServerName defaults to the URL's host. Nil uses the system roots.
	TLSConfig *tls.Config
}

// SMTP delivers messages to an SMTP server; it is safe for concurrent use and opens one
// connection per Send.
type SMTP struct {
	ep      endpoint
	from    *netmail.Address
	timeout time.Duration
	tlsConf *tls.Config
}

var _ Mailer = (*SMTP)(nil)

// NewSMTP validates cfg and returns a mailer; it does not connect. Errors wrap
// ErrInvalidConfig and never contain the password.
func NewSMTP(cfg SMTPConfig) (*SMTP, error) {
	ep, err := parseSMTPURL(cfg.URL)
	if err != nil {
		return nil, err
	}
	if cfg.From == "" {
		return nil, fmt.Errorf("%w: From is empty", ErrInvalidConfig)
	}
	from, err := netmail.ParseAddress(cfg.From)
	if err != nil {
		return nil, fmt.Errorf("%w: From %q: %w", ErrInvalidConfig, cfg.From, err)
	}
	if cfg.Timeout < 0 {
		return nil, fmt.Errorf("%w: Timeout %s is negative", ErrInvalidConfig, cfg.Timeout)
	}
	timeout := cfg.Timeout
	if timeout == 0 {
		timeout = DefaultSMTPTimeout
	}
	return &SMTP{ep: ep, from: from, timeout: timeout, tlsConf: clientTLSConfig(cfg.TLSConfig, ep.host)}, nil
}

// clientTLSConfig clones base (or starts empty), fills in ServerName and a TLS 1.2 floor.
func clientTLSConfig(base *tls.Config, host string) *tls.Config {
	conf := &tls.Config{}
	if base != nil {
		conf = base.Clone()
	}
	if conf.ServerName == "" {
		conf.ServerName = host
	}
	if conf.MinVersion < tls.VersionTLS12 {
		conf.MinVersion = tls.VersionTLS12
	}
	return conf
}

// String describes the mailer with the password masked, for logs.
func (s *SMTP) String() string {
	return fmt.Sprintf("smtp mailer %s (tls %s)", s.ep.redacted, s.ep.mode)
}

// Send builds msg (text, or text and HTML alternatives) and delivers it. Cancelling ctx
// aborts the exchange at once by closing the connection.
func (s *SMTP) Send(ctx context.Context, msg Message) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("mail: send via %s: %w", s.ep.addr(), err)
	}
	m, err := buildMsg(s.from, msg)
	if err != nil {
		return err
	}
	dialer := &ctxDialer{ctx: ctx, addr: s.ep.addr(), tlsConf: s.dialTLSConfig()}
	defer dialer.release()
	client, err := gomail.NewClient(s.ep.host, s.clientOptions(dialer)...)
	if err != nil {
		return fmt.Errorf("mail: configure client for %s: %w", s.ep.addr(), err)
	}
	err = client.DialAndSendWithContext(ctx, m)
	if ctxErr := ctx.Err(); ctxErr != nil {
		return fmt.Errorf("mail: send via %s: %w", s.ep.addr(), errors.Join(ctxErr, err))
	}
	if err != nil {
		return fmt.Errorf("mail: send via %s: %w", s.ep.addr(), err)
	}
	return nil
}

// dialTLSConfig is the config for implicit TLS, nil when the connection starts in plain text.
func (s *SMTP) dialTLSConfig() *tls.Config {
	if s.ep.mode == tlsImplicit {
		return s.tlsConf
	}
	return nil
}

// clientOptions maps the endpoint onto go-mail options for one Send.
func (s *SMTP) clientOptions(d *ctxDialer) []gomail.Option {
	opts := []gomail.Option{
		gomail.WithPort(s.ep.port),
		gomail.WithTimeout(s.timeout),
		gomail.WithTLSConfig(s.tlsConf),
		gomail.WithDialContextFunc(d.dial),
	}
	switch s.ep.mode {
	case tlsMandatory:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	case tlsOpportunistic:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	default: // implicit TLS is done by the dialer; none never encrypts
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	}
	if s.ep.user != "" {
		opts = append(opts,
			gomail.WithUsername(s.ep.user),
			gomail.WithPassword(s.ep.pass),
			gomail.WithOpportunisticSMTPAuth(authPreference(s.ep.mode)...),
		)
	}
	return opts
}

// authPreference lists SASL mechanisms best first. PLAIN and LOGIN refuse to run on an
// unencrypted connection (except to localhost) unless the URL asked for no TLS, so an
// opportunistic STARTTLS that was not offered never leaks the password.
func authPreference(mode tlsMode) []gomail.SMTPAuthType {
	prefs := []gomail.SMTPAuthType{
		gomail.SMTPAuthSCRAMSHA256, gomail.SMTPAuthSCRAMSHA1, gomail.SMTPAuthCramMD5,
	}
	if mode == tlsNone {
		return append(prefs, gomail.SMTPAuthPlainNoEnc, gomail.SMTPAuthLoginNoEnc)
	}
	return append(prefs, gomail.SMTPAuthPlain, gomail.SMTPAuthLogin)
}
