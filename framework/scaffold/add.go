package scaffold

import (
	"errors"
	"fmt"
	"go/format"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"unicode"

	"gopkg.in/yaml.v3"

	"github.com/loopgo/loopgo/framework/accounts"
	"github.com/loopgo/loopgo/framework/schema"
)

var (
	modelNameRe  = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)
	propNameRe   = regexp.MustCompile(`^[A-Za-z_$][A-Za-z0-9_$]*$`)
	methodNameRe = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	httpPathRe   = regexp.MustCompile(`^/[A-Za-z0-9_./:~-]*$`)
)

// propertyTypes are the type names a property may have (docs/models.md).
var propertyTypes = []string{"string", "number", "boolean", "date", "object", "array", "any", "geopoint", "text", "json"}

// builtinRegistry parses the built-in models (User, AccessToken, ACL, Role, RoleMapping).
func builtinRegistry() (*schema.Registry, error) {
	reg := schema.NewRegistry()
	entries, err := fs.ReadDir(accounts.FS, "models")
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		src, err := fs.ReadFile(accounts.FS, "models/"+e.Name())
		if err != nil {
			return nil, err
		}
		if err := reg.ParseFile(e.Name(), src); err != nil {
			return nil, err
		}
	}
	return reg, nil
}

// checkProject loads the project's models as the app will (built-in models, every model file,
// model-config.yaml's relations, ACLs and options, then inheritance and relations resolved),
// with the files of override (path -> content) in place of what is on disk, so that nothing
// invalid is written. It returns the resolved registry.
func (p *project) checkProject(override map[string][]byte) (*schema.Registry, error) {
	reg, err := builtinRegistry()
	if err != nil {
		return nil, err
	}
	files, err := p.modelFiles()
	if err != nil {
		return nil, err
	}
	for f := range override {
		if f != p.modelConfigPath() && !slices.Contains(files, f) {
			files = append(files, f)
		}
	}
	slices.Sort(files)
	read := func(f string) ([]byte, error) {
		if src, ok := override[f]; ok {
			return src, nil
		}
		return os.ReadFile(f)
	}
	for _, f := range files {
		src, err := read(f)
		if err != nil {
			return nil, err
		}
		if err := reg.ParseFile(filepath.Base(f), src); err != nil {
			return nil, err
		}
	}
	cfgSrc, err := read(p.modelConfigPath())
	if err != nil {
		return nil, err
	}
	root, err := parseMapping(cfgSrc)
	if err != nil {
		return nil, fmt.Errorf("model-config.yaml: %w", err)
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		name, entry := root.Content[i].Value, root.Content[i+1]
		if name == "_meta" || entry.Kind != yaml.MappingNode {
			continue
		}
		_, rel, _ := lookup(entry, "relations")
		_, acls, _ := lookup(entry, "acls")
		_, opts, _ := lookup(entry, "options")
		if rel == nil && acls == nil && opts == nil {
			continue
		}
		if err := reg.ExtendFromConfig("model-config.yaml", name, rel, acls, opts); err != nil {
			return nil, err
		}
	}
	if err := reg.Resolve(); err != nil {
		return nil, err
	}
	return reg, nil
}

// check runs checkProject and words its error for a change that is then not written.
func (p *project) check(override map[string][]byte) (*schema.Registry, error) {
	reg, err := p.checkProject(override)
	if err != nil {
		return nil, fmt.Errorf("the models would not load after this change (%w); nothing was written", err)
	}
	return reg, nil
}

// ModelOptions configure AddModel.
type ModelOptions struct {
	Plural     string // the REST path's plural; default the model name's, first letter lower-cased
	DataSource string // default "db"
	Private    bool   // not exposed over REST (public: false in model-config.yaml)
}

// Property is one property written by AddModel.
type Property struct {
	Name     string
	Type     string // a type name or "[type]"
	Required bool
}

