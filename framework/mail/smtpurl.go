package mail

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
)

// ErrInvalidConfig is wrapped by every error NewSMTP returns for a bad SMTPConfig.
var ErrInvalidConfig = errors.New("mail: invalid SMTP configuration")

// tlsMode says how the SMTP connection is protected.
type tlsMode int

const (
	// tlsOpportunistic upgrades with STARTTLS when the server offers it.
	tlsOpportunistic tlsMode = iota
	// tlsMandatory requires STARTTLS and fails when the server does not offer it.
	tlsMandatory
	// tlsImplicit speaks TLS from the first byte (smtps, usually port 465).
	tlsImplicit
	// tlsNone never encrypts: for tests and trusted local relays only.
	tlsNone
)

// String names the mode as the tls= query parameter does.
func (m tlsMode) String() string {
	switch m {
	case tlsOpportunistic:
		return "opportunistic"
	case tlsMandatory:
		return "mandatory"
	case tlsImplicit:
		return "implicit"
	default:
		return "none"
	}
}

// Default ports per URL scheme.
const (
	portSubmission = 587 // smtp:// (STARTTLS)
	portImplicit   = 465 // smtps://
	portPlain      = 25  // smtp+insecure://
)

// endpoint is a parsed SMTP URL.
type endpoint struct {
	host     string // host name or IP, without brackets
	port     int
	mode     tlsMode
	user     string
	pass     string
	redacted string // the URL with the password masked, safe to log
}

// addr is host:port, bracketing IPv6 literals.
func (e endpoint) addr() string {
	return net.JoinHostPort(e.host, strconv.Itoa(e.port))
}

// urlError builds an ErrInvalidConfig error; the message never contains the password.
func urlError(format string, args ...any) error {
	return fmt.Errorf("%w: SMTP URL: %s", ErrInvalidConfig, fmt.Sprintf(format, args...))
}

// parseSMTPURL parses smtp://, smtps:// and smtp+insecure:// URLs. Query parameter tls=
// (opportunistic, mandatory, none) is accepted on smtp:// only.
func parseSMTPURL(raw string) (endpoint, error) {
	if strings.TrimSpace(raw) == "" {
		return endpoint{}, urlError("empty")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return endpoint{}, urlError("cannot be parsed: %s", parseReason(err))
	}
	ep := endpoint{redacted: u.Redacted()}
	defaultPort, err := applyScheme(&ep, u)
	if err != nil {
		return endpoint{}, err
	}
	if err := applyHostPort(&ep, u, defaultPort); err != nil {
		return endpoint{}, err
	}
	if err := applyUserinfo(&ep, u); err != nil {
		return endpoint{}, err
	}
	if u.Path != "" && u.Path != "/" {
		return endpoint{}, urlError("unexpected path (want scheme://host:port)" + encodeHint)
	}
	if u.Fragment != "" {
		return endpoint{}, urlError("unexpected fragment" + encodeHint)
	}
	if err := applyQuery(&ep, u); err != nil {
		return endpoint{}, err
	}
	return ep, nil
}

// parseReason describes a url.Parse failure without echoing any part of the URL: an
// unencoded "/", "?", "#" or "@" in a password shifts its characters into the host, port
// or path, so nothing url.Parse quotes is safe to repeat.
func parseReason(err error) string {
	var escErr url.EscapeError
	var hostErr url.InvalidHostError
	var urlErr *url.Error
	switch {
	case errors.As(err, &escErr):
		return "invalid percent-escape"
	case errors.As(err, &hostErr):
		return "invalid character in host"
	case errors.As(err, &urlErr) && strings.HasPrefix(urlErr.Err.Error(), "invalid port"):
		return "invalid port after host" + encodeHint
	case errors.As(err, &urlErr) && !strings.ContainsAny(urlErr.Err.Error(), "\"'`"):
		return urlErr.Err.Error()
	default:
		return "malformed" + encodeHint
	}
}

// encodeHint reminds that reserved characters in credentials must be percent-encoded.
const encodeHint = " (percent-encode / ? # @ : in the user name and password)"

// applyScheme sets the TLS mode from the scheme and returns the scheme's default port.
func applyScheme(ep *endpoint, u *url.URL) (int, error) {
	if u.Opaque != "" {
		return 0, urlError("must look like smtp://host:port")
	}
	switch u.Scheme {
	case "smtp":
		ep.mode = tlsOpportunistic
		return portSubmission, nil
	case "smtps":
		ep.mode = tlsImplicit
		return portImplicit, nil
	case "smtp+insecure":
		ep.mode = tlsNone
		return portPlain, nil
	case "":
		return 0, urlError("missing scheme (want smtp://, smtps:// or smtp+insecure://)")
	default:
		return 0, urlError("unsupported scheme %q (want smtp, smtps or smtp+insecure)", u.Scheme)
	}
}

// applyHostPort validates and sets host and port.
func applyHostPort(ep *endpoint, u *url.URL, defaultPort int) error {
	ep.host = u.Hostname()
	if ep.host == "" {
		return urlError("missing host")
	}
	ep.port = defaultPort
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return urlError("port out of range 1-65535")
		}
		ep.port = n
	} else if strings.HasSuffix(u.Host, ":") {
		return urlError("empty port after host")
	}
	return nil
}

// applyUserinfo sets the credentials; a user name needs a password and vice versa.
func applyUserinfo(ep *endpoint, u *url.URL) error {
	if u.User == nil {
		return nil
	}
	ep.user = u.User.Username()
	pass, hasPass := u.User.Password()
	switch {
	case ep.user == "" && hasPass:
		return urlError("password given without a user name")
	case ep.user != "" && (!hasPass || pass == ""):
		return urlError("user name given without a password")
	case ep.user == "":
		return urlError("empty user info before @")
	}
	ep.pass = pass
	return nil
}

// applyQuery reads the tls= parameter and rejects any other parameter.
func applyQuery(ep *endpoint, u *url.URL) error {
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return urlError("malformed query")
	}
	for key, vals := range q {
		if key != "tls" {
			return urlError("unknown query parameter (only tls is supported)" + encodeHint)
		}
		if len(vals) != 1 {
			return urlError("tls given %d times", len(vals))
		}
	}
	val, ok := q["tls"]
	if !ok {
		return nil
	}
	if u.Scheme != "smtp" {
		return urlError("tls= is only allowed with smtp:// (the %s scheme fixes the mode)", u.Scheme)
	}
	switch strings.ToLower(val[0]) {
	case "opportunistic":
		ep.mode = tlsOpportunistic
	case "mandatory", "starttls":
		ep.mode = tlsMandatory
	case "none":
		ep.mode = tlsNone
	default:
		return urlError("unknown tls value (want opportunistic, mandatory or none)")
	}
	return nil
}
