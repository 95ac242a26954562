package mailtest

import (
	"errors"
	"fmt"
	"io"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// backend opens a session per SMTP connection.
type backend struct {
	srv *Server
}

// NewSession returns a session that requires AUTH PLAIN when the server was started WithAuth.
func (b backend) NewSession(c *smtp.Conn) (smtp.Session, error) {
	sess := &session{srv: b.srv, conn: c}
	if b.srv.cfg.user == "" {
		return sess, nil
	}
	sess.needAuth = true
	return &authSession{session: sess}, nil
}

// session collects one envelope at a time and stores each message on DATA.
type session struct {
	srv      *Server
	conn     *smtp.Conn
	needAuth bool
	authUser string
	from     string
	to       []string
}

// Mail starts an envelope.
func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	if s.needAuth && s.authUser == "" {
		return smtp.ErrAuthRequired
	}
	s.from = from
	return nil
}

// Rcpt adds a recipient.
func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if s.needAuth && s.authUser == "" {
		return smtp.ErrAuthRequired
	}
	s.to = append(s.to, to)
	return nil
}

// Data reads the message and stores it with its envelope.
func (s *session) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return fmt.Errorf("mailtest: read DATA: %w", err)
	}
	_, isTLS := s.conn.TLSConnectionState()
	rec := Received{
		From:     s.from,
		To:       append([]string(nil), s.to...),
		Data:     data,
		TLS:      isTLS,
		AuthUser: s.authUser,
	}
	rec.parse()
	s.srv.add(rec)
	return nil
}

// Reset drops the current envelope.
func (s *session) Reset() {
	s.from, s.to = "", nil
}

// Logout ends the session.
func (s *session) Logout() error {
	return nil
}

// authSession adds AUTH PLAIN to session.
type authSession struct {
	*session
}

// errBadCredentials is answered to AUTH with a wrong user name or password.
var errBadCredentials = errors.New("invalid user name or password")

// AuthMechanisms offers PLAIN only.
func (s *authSession) AuthMechanisms() []string {
	return []string{sasl.Plain}
}

// Auth checks PLAIN credentials against WithAuth's.
func (s *authSession) Auth(mech string) (sasl.Server, error) {
	if mech != sasl.Plain {
		return nil, smtp.ErrAuthUnknownMechanism
	}
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != s.srv.cfg.user || pass != s.srv.cfg.pass {
			return errBadCredentials
		}
		s.authUser = user
		return nil
	}), nil
}