// ParseProperty reads "name:type" or "name:type!" (required).
func ParseProperty(arg string) (Property, error) {
	name, typ, ok := strings.Cut(arg, ":")
	if !ok || name == "" || typ == "" {
		return Property{}, fmt.Errorf("property %q: write name:type, e.g. title:string! (! = required)", arg)
	}
	p := Property{Name: name}
	if t, req := strings.CutSuffix(typ, "!"); req {
		p.Required, typ = true, t
	}
	if !propNameRe.MatchString(name) {
		return Property{}, fmt.Errorf("property %q: %q is not a property name (letters, digits, _ and $)", arg, name)
	}
	item, array := strings.CutPrefix(typ, "[")
	if array {
		var closed bool
		if item, closed = strings.CutSuffix(item, "]"); !closed {
			return Property{}, fmt.Errorf("property %q: write a typed array as [type], e.g. tags:[string]", arg)
		}
	}
	lower := strings.ToLower(item)
	if !slices.Contains(propertyTypes, lower) || (array && lower == "array") {
		return Property{}, fmt.Errorf("property %q: unknown type %q; write one of %s, or [type]", arg, typ, strings.Join(propertyTypes, ", "))
	}
	p.Type = lower
	if array {
		p.Type = "[" + lower + "]"
	}
	return p, nil
}

// AddModel writes models/<name>.yaml with the properties and attaches the model in
// model-config.yaml; it returns the files written or changed. The new model has ACLs that let
// everyone read and only the admin role write.
func AddModel(dir, name string, props []Property, opts ModelOptions) ([]string, error) {
	p, err := openProject(dir)
	if err != nil {
		return nil, err
	}
	if !modelNameRe.MatchString(name) {
		return nil, fmt.Errorf("%q is not a model name: start with a letter, then letters, digits or _ (e.g. Task)", name)
	}
	builtins, err := builtinRegistry()
	if err != nil {
		return nil, err
	}
	if err := builtins.Resolve(); err != nil {
		return nil, err
	}
	if builtins.Model(name) != nil {
		return nil, fmt.Errorf("%s is a built-in model; define a model with base: %s to extend it", name, name)
	}
	if f, err := p.modelFile(name); err != nil {
		return nil, err
	} else if f != "" {
		return nil, fmt.Errorf("model %s is already defined in %s", name, f)
	}
	cfgSrc, err := os.ReadFile(p.modelConfigPath())
	if err != nil {
		return nil, err
	}
	cfgRoot, err := parseMapping(cfgSrc)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p.modelConfigPath(), err)
	}
	if k, _, _ := lookup(cfgRoot, name); k != nil {
		return nil, fmt.Errorf("%s:%d already lists %s", p.modelConfigPath(), k.Line, name)
	}
	file := filepath.Join(p.models, kebab(name)+".yaml")
	if _, err := os.Stat(file); err == nil {
		return nil, fmt.Errorf("%s exists already", file)
	}
	plural := opts.Plural
	if plural == "" {
		plural = lowerFirst(schema.Plural(name))
	}
	if !regexp.MustCompile(`^[A-Za-z0-9_-]+$`).MatchString(plural) {
		return nil, fmt.Errorf("--plural %q: use letters, digits, _ and -", plural)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# %s, written by loopgo model add. Everyone may read; only the admin role may write:\n", name)
	b.WriteString("# add rules with loopgo acl add (docs/models.md lists every key).\n")
	fmt.Fprintf(&b, "name: %s\nplural: %s\n", name, plural)
	if len(props) > 0 {
		b.WriteString("properties:\n")
	}
	seen := map[string]bool{}
	for _, pr := range props {
		if seen[pr.Name] {
			return nil, fmt.Errorf("property %s is given twice", pr.Name)
		}
		seen[pr.Name] = true
		if pr.Required {
			fmt.Fprintf(&b, "  %s:\n    type: %s\n    required: true\n", pr.Name, pr.Type)
		} else {
			fmt.Fprintf(&b, "  %s: %s\n", pr.Name, pr.Type)
		}
	}
	b.WriteString("acls:\n")
	b.WriteString("  - {principalType: ROLE, principalId: $everyone, permission: DENY}\n")
	b.WriteString("  - {principalType: ROLE, principalId: $everyone, permission: ALLOW, accessType: READ}\n")
	b.WriteString("  - {principalType: ROLE, principalId: admin, permission: ALLOW}\n")
	src := []byte(b.String())
	ds := opts.DataSource
	if ds == "" {
		ds = "db"
	}
	entry := fmt.Sprintf("%s:\n  dataSource: %s\n  public: %t\n", name, yamlScalar(ds), !opts.Private)
	newCfg := append([]byte{}, cfgSrc...)
	if len(newCfg) > 0 && newCfg[len(newCfg)-1] != '\n' {
		newCfg = append(newCfg, '\n')
	}
	newCfg = append(newCfg, entry...)
	if root, err := parseMapping(newCfg); err != nil {
		return nil, fmt.Errorf("model-config.yaml would not parse (%w); nothing was written", err)
	} else if k, _, _ := lookup(root, name); k == nil {
		return nil, errors.New("model-config.yaml: the new entry did not read back; nothing was written")
	}
	if _, err := p.check(map[string][]byte{file: src, p.modelConfigPath(): newCfg}); err != nil {
		return nil, err
	}
	if err := writeNew(file, src); err != nil {
		return nil, err
	}
	if err := os.WriteFile(p.modelConfigPath(), newCfg, 0o644); err != nil {
		_ = os.Remove(file)
		return nil, err
	}
	return []string{file, p.modelConfigPath()}, nil
}

