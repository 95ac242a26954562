package mail

import (
	"bytes"
	"fmt"
	htmltemplate "html/template"
	"slices"
	texttemplate "text/template"
)

// Names of the built-in templates.
const (
	// TemplateVerify is the email-verification message.
	TemplateVerify = "verify"
	// TemplateReset is the password-reset message.
	TemplateReset = "reset"
	// TemplateChanged tells a user that a credential of its account changed (password, email).
	TemplateChanged = "changed"
)

// templateNames lists the templates every Templates holds.
var templateNames = []string{TemplateVerify, TemplateReset, TemplateChanged}

// TemplateData is what the built-in templates expect; custom templates may use any data.
type TemplateData struct {
	AppName string // application name shown to the user
	Link    string // absolute URL the user clicks (verification or reset)
	Email   string // the recipient's address
	TTL     string // how long the link works, human text such as "15 minutes"; "" omits the line
	Change  string // for "changed": what changed, e.g. "Your password was changed."
}

// Rendered is a rendered template: the parts of a Message except the recipient.
type Rendered struct {
	Subject string // one line
	Text    string // plain-text body
	HTML    string // HTML body
}

// Message addresses the rendered parts to to.
func (r Rendered) Message(to string) Message {
	return Message{To: to, Subject: r.Subject, Text: r.Text, HTML: r.HTML}
}

// Templates holds parsed mail templates; it is immutable and safe for concurrent use.
type Templates struct {
	sets map[string]templateSet
}

// templateSet is one named message: subject and text use text/template, HTML uses
// html/template so values are escaped for their context (an href gets URL escaping).
type templateSet struct {
	subject *texttemplate.Template
	text    *texttemplate.Template
	html    *htmltemplate.Template
}

// Render executes the named template ("verify", "reset") with data. The subject is folded
// onto one line.
func (t *Templates) Render(name string, data any) (Rendered, error) {
	set, ok := t.sets[name]
	if !ok {
		return Rendered{}, fmt.Errorf("mail: unknown template %q (have %v)", name, t.Names())
	}
	var subject, text, html bytes.Buffer
	if err := set.subject.Execute(&subject, data); err != nil {
		return Rendered{}, fmt.Errorf("mail: render %s: %w", set.subject.Name(), err)
	}
	if err := set.text.Execute(&text, data); err != nil {
		return Rendered{}, fmt.Errorf("mail: render %s: %w", set.text.Name(), err)
	}
	if err := set.html.Execute(&html, data); err != nil {
		return Rendered{}, fmt.Errorf("mail: render %s: %w", set.html.Name(), err)
	}
	return Rendered{Subject: oneLine(subject.String()), Text: text.String(), HTML: html.String()}, nil
}

// Names lists the template names, sorted.
func (t *Templates) Names() []string {
	names := make([]string, 0, len(t.sets))
	for name := range t.sets {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}
