package mail

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

// defaultTemplates loads the built-in templates, failing the test on error.
func defaultTemplates(t *testing.T) *Templates {
	t.Helper()
	tpl, err := NewTemplates("")
	if err != nil {
		t.Fatalf("NewTemplates: %v", err)
	}
	return tpl
}

func TestTemplatesDefaults(t *testing.T) {
	data := TemplateData{AppName: "Notes", Link: "https://notes.test/reset?token=a&b=c", Email: "ann@example.test", TTL: "15 minutes"}
	tests := []struct {
		name        string
		wantSubject string
		wantText    []string
		wantHTML    []string
	}{
		{
			name:        TemplateVerify,
			wantSubject: "Confirm your email address for Notes",
			wantText:    []string{"ann@example.test", "Notes", "\nhttps://notes.test/reset?token=a&b=c\n", "expires in 15 minutes"},
			wantHTML:    []string{`<a href="https://notes.test/reset?token=a&amp;b=c"`, "<strong>ann@example.test</strong>", "expires in 15 minutes", "Confirm email address</a>"},
		},
		{
			name:        TemplateReset,
			wantSubject: "Reset your Notes password",
			wantText:    []string{"ann@example.test", "\nhttps://notes.test/reset?token=a&b=c\n", "expires in 15 minutes", "your password stays as it is"},
			wantHTML:    []string{`<a href="https://notes.test/reset?token=a&amp;b=c"`, "Choose a new password</a>", "expires in 15 minutes"},
		},
	}
	tpl := defaultTemplates(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := tpl.Render(tc.name, data)
			if err != nil {
				t.Fatalf("Render: %v", err)
			}
			if r.Subject != tc.wantSubject {
				t.Errorf("Subject = %q, want %q", r.Subject, tc.wantSubject)
			}
			for _, want := range tc.wantText {
				if !strings.Contains(r.Text, want) {
					t.Errorf("Text lacks %q:\n%s", want, r.Text)
				}
			}
			for _, want := range tc.wantHTML {
				if !strings.Contains(r.HTML, want) {
					t.Errorf("HTML lacks %q:\n%s", want, r.HTML)
				}
			}
			for _, banned := range []string{"<img", "http://", "<script"} {
				if strings.Contains(r.HTML, banned) {
					t.Errorf("HTML contains %q", banned)
				}
			}
			msg := r.Message("ann@example.test")
			if msg.To != "ann@example.test" || msg.Subject != r.Subject || msg.Text != r.Text || msg.HTML != r.HTML {
				t.Errorf("Message = %+v", msg)
			}
		})
	}
}

func TestTemplatesOmitEmptyTTL(t *testing.T) {
	r, err := defaultTemplates(t).Render(TemplateVerify, TemplateData{AppName: "Notes", Link: "https://x.test/v", Email: "a@x.test"})
	if err != nil {
		t.Fatalf("Render: %v", err)
	}
	if strings.Contains(r.Text, "expires") || strings.Contains(r.HTML, "expires") {
		t.Errorf("empty TTL still mentions expiry:\n%s\n%s", r.Text, r.HTML)
	}
	if strings.Contains(r.Text, "\n\n\n") {
		t.Errorf("text has a double blank line:\n%q", r.Text)
	}
}

func TestTemplatesEscapeHTML(t *testing.T) {
	tests := []struct {
		name     string
		data     TemplateData
		wantHTML string
		banned   string
	}{
		{"script in email", TemplateData{AppName: "A", Link: "https://x.test/", Email: "<script>alert(1)</script>@x.test"}, "&lt;script&gt;", "<script>alert"},
		{"javascript link", TemplateData{AppName: "A", Link: "javascript:alert(1)", Email: "a@x.test"}, `href="#ZgotmplZ"`, `href="javascript:`},
		{"quote in link", TemplateData{AppName: "A", Link: `https://x.test/"onclick="evil()`, Email: "a@x.test"}, "%22onclick=%22evil%28%29", `"onclick="`},
		{"markup in app name", TemplateData{AppName: "<b>A</b>", Link: "https://x.test/", Email: "a@x.test"}, "&lt;b&gt;A&lt;/b&gt;", "<b>A</b>"},
	}
	tpl := defaultTemplates(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := tpl.Render(TemplateVerify, tc.data)
			if err != nil {
				t.Fatalf("Render: %v", err)
			}
			if !strings.Contains(r.HTML, tc.wantHTML) {
				t.Errorf("HTML lacks %q:\n%s", tc.wantHTML, r.HTML)
			}
			if strings.Contains(r.HTML, tc.banned) {
				t.Errorf("HTML contains unescaped %q", tc.banned)
			}
		})
	}
}