// ACLOptions describe the entry AddACL writes.
type ACLOptions struct {
	PrincipalType string   // ROLE (default), USER, APP, or a user model's name
	PrincipalID   string   // a role ($everyone, $owner, admin, ...) or an id
	Permission    string   // ALLOW or DENY (ALARM, AUDIT, DEFAULT too)
	Properties    []string // the methods it applies to; none = all
	AccessType    string   // READ, WRITE, EXECUTE, REPLICATE or *; "" = *
}

// AddACL appends an ACL entry to a model's acls: in its YAML file, or in its model-config.yaml
// entry for a model without a file (the built-in User). It returns the file changed.
func AddACL(dir, model string, o ACLOptions) (string, error) {
	p, err := openProject(dir)
	if err != nil {
		return "", err
	}
	item, err := aclItem(o)
	if err != nil {
		return "", err
	}
	file, err := p.modelFile(model)
	if err != nil {
		return "", err
	}
	if file != "" {
		src, err := os.ReadFile(file)
		if err != nil {
			return "", err
		}
		root, err := parseMapping(src)
		if err != nil {
			return "", fmt.Errorf("%s: %w", file, err)
		}
		out, err := appendSeqItem(src, root, "acls", item, 0, lineCount(src))
		if err != nil {
			return "", fmt.Errorf("%s: %w", file, err)
		}
		if _, err := p.check(map[string][]byte{file: out}); err != nil {
			return "", err
		}
		return file, os.WriteFile(file, out, 0o644)
	}
	// a model defined elsewhere (built-in): its model-config.yaml entry gets the rule
	cfgPath := p.modelConfigPath()
	src, err := os.ReadFile(cfgPath)
	if err != nil {
		return "", err
	}
	root, err := parseMapping(src)
	if err != nil {
		return "", fmt.Errorf("%s: %w", cfgPath, err)
	}
	k, v, i := lookup(root, model)
	if k == nil {
		return "", fmt.Errorf("no model %s: no file in %s defines it and model-config.yaml does not list it", model, p.models)
	}
	if v.Kind != yaml.MappingNode || v.Style&yaml.FlowStyle != 0 || len(v.Content) == 0 {
		return "", fmt.Errorf("%s:%d: write %s's entry as a block mapping (dataSource: ... on its own line) to add rules to it", cfgPath, k.Line, model)
	}
	out, err := appendSeqItem(src, v, "acls", item, v.Content[0].Column-1, blockEnd(root, i, lineCount(src)))
	if err != nil {
		return "", fmt.Errorf("%s: %w", cfgPath, err)
	}
	newRoot, err := parseMapping(out)
	if err != nil {
		return "", fmt.Errorf("model-config.yaml would not parse (%w); nothing was written", err)
	}
	if _, entry, _ := lookup(newRoot, model); entry == nil {
		return "", errors.New("model-config.yaml: the new rule did not read back; nothing was written")
	} else if _, acls, _ := lookup(entry, "acls"); acls == nil {
		return "", errors.New("model-config.yaml: the new rule did not read back; nothing was written")
	}
	if _, err := p.check(map[string][]byte{cfgPath: out}); err != nil {
		return "", err
	}
	return cfgPath, os.WriteFile(cfgPath, out, 0o644)
}

