package scaffold

import (
	"bytes"
	"errors"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const fixtureConfig = `# models and where they live
User:
  dataSource: db
  public: true
AccessToken: {dataSource: db, public: false}
Role:
  dataSource: db
  acls:
    - {principalType: ROLE, principalId: admin, permission: ALLOW}
Note:
  dataSource: db
  public: true
`

const fixtureNote = `# A note.
name: Note
plural: notes
properties:
  title: {type: string, required: true}   # the title
acls:
  - {principalType: ROLE, principalId: $everyone, permission: DENY}
  - principalType: ROLE
    principalId: $everyone
    permission: ALLOW
    accessType: READ

# remote methods
methods:
  publish:
    http: {verb: post, path: /publish}
`

// fixture writes a small project (no registrations list in models/) and returns its directory.
func fixture(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	base := map[string]string{"models/model-config.yaml": fixtureConfig, "models/note.yaml": fixtureNote,
		"models/models.go": "package models\n"}
	for k, v := range files {
		base[k] = v
	}
	for name, src := range base {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func read(t *testing.T, dir, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestAddACLInsertsOneLineAndKeepsTheRest(t *testing.T) {
	dir := fixture(t, nil)
	file, err := AddACL(dir, "Note", ACLOptions{PrincipalID: "$owner", Permission: "allow", Properties: []string{"patchAttributes,deleteById"}, AccessType: "write"})
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Base(file) != "note.yaml" {
		t.Fatalf("changed %s", file)
	}
	want := strings.Replace(fixtureNote, "    accessType: READ\n",
		"    accessType: READ\n  - {principalType: ROLE, principalId: $owner, permission: ALLOW, property: [patchAttributes, deleteById], accessType: WRITE}\n", 1)
	if got := read(t, dir, "models/note.yaml"); got != want {
		t.Fatalf("note.yaml:\n%s\nwant:\n%s", got, want)
	}
	// a principal that YAML would not read as plain text is quoted
	if _, err := AddACL(dir, "Note", ACLOptions{PrincipalType: "USER", PrincipalID: "7: x", Permission: "DENY"}); err != nil {
		t.Fatal(err)
	}
	if got := read(t, dir, "models/note.yaml"); !strings.Contains(got, `- {principalType: USER, principalId: "7: x", permission: DENY}`+"\n\n# remote methods") {
		t.Fatalf("quoted principal:\n%s", got)
	}
}

func TestAddACLToModelConfigEntries(t *testing.T) {
	dir := fixture(t, nil)
	// User has no file: its model-config.yaml entry gets an acls list
	if _, err := AddACL(dir, "User", ACLOptions{PrincipalID: "admin", Permission: "ALLOW"}); err != nil {
		t.Fatal(err)
	}
	// Role has an acls list already, indented by four
	if _, err := AddACL(dir, "Role", ACLOptions{PrincipalID: "$authenticated", Permission: "ALLOW", AccessType: "READ"}); err != nil {
		t.Fatal(err)
	}
	want := strings.Replace(fixtureConfig, "  public: true\nAccessToken",
		"  public: true\n  acls:\n    - {principalType: ROLE, principalId: admin, permission: ALLOW}\nAccessToken", 1)
	want = strings.Replace(want, "permission: ALLOW}\nNote:",
		"permission: ALLOW}\n    - {principalType: ROLE, principalId: $authenticated, permission: ALLOW, accessType: READ}\nNote:", 1)
	if got := read(t, dir, "models/model-config.yaml"); got != want {
		t.Fatalf("model-config.yaml:\n%s\nwant:\n%s", got, want)
	}
	// a flow entry cannot be edited in place
	before := read(t, dir, "models/model-config.yaml")
	_, err := AddACL(dir, "AccessToken", ACLOptions{PrincipalID: "admin", Permission: "ALLOW"})
	if err == nil || !strings.Contains(err.Error(), "block mapping") {
		t.Fatalf("flow entry: %v", err)
	}
	if read(t, dir, "models/model-config.yaml") != before {
		t.Fatal("a refused rule changed model-config.yaml")
	}
}

func TestAddACLRefusals(t *testing.T) {
	dir := fixture(t, map[string]string{"models/flow.yaml": "name: Flow\nacls: [{principalType: ROLE, principalId: $everyone, permission: DENY}]\n"})
	tests := []struct {
		model string
		o     ACLOptions
		want  string
	}{
		{"Note", ACLOptions{PrincipalID: "x", Permission: "MAYBE"}, `--permission "MAYBE"`},
		{"Note", ACLOptions{PrincipalID: "x", Permission: "ALLOW", AccessType: "ALL"}, `--access "ALL"`},
		{"Note", ACLOptions{Permission: "ALLOW"}, "--principal is required"},
		{"Note", ACLOptions{PrincipalID: "x", PrincipalType: "no such", Permission: "ALLOW"}, "--principal-type"},
		{"Note", ACLOptions{PrincipalID: "x", Permission: "ALLOW", Properties: []string{"a b"}}, `--property "a b"`},
		{"Ghost", ACLOptions{PrincipalID: "x", Permission: "ALLOW"}, "no model Ghost"},
		{"Flow", ACLOptions{PrincipalID: "x", Permission: "ALLOW"}, "flow list"},
	}
	for _, tc := range tests {
		before := read(t, dir, "models/note.yaml")
		if _, err := AddACL(dir, tc.model, tc.o); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: %v, want %q", tc.o, err, tc.want)
		}
		if read(t, dir, "models/note.yaml") != before {
			t.Fatal("a refused rule changed note.yaml")
		}
	}
	if _, err := AddACL(t.TempDir(), "Note", ACLOptions{PrincipalID: "x", Permission: "ALLOW"}); err == nil || !strings.Contains(err.Error(), "not a Loopgo project") {
		t.Fatalf("outside a project: %v", err)
	}
}

func TestAddModel(t *testing.T) {
	dir := fixture(t, nil)
	var props []Property
	for _, a := range []string{"name:string!", "price:Number", "tags:[string]", "meta:object"} {
		p, err := ParseProperty(a)
		if err != nil {
			t.Fatal(err)
		}
		props = append(props, p)
	}
	files, err := AddModel(dir, "ProductLine", props, ModelOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Base(files[0]) != "product-line.yaml" {
		t.Fatalf("file %s", files[0])
	}
	got := read(t, dir, "models/product-line.yaml")
	for _, want := range []string{"name: ProductLine\nplural: productLines\n", "  name:\n    type: string\n    required: true\n",
		"  price: number\n", "  tags: [string]\n", "  meta: object\n", "principalId: $everyone, permission: DENY}", "principalId: admin, permission: ALLOW}"} {
		if !strings.Contains(got, want) {
			t.Errorf("model file lacks %q:\n%s", want, got)
		}
	}
	if cfg := read(t, dir, "models/model-config.yaml"); cfg != fixtureConfig+"ProductLine:\n  dataSource: db\n  public: true\n" {
		t.Fatalf("model-config.yaml:\n%s", cfg)
	}
	if _, err := AddModel(dir, "Secret", nil, ModelOptions{Private: true, DataSource: "audit", Plural: "secrets"}); err != nil {
		t.Fatal(err)
	}
	if cfg := read(t, dir, "models/model-config.yaml"); !strings.HasSuffix(cfg, "Secret:\n  dataSource: audit\n  public: false\n") {
		t.Fatalf("model-config.yaml:\n%s", cfg)
	}

	for name, want := range map[string]string{
		"ProductLine": "already defined", "Note": "already defined", "User": "built-in model", "AccessToken": "built-in model",
		"2fast": "not a model name", "a-b": "not a model name",
	} {
		before := read(t, dir, "models/model-config.yaml")
		if _, err := AddModel(dir, name, nil, ModelOptions{}); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", name, err, want)
		}
		if read(t, dir, "models/model-config.yaml") != before {
			t.Fatalf("refused model %s changed model-config.yaml", name)
		}
	}
	if _, err := AddModel(dir, "Dup", []Property{{Name: "a", Type: "string"}, {Name: "a", Type: "number"}}, ModelOptions{}); err == nil || !strings.Contains(err.Error(), "given twice") {
		t.Fatalf("duplicate property: %v", err)
	}
	if _, err := AddModel(dir, "Bad", nil, ModelOptions{Plural: "a/b"}); err == nil || !strings.Contains(err.Error(), "--plural") {
		t.Fatalf("bad plural: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "models", "dup.yaml")); err == nil {
		t.Fatal("a refused model was written")
	}
}

func TestParseProperty(t *testing.T) {
	for arg, want := range map[string]Property{
		"title:string!": {Name: "title", Type: "string", Required: true},
		"n:NUMBER":      {Name: "n", Type: "number"},
		"tags:[string]": {Name: "tags", Type: "[string]"},
		"at:date!":      {Name: "at", Type: "date", Required: true},
		"$x:any":        {Name: "$x", Type: "any"},
	} {
		got, err := ParseProperty(arg)
		if err != nil || got != want {
			t.Errorf("%s: %+v %v", arg, got, err)
		}
	}
	for arg, want := range map[string]string{
		"title": "write name:type", "title:": "write name:type", ":string": "write name:type", "a:float": `unknown type "float"`,
		"a:[[string]]": "unknown type", "a:[array]": "unknown type", "a:[string": "typed array", "a b:string": "not a property name",
	} {
		if _, err := ParseProperty(arg); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", arg, err, want)
		}
	}
}

func TestAddMethod(t *testing.T) {
	dir := fixture(t, nil)
	// the fixture's models package has no registrations list: the stub gets a Register function
	files, err := AddMethod(dir, "Note", "prototype.archive", MethodOptions{HTTP: "put:/archive", AccessType: "write"})
	var nr *NeedsRegistration
	if !errors.As(err, &nr) || nr.Call != "models.RegisterNoteArchive(app)" {
		t.Fatalf("want a registration note, got %v", err)
	}
	if len(files) != 2 || filepath.Base(files[1]) != "note_archive.go" {
		t.Fatalf("files %v", files)
	}
	got := read(t, dir, "models/note.yaml")
	want := fixtureNote + "  prototype.archive:\n    description: Note.prototype.archive, declared by loopgo method add (its Go side is in models/).\n" +
		"    http: {verb: put, path: /archive}\n    accessType: WRITE\n    returns: {arg: result, type: object, root: true}\n"
	if got != want {
		t.Fatalf("note.yaml:\n%s\nwant:\n%s", got, want)
	}
	stub := read(t, dir, "models/note_archive.go")
	for _, w := range []string{"func RegisterNoteArchive(app *framework.App) {", `app.Model("Note").Method("prototype.archive", noteArchive)`,
		"func noteArchive(ctx context.Context, c *framework.Call) (any, error) {", "PUT /notes/:id/archive", "http.StatusNotImplemented"} {
		if !strings.Contains(stub, w) {
			t.Errorf("stub lacks %q:\n%s", w, stub)
		}
	}
	if _, err := parser.ParseFile(token.NewFileSet(), "stub.go", stub, 0); err != nil {
		t.Fatalf("stub does not parse: %v", err)
	}

	// with a registrations list the stub binds itself
	dir2 := fixture(t, map[string]string{"models/models.go": "package models\n\nimport \"github.com/loopgo/loopgo/framework\"\n\nvar registrations []func(app *framework.App)\n"})
	if _, err := AddMethod(dir2, "Note", "stats", MethodOptions{HTTP: "get:/stats"}); err != nil {
		t.Fatal(err)
	}
	stub = read(t, dir2, "models/note_stats.go")
	if !strings.Contains(stub, "registrations = append(registrations, func(app *framework.App) {") || !strings.Contains(stub, "GET /notes/stats") {
		t.Fatalf("stub:\n%s", stub)
	}

	if err := os.WriteFile(filepath.Join(dir2, "models", "note_taken.go"), []byte("package models\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		model, name string
		o           MethodOptions
		want        string
	}{
		{"Note", "publish", MethodOptions{}, "methods already has publish"},
		{"Note", "stats", MethodOptions{}, "methods already has stats"},
		{"Note", "a-b", MethodOptions{}, "not a method name"},
		{"Note", "x", MethodOptions{HTTP: "fetch:/x"}, "--http"},
		{"Note", "x", MethodOptions{HTTP: "post:x"}, "--http"},
		{"Note", "x", MethodOptions{AccessType: "DELETE"}, "--access"},
		{"User", "x", MethodOptions{}, "no file in"},
		{"Note", "taken", MethodOptions{}, "note_taken.go exists already"},
	} {
		before := read(t, dir2, "models/note.yaml")
		if _, err := AddMethod(dir2, tc.model, tc.name, tc.o); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s.%s: %v, want %q", tc.model, tc.name, err, tc.want)
		}
		if read(t, dir2, "models/note.yaml") != before {
			t.Fatalf("a refused method changed note.yaml")
		}
	}
}

func TestNewRefusals(t *testing.T) {
	full := t.TempDir()
	if err := os.WriteFile(filepath.Join(full, "x"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		o    NewOptions
		want string
	}{
		{NewOptions{Dir: full, Framework: moduleRoot(t)}, "is not empty"},
		{NewOptions{Dir: filepath.Join(t.TempDir(), "a"), Framework: t.TempDir()}, "not the loopgo module's directory"},
		{NewOptions{Dir: filepath.Join(t.TempDir(), "a"), Module: "bad path!", Framework: moduleRoot(t)}, "is not a module path"},
		{NewOptions{}, "give the project directory"},
	}
	for _, tc := range tests {
		if _, err := New(tc.o); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: %v, want %q", tc.o, err, tc.want)
		}
	}
	if got := FrameworkDir(); got != moduleRoot(t) {
		t.Errorf("FrameworkDir() = %q, want %q", got, moduleRoot(t))
	}
}

func TestNames(t *testing.T) {
	for in, want := range map[string]string{"TodoItem": "todo-item", "Note": "note", "HTTPServer": "http-server", "ACL": "acl", "my_model": "my-model"} {
		if got := kebab(in); got != want {
			t.Errorf("kebab(%s) = %s, want %s", in, got, want)
		}
	}
	if got := snake("TodoItem"); got != "todo_item" {
		t.Errorf("snake: %s", got)
	}
}

func TestExecuteExitCodes(t *testing.T) {
	dir := fixture(t, nil)
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"bogus"}, 2, "unknown command"},
		{[]string{"new"}, 2, "needs the project directory"},
		{[]string{"model", "add", "--dir", dir}, 2, "needs the model's name"},
		{[]string{"model", "add", "Thing", "x:float", "--dir", dir}, 2, `unknown type "float"`},
		{[]string{"model", "add", "Note", "--dir", dir}, 1, "already defined"},
		{[]string{"acl", "add", "Note", "--principal", "x", "--dir", dir}, 2, `required flag(s) "permission" not set`},
		{[]string{"acl", "add", "Note", "--principal", "x", "--permission", "NO", "--dir", dir}, 2, `--permission "NO"`},
		{[]string{"acl", "add", "Ghost", "--principal", "x", "--permission", "ALLOW", "--dir", dir}, 1, "no model Ghost"},
		{[]string{"method", "add", "Note", "--dir", dir}, 2, "needs the model's name and the method's"},
		{[]string{"method", "add", "Note", "archive", "--dir", dir}, 0, "call models.RegisterNoteArchive(app)"},
		{[]string{"model", "add", "Thing", "title:string!", "--dir", dir}, 0, ""},
		{[]string{"model"}, 2, "give a command: add"},
	} {
		var out bytes.Buffer
		if code := Execute(tc.args, &out, &out); code != tc.code || !strings.Contains(out.String(), tc.want) {
			t.Errorf("%v: exit %d, want %d with %q:\n%s", tc.args, code, tc.code, tc.want, out.String())
		}
	}
}