func TestTemplatesRenderErrors(t *testing.T) {
	tpl := defaultTemplates(t)
	if _, err := tpl.Render("welcome", TemplateData{}); err == nil || !strings.Contains(err.Error(), `unknown template "welcome"`) {
		t.Errorf("unknown template error = %v", err)
	}
	if _, err := tpl.Render(TemplateVerify, map[string]string{"Link": "x"}); err == nil || !strings.Contains(err.Error(), "AppName") {
		t.Errorf("missing key error = %v, want it to name AppName", err)
	}
	if got := tpl.Names(); strings.Join(got, ",") != "changed,reset,verify" {
		t.Errorf("Names = %v", got)
	}
}

// writeFiles creates files (name -> content) in a fresh temporary directory.
func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestTemplatesOverrideFromDir(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"verify.subject.txt": "Welcome to {{.AppName}}!\n",
		"reset.html":         `<p><a href="{{.Link}}">Reset</a> for {{.Email}}</p>`,
		"unrelated.txt":      "{{ this is not parsed",
	})
	tpl, err := NewTemplates(dir)
	if err != nil {
		t.Fatalf("NewTemplates: %v", err)
	}
	data := TemplateData{AppName: "Notes", Link: "https://n.test/?a=1&b=2", Email: "a@n.test", TTL: "1 hour"}
	v, err := tpl.Render(TemplateVerify, data)
	if err != nil {
		t.Fatalf("Render verify: %v", err)
	}
	if v.Subject != "Welcome to Notes!" {
		t.Errorf("overridden subject = %q", v.Subject)
	}
	if !strings.Contains(v.Text, "Please confirm") || !strings.Contains(v.HTML, "Confirm email address") {
		t.Errorf("verify body did not fall back to the defaults")
	}
	r, err := tpl.Render(TemplateReset, data)
	if err != nil {
		t.Fatalf("Render reset: %v", err)
	}
	if r.HTML != `<p><a href="https://n.test/?a=1&amp;b=2">Reset</a> for a@n.test</p>` {
		t.Errorf("overridden HTML = %q", r.HTML)
	}
	if r.Subject != "Reset your Notes password" {
		t.Errorf("reset subject did not fall back: %q", r.Subject)
	}
}

func TestTemplatesOverrideFromFS(t *testing.T) {
	fsys := fstest.MapFS{"reset.txt": {Data: []byte("Reset: {{.Link}}")}}
	tpl, err := NewTemplatesFS(fsys)
	if err != nil {
		t.Fatalf("NewTemplatesFS: %v", err)
	}
	r, err := tpl.Render(TemplateReset, TemplateData{AppName: "N", Link: "https://n.test/r", Email: "a@n.test"})
	if err != nil {
		t.Fatalf("Render: %v", err)
	}
	if r.Text != "Reset: https://n.test/r" {
		t.Errorf("Text = %q", r.Text)
	}
}

func TestTemplatesLoadErrors(t *testing.T) {
	tests := []struct {
		name     string
		files    map[string]string
		wantFile string
		wantErr  string
	}{
		{"unclosed action in text", map[string]string{"verify.txt": "Hi {{.Link"}, "verify.txt", "unclosed action"},
		{"unclosed action in subject", map[string]string{"reset.subject.txt": "{{if .AppName}}x"}, "reset.subject.txt", "unexpected EOF"},
		{"bad HTML syntax", map[string]string{"reset.html": "<p>{{end}}</p>"}, "reset.html", "unexpected {{end}}"},
		{"HTML ends inside an attribute", map[string]string{"verify.html": `<a href="{{.Link}}`}, "verify.html", "ends in a non-text context"},
		{"misspelt field", map[string]string{"verify.txt": "{{.Lnik}}"}, "verify.txt", "Lnik"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeFiles(t, tc.files)
			_, err := NewTemplates(dir)
			if err == nil {
				t.Fatal("NewTemplates succeeded, want error")
			}
			if want := filepath.Join(dir, tc.wantFile); !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not name %s", err, want)
			}
			if !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("error %q does not contain %q", err, tc.wantErr)
			}
		})
	}
}

func TestTemplatesBadDir(t *testing.T) {
	_, err := NewTemplates(filepath.Join(t.TempDir(), "missing"))
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing dir error = %v, want fs.ErrNotExist", err)
	}
	dir := writeFiles(t, map[string]string{"file": "x"})
	_, err = NewTemplates(filepath.Join(dir, "file"))
	if err == nil || !strings.Contains(err.Error(), "is not a directory") {
		t.Errorf("file-as-dir error = %v", err)
	}
	if err := os.Mkdir(filepath.Join(dir, "verify.txt"), 0o700); err != nil {
		t.Fatal(err)
	}
	_, err = NewTemplates(dir)
	if err == nil || !strings.Contains(err.Error(), filepath.Join(dir, "verify.txt")) {
		t.Errorf("unreadable template error = %v, want it to name verify.txt", err)
	}
}
