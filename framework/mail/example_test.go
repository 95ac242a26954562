package mail_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/loopgo/loopgo/framework/mail"
)

func ExampleTemplates_Render() {
	tpl, err := mail.NewTemplates("") // "" = built-in templates only
	if err != nil {
		fmt.Println(err)
		return
	}
	r, err := tpl.Render(mail.TemplateReset, mail.TemplateData{
		AppName: "Notes",
		Link:    "https://notes.example/reset?token=abc",
		Email:   "ann@example.com",
		TTL:     mail.FormatTTL(15 * time.Minute),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(r.Subject)
	// Output: Reset your Notes password
}

func ExampleNewLogMailer() {
	noTime := func(_ []string, a slog.Attr) slog.Attr {
		if a.Key == slog.TimeKey {
			return slog.Attr{}
		}
		return a
	}
	log := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{ReplaceAttr: noTime}))
	m := mail.NewLogMailer(log) // development only: nothing is delivered
	_ = m.Send(context.Background(), mail.Message{To: "ann@example.com", Subject: "Hi", Text: "Hello"})
	// Output: level=WARN msg="DEVELOPMENT MAILER: message not sent" to=ann@example.com subject=Hi text=Hello has_html=false
}

func ExampleNewSMTP() {
	m, err := mail.NewSMTP(mail.SMTPConfig{
		URL:  "smtps://apikey:s3cret@smtp.example.com",
		From: "Notes <no-reply@notes.example>",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(m) // the password is masked
	// Output: smtp mailer smtps://apikey:xxxxx@smtp.example.com (tls implicit)
}
