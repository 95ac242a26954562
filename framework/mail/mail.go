// Package mail sends Loopgo's e-mail (verification and password-reset links): the Mailer
// interface, an SMTP mailer, a development mailer that logs, and overridable templates.
package mail

import "context"

// Message is one e-mail to send.
type Message struct {
	To      string
	Subject string
	Text    string // plain-text body
	HTML    string // HTML body; "" = text only
}

// Mailer sends messages.
type Mailer interface {
	Send(ctx context.Context, msg Message) error
}
