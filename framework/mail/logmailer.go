package mail

import (
	"context"
	"fmt"
	"log/slog"
)

// LogMarker starts every record the LogMailer writes, so no one mistakes it for delivery.
const LogMarker = "DEVELOPMENT MAILER: message not sent"

// LogMailer is a Mailer for DEVELOPMENT ONLY: it sends nothing and writes each message
// (recipient, subject, text body, which may hold a live verification or reset link) to the
// log at WARN level. Never use it in production: the log would hold those links.
type LogMailer struct {
	log *slog.Logger
}

var _ Mailer = (*LogMailer)(nil)

// NewLogMailer returns a development-only mailer writing to log (slog.Default() when nil).
func NewLogMailer(log *slog.Logger) *LogMailer {
	if log == nil {
		log = slog.Default()
	}
	return &LogMailer{log: log}
}

// Send logs msg as one WARN record marked LogMarker; the HTML body is not logged (it repeats
// the text). It fails only when ctx is already done.
func (l *LogMailer) Send(ctx context.Context, msg Message) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("mail: log mailer: %w", err)
	}
	l.log.WarnContext(ctx, LogMarker,
		slog.String("to", msg.To),
		slog.String("subject", msg.Subject),
		slog.String("text", msg.Text),
		slog.Bool("has_html", msg.HTML != ""),
	)
	return nil
}
