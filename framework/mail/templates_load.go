package mail

import (
	"embed"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	texttemplate "text/template"
)

// defaultFS holds the built-in templates: NAME.subject.txt, NAME.txt and NAME.html.
//
//go:embed templates/*.txt templates/*.html
var defaultFS embed.FS

// File name suffixes of a template's three parts.
const (
	suffixSubject = ".subject.txt"
	suffixText    = ".txt"
	suffixHTML    = ".html"
)

// NewTemplates loads the templates, taking each file (verify.subject.txt, verify.txt,
// verify.html, reset.subject.txt, reset.txt, reset.html) from dir when it is there and from
// the built-in defaults otherwise. dir "" means defaults only. A missing dir is an error
// wrapping fs.ErrNotExist; a file that fails to parse is an error naming the file.
func NewTemplates(dir string) (*Templates, error) {
	if dir == "" {
		return NewTemplatesFS(nil)
	}
	info, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("mail: templates directory: %w", err)
	}
	if !info.IsDir() {
		return nil, fmt.Errorf("mail: templates directory %s is not a directory", dir)
	}
	return loadTemplates(os.DirFS(dir), dir)
}

// NewTemplatesFS is NewTemplates reading overrides from fsys (e.g. an embed.FS of the
// application's own templates, at its root); nil means defaults only.
func NewTemplatesFS(fsys fs.FS) (*Templates, error) {
	return loadTemplates(fsys, "")
}

// loadTemplates parses every known template, preferring files in override; label prefixes
// override file names in errors.
func loadTemplates(override fs.FS, label string) (*Templates, error) {
	t := &Templates{sets: make(map[string]templateSet, len(templateNames))}
	for _, name := range templateNames {
		set, err := loadSet(override, label, name)
		if err != nil {
			return nil, err
		}
		t.sets[name] = set
	}
	return t, nil
}

// sampleData is what loadSet test-runs every template with, so a template that only fails
// when executed (html/template's escaping checks, a misspelt field) fails at load time.
var sampleData = TemplateData{
	AppName: "Example",
	Link:    "https://example.com/confirm?token=abc",
	Email:   "user@example.com",
	TTL:     "15 minutes",
}

// loadSet parses and test-runs the three files of one template.
func loadSet(override fs.FS, label, name string) (templateSet, error) {
	set, err := parseSet(override, label, name)
	if err != nil {
		return set, err
	}
	if err := set.subject.Execute(io.Discard, sampleData); err != nil {
		return set, fmt.Errorf("mail: template %s: %w", set.subject.Name(), err)
	}
	if err := set.text.Execute(io.Discard, sampleData); err != nil {
		return set, fmt.Errorf("mail: template %s: %w", set.text.Name(), err)
	}
	if err := set.html.Execute(io.Discard, sampleData); err != nil {
		return set, fmt.Errorf("mail: template %s: %w", set.html.Name(), err)
	}
	return set, nil
}

// parseSet parses the three files of one template.
func parseSet(override fs.FS, label, name string) (templateSet, error) {
	var set templateSet
	src, file, err := readTemplate(override, label, name+suffixSubject)
	if err != nil {
		return set, err
	}
	if set.subject, err = texttemplate.New(file).Option("missingkey=error").Parse(src); err != nil {
		return set, fmt.Errorf("mail: template %s: %w", file, err)
	}
	if src, file, err = readTemplate(override, label, name+suffixText); err != nil {
		return set, err
	}
	if set.text, err = texttemplate.New(file).Option("missingkey=error").Parse(src); err != nil {
		return set, fmt.Errorf("mail: template %s: %w", file, err)
	}
	if src, file, err = readTemplate(override, label, name+suffixHTML); err != nil {
		return set, err
	}
	if set.html, err = htmltemplate.New(file).Option("missingkey=error").Parse(src); err != nil {
		return set, fmt.Errorf("mail: template %s: %w", file, err)
	}
	return set, nil
}

// readTemplate returns a file's text from override when it has the file, else the built-in
// default, with the name to show in errors.
func readTemplate(override fs.FS, label, file string) (string, string, error) {
	if override != nil {
		shown := file
		if label != "" {
			shown = filepath.Join(label, file)
		}
		data, err := fs.ReadFile(override, file)
		if err == nil {
			return string(data), shown, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return "", shown, fmt.Errorf("mail: template %s: %w", shown, err)
		}
	}
	data, err := defaultFS.ReadFile("templates/" + file)
	if err != nil {
		return "", file, fmt.Errorf("mail: built-in template %s: %w", file, err)
	}
	return string(data), "default " + file, nil
}