// aclItem checks an ACL entry and writes it as a flow mapping.
func aclItem(o ACLOptions) (string, error) {
	ptype := strings.ToUpper(o.PrincipalType)
	switch ptype {
	case "":
		ptype = "ROLE"
	case "ROLE", "USER", "APP", "APPLICATION":
	default:
		if !modelNameRe.MatchString(o.PrincipalType) {
			return "", fmt.Errorf("--principal-type %q: write ROLE, USER, APP or a user model's name", o.PrincipalType)
		}
		ptype = o.PrincipalType
	}
	if strings.TrimSpace(o.PrincipalID) == "" {
		return "", errors.New("--principal is required: a role ($everyone, $authenticated, $unauthenticated, $owner, or a static role such as admin) or an id")
	}
	perm := strings.ToUpper(o.Permission)
	if !slices.Contains([]string{"ALLOW", "DENY", "ALARM", "AUDIT", "DEFAULT"}, perm) {
		return "", fmt.Errorf("--permission %q: write ALLOW or DENY", o.Permission)
	}
	access := strings.ToUpper(o.AccessType)
	if access != "" && !slices.Contains([]string{"READ", "WRITE", "EXECUTE", "REPLICATE", "*"}, access) {
		return "", fmt.Errorf("--access %q: write READ, WRITE, EXECUTE, REPLICATE or *", o.AccessType)
	}
	parts := []string{"principalType: " + ptype, "principalId: " + yamlScalar(o.PrincipalID), "permission: " + perm}
	var props []string
	for _, pr := range o.Properties {
		for _, x := range strings.Split(pr, ",") {
			if x = strings.TrimSpace(x); x != "" {
				if !regexp.MustCompile(`^[A-Za-z0-9_$.*]+$`).MatchString(x) {
					return "", fmt.Errorf("--property %q is not a method name", x)
				}
				props = append(props, x)
			}
		}
	}
	switch len(props) {
	case 0:
	case 1:
		parts = append(parts, "property: "+yamlScalar(props[0]))
	default:
		quoted := make([]string, len(props))
		for i, x := range props {
			quoted[i] = yamlScalar(x)
		}
		parts = append(parts, "property: ["+strings.Join(quoted, ", ")+"]")
	}
	if access != "" && access != "*" {
		parts = append(parts, "accessType: "+access)
	}
	return "{" + strings.Join(parts, ", ") + "}", nil
}

// MethodOptions describe the remote method AddMethod declares.
type MethodOptions struct {
	HTTP       string // "verb:/path"; default post:/<name>
	AccessType string // READ, WRITE or EXECUTE; "" = derived (EXECUTE for most)
}

