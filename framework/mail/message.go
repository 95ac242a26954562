package mail

import (
	"fmt"
	netmail "net/mail"
	"strings"

	gomail "github.com/wneessen/go-mail"
)

// buildMsg turns msg into a go-mail message from the given sender: text/plain alone, or
// multipart/alternative with text/plain and text/html when HTML is set.
func buildMsg(from *netmail.Address, msg Message) (*gomail.Msg, error) {
	if strings.TrimSpace(msg.To) == "" {
		return nil, fmt.Errorf("mail: message has no recipient")
	}
	m := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	m.FromMailAddress(from)
	if err := m.To(msg.To); err != nil {
		return nil, fmt.Errorf("mail: recipient %q: %w", msg.To, err)
	}
	m.Subject(oneLine(msg.Subject))
	m.SetDate()
	m.SetMessageID()
	m.SetBodyString(gomail.TypeTextPlain, msg.Text)
	if msg.HTML != "" {
		m.AddAlternativeString(gomail.TypeTextHTML, msg.HTML)
	}
	return m, nil
}

// oneLine folds line breaks into spaces so a subject stays one header line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