// AddMethod declares a remote method in a model's YAML file (name, or prototype.name for an
// instance method) and writes a Go stub implementing it in models/; the stub answers 501 until
// it is written. It returns the files written or changed.
func AddMethod(dir, model, name string, o MethodOptions) ([]string, error) {
	p, err := openProject(dir)
	if err != nil {
		return nil, err
	}
	base, instance := strings.CutPrefix(name, "prototype.")
	if !methodNameRe.MatchString(base) {
		return nil, fmt.Errorf("%q is not a method name: letters, digits and _, e.g. archive or prototype.archive", name)
	}
	verb, route := "post", "/"+base
	if o.HTTP != "" {
		v, r, ok := strings.Cut(o.HTTP, ":")
		v = strings.ToLower(v)
		if !ok || !slices.Contains([]string{"get", "post", "put", "patch", "delete", "head", "all"}, v) || !httpPathRe.MatchString(r) {
			return nil, fmt.Errorf("--http %q: write verb:/path, e.g. post:/archive (verbs: get, post, put, patch, delete, head, all)", o.HTTP)
		}
		verb, route = v, r
	}
	access := strings.ToUpper(o.AccessType)
	if access != "" && !slices.Contains([]string{"READ", "WRITE", "EXECUTE"}, access) {
		return nil, fmt.Errorf("--access %q: write READ, WRITE or EXECUTE", o.AccessType)
	}
	file, err := p.modelFile(model)
	if err != nil {
		return nil, err
	}
	if file == "" {
		return nil, fmt.Errorf("no file in %s defines model %s; methods are declared in a model's own file (for the built-in User: a model with base: User)", p.models, model)
	}
	src, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	root, err := parseMapping(src)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	var entry strings.Builder
	fmt.Fprintf(&entry, "%s:\n", name)
	fmt.Fprintf(&entry, "  description: %s.%s, declared by loopgo method add (its Go side is in models/).\n", model, name)
	fmt.Fprintf(&entry, "  http: {verb: %s, path: %s}\n", verb, route)
	if access != "" {
		fmt.Fprintf(&entry, "  accessType: %s\n", access)
	}
	entry.WriteString("  returns: {arg: result, type: object, root: true}\n")
	out, err := appendMapEntry(src, root, "methods", name, entry.String(), 0, lineCount(src))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	reg, err := p.check(map[string][]byte{file: out})
	if err != nil {
		return nil, err
	}
	def := reg.Model(model)
	fn := lowerFirst(goIdent(model)) + upperFirst(base)
	stub := filepath.Join(p.models, snake(model)+"_"+snake(base)+".go")
	if _, err := os.Stat(stub); err == nil {
		return nil, fmt.Errorf("%s exists already", stub)
	}
	auto, err := declares(p.models, "var registrations []func(app *framework.App)", "func "+fn+"(")
	if err != nil {
		return nil, err
	}
	if auto[1] {
		return nil, fmt.Errorf("a function %s exists already in %s", fn, p.models)
	}
	path := "/" + strings.Trim(def.HTTPPath, "/")
	if instance {
		path += "/:id"
	}
	path += strings.TrimSuffix(route, "/")
	goSrc, err := render("templates/add/method.go.tmpl", map[string]any{
		"Model": model, "Key": name, "Func": fn, "Export": goIdent(model) + upperFirst(base), "Instance": instance,
		"File": filepath.Base(file), "AutoRegister": auto[0],
		"Route": strings.ToUpper(verb) + " " + path + " under the REST root",
	})
	if err != nil {
		return nil, err
	}
	formatted, err := format.Source(goSrc)
	if err != nil {
		return nil, fmt.Errorf("the Go stub would not compile (%w); nothing was written", err)
	}
	if err := writeNew(stub, formatted); err != nil {
		return nil, err
	}
	if err := os.WriteFile(file, out, 0o644); err != nil {
		_ = os.Remove(stub)
		return nil, err
	}
	files := []string{file, stub}
	if !auto[0] {
		return files, &NeedsRegistration{Call: "models.Register" + goIdent(model) + upperFirst(base) + "(app)"}
	}
	return files, nil
}

// NeedsRegistration is AddMethod's note for a project whose models package has no
// registrations list (projects not made by loopgo new): the stub's Register function must be
// called by hand. The files are written.
type NeedsRegistration struct{ Call string }

// Error says which call the project needs.
func (n *NeedsRegistration) Error() string {
	return "models/ has no registrations list, so the stub binds nothing by itself: call " + n.Call +
		" where the models' Go side is bound (before the app is set up)"
}

// declares reports, for each needle, whether a Go file of dir contains it.
func declares(dir string, needles ...string) ([]bool, error) {
	out := make([]bool, len(needles))
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		for i, n := range needles {
			out[i] = out[i] || strings.Contains(string(src), n)
		}
	}
	return out, nil
}

// kebab turns TodoItem into todo-item.
func kebab(s string) string { return separated(s, '-') }

// snake turns TodoItem into todo_item.
func snake(s string) string { return separated(s, '_') }

// separated lower-cases s, putting sep before each inner upper-case letter that starts a word.
func separated(s string, sep rune) string {
	var b strings.Builder
	rs := []rune(s)
	for i, r := range rs {
		if unicode.IsUpper(r) && i > 0 && (unicode.IsLower(rs[i-1]) || (i+1 < len(rs) && unicode.IsLower(rs[i+1]))) && rs[i-1] != '_' {
			b.WriteRune(sep)
		}
		if r == '_' || r == '-' {
			r = sep
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// goIdent drops the characters of s a Go identifier cannot hold.
func goIdent(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' {
			return r
		}
		return -1
	}, s)
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	r[0] = unicode.ToLower(r[0])
	return string(r)
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	r[0] = unicode.ToUpper(r[0])
	return string(r)
}
