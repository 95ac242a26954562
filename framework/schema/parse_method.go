package schema

import (
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// methodNameRe is a remote method name (JavaScript identifier characters).
var methodNameRe = regexp.MustCompile(`^[A-Za-z_$][A-Za-z0-9_$]*$`)

// httpVerbs are the verbs of remote method routes ("del" is LoopBack's alias of delete).
var httpVerbs = map[string]string{
	"get": "get", "post": "post", "put": "put", "patch": "patch", "delete": "delete", "del": "delete",
	"head": "head", "all": "all",
}

// argSources are the http.source values of accepted arguments (formData is form).
var argSources = map[string]string{
	"body": "body", "form": "form", "formdata": "form", "query": "query", "path": "path",
	"header": "header", "req": "req", "context": "context",
}

// methods reads the methods mapping: "name" (static) or "prototype.name" (instance).
func (p *parser) methods(m *Model, e entry) error {
	entries, err := p.mapping(e.val, e.keyNode, "methods", "write methods as name: {accepts: ..., returns: ..., http: ...}")
	if err != nil {
		return err
	}
	for _, me := range entries {
		meth, err := p.method(me)
		if err != nil {
			return err
		}
		m.Methods = append(m.Methods, meth)
	}
	return nil
}

// method reads one remote method declaration.
func (p *parser) method(e entry) (*Method, error) {
	field := join("methods", e.key)
	name, static := strings.CutPrefix(e.key, "prototype.")
	static = !static
	if !methodNameRe.MatchString(name) {
		return nil, p.fail(e.keyNode, field, "invalid method name "+strconv.Quote(e.key),
			"write a name such as publish (static) or prototype.publish (instance)")
	}
	meth := &Method{Name: name, Static: static, Pos: p.pos(e.keyNode)}
	entries, err := p.mapping(e.val, e.keyNode, field, "write "+e.key+": {accepts: [...], returns: {...}, http: {verb: post}}")
	if err != nil {
		return nil, err
	}
	for _, me := range entries {
		f := join(field, me.key)
		switch me.key {
		case "accepts":
			meth.Accepts, err = p.args(me, f, false)
		case "returns":
			meth.Returns, err = p.args(me, f, true)
		case "http":
			meth.HTTP, err = p.routes(me, f)
		case "accessType":
			meth.AccessType, err = p.enum(me, f, []string{"READ", "WRITE", "EXECUTE", "REPLICATE"})
		case "accessScopes":
			meth.AccessScopes, _, err = p.stringList(me.val, me.keyNode, f, "write accessScopes: [read, write]")
		case "description":
			meth.Description, err = p.text(me.val, me.keyNode, f)
		case "notes":
			meth.Notes, err = p.text(me.val, me.keyNode, f)
		case "isStatic":
			var b bool
			b, err = p.boolean(me.val, me.keyNode, f)
			if err == nil && b != static {
				err = p.fail(me.keyNode, f, "isStatic contradicts the method key",
					"drop isStatic; write "+name+" for a static method or prototype."+name+" for an instance method")
			}
		default:
			err = p.fail(me.keyNode, f, "unknown method key "+strconv.Quote(me.key),
				"write accepts, returns, http, accessType, accessScopes, description or notes")
		}
		if err != nil {
			return nil, err
		}
	}
	if len(meth.HTTP) == 0 {
		meth.HTTP = []Route{{Verb: "all"}}
	}
	for i := range meth.HTTP {
		if meth.HTTP[i].Path == "" {
			meth.HTTP[i].Path = "/" + name
		}
	}
	return meth, nil
}

// objectOrList returns the items of a list, or the node itself when it is a single mapping.
func (p *parser) objectOrList(n, at *yaml.Node, field, hint string) ([]*yaml.Node, error) {
	d, err := p.deref(n)
	if err != nil {
		return nil, err
	}
	if d.Kind == yaml.MappingNode {
		return []*yaml.Node{d}, nil
	}
	return p.sequence(d, at, field, hint)
}

// args reads accepts (returns=false) or returns (returns=true).
func (p *parser) args(e entry, field string, returns bool) ([]Arg, error) {
	hint := "write accepts: [{arg: name, type: string, required: true}]"
	if returns {
		hint = "write returns: {arg: data, type: object, root: true}"
	}
	items, err := p.objectOrList(e.val, e.keyNode, field, hint)
	if err != nil {
		return nil, err
	}
	out := make([]Arg, 0, len(items))
	for i, it := range items {
		f := field
		if len(items) > 1 || it != e.val {
			f = index(field, i)
		}
		a, err := p.arg(it, f, returns, hint)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

// arg reads one argument or return value.
func (p *parser) arg(n *yaml.Node, field string, returns bool, hint string) (Arg, error) {
	a := Arg{Type: Any}
	entries, err := p.mapping(n, n, field, hint)
	if err != nil {
		return a, err
	}
	for _, e := range entries {
		f := join(field, e.key)
		switch {
		case e.key == "arg":
			a.Name, err = p.str(e.val, e.keyNode, f, "write arg: name")
		case e.key == "type":
			a.Type, a.Items, err = p.argType(e.val, e.keyNode, f)
		case e.key == "description":
			a.Description, err = p.text(e.val, e.keyNode, f)
		case e.key == "required" && !returns:
			a.Required, err = p.boolean(e.val, e.keyNode, f)
		case e.key == "http" && !returns:
			a.Source, err = p.argSource(e, f)
		case e.key == "root" && returns:
			a.Root, err = p.boolean(e.val, e.keyNode, f)
		default:
			want := "arg, type, required, description or http"
			if returns {
				want = "arg, type, root or description"
			}
			err = p.fail(e.keyNode, f, "unknown key "+strconv.Quote(e.key), "write "+want)
		}
		if err != nil {
			return a, err
		}
	}
	if a.Name == "" && !(returns && a.Root) {
		return a, p.fail(n, join(field, "arg"), "missing arg name", "add arg: <name>")
	}
	return a, nil
}

// argSource reads http: {source: ...} of an accepted argument.
func (p *parser) argSource(e entry, field string) (string, error) {
	const hint = "write http: {source: body|form|query|path|header|req|context}"
	entries, err := p.mapping(e.val, e.keyNode, field, hint)
	if err != nil {
		return "", err
	}
	src := ""
	for _, se := range entries {
		f := join(field, se.key)
		if se.key != "source" {
			return "", p.fail(se.keyNode, f, "unknown key "+strconv.Quote(se.key), hint)
		}
		s, err := p.str(se.val, se.keyNode, f, hint)
		if err != nil {
			return "", err
		}
		var ok bool
		if src, ok = argSources[strings.ToLower(s)]; !ok {
			return "", p.fail(se.keyNode, f, "unknown source "+strconv.Quote(s), hint)
		}
	}
	return src, nil
}

// routes reads http: {verb, path, status} or a list of them.
func (p *parser) routes(e entry, field string) ([]Route, error) {
	const hint = "write http: {verb: post, path: /publish, status: 200}"
	items, err := p.objectOrList(e.val, e.keyNode, field, hint)
	if err != nil {
		return nil, err
	}
	out := make([]Route, 0, len(items))
	for i, it := range items {
		f := field
		if len(items) > 1 || it != e.val {
			f = index(field, i)
		}
		r, err := p.route(it, f, hint)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// route reads one route; missing verb is "all", missing path is filled by method.
func (p *parser) route(n *yaml.Node, field, hint string) (Route, error) {
	r := Route{Verb: "all"}
	entries, err := p.mapping(n, n, field, hint)
	if err != nil {
		return r, err
	}
	for _, e := range entries {
		f := join(field, e.key)
		switch e.key {
		case "verb":
			var s string
			s, err = p.str(e.val, e.keyNode, f, "write verb: get, post, put, patch, delete, head or all")
			if err == nil {
				var ok bool
				if r.Verb, ok = httpVerbs[strings.ToLower(s)]; !ok {
					err = p.fail(e.keyNode, f, "unknown verb "+strconv.Quote(s), "write verb: get, post, put, patch, delete, head or all")
				}
			}
		case "path":
			r.Path, err = p.str(e.val, e.keyNode, f, "write path: /publish")
			if err == nil {
				r.Path, err = p.routePath(r.Path, e.keyNode, f)
			}
		case "status":
			var st float64
			st, err = p.number(e.val, e.keyNode, f)
			if err == nil && (st < 100 || st > 599 || st != float64(int(st))) {
				err = p.fail(e.keyNode, f, "invalid HTTP status "+strconv.FormatFloat(st, 'g', -1, 64), "write a status between 100 and 599, e.g. status: 201")
			}
			r.Status = int(st)
		default:
			err = p.fail(e.keyNode, f, "unknown route key "+strconv.Quote(e.key), "write verb, path or status")
		}
		if err != nil {
			return r, err
		}
	}
	return r, nil
}

// routePathRe is a route path: / or segments of literal characters or :params.
var routePathRe = regexp.MustCompile(`^/$|^(/(:[A-Za-z_][A-Za-z0-9_]*|[A-Za-z0-9\-_.~]+))+$`)

// routePath checks a route path; the leading slash is optional in YAML.
func (p *parser) routePath(s string, at *yaml.Node, field string) (string, error) {
	path := s
	if !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	if !routePathRe.MatchString(path) {
		return "", p.fail(at, field, "invalid route path "+strconv.Quote(s), "write a path such as /publish or /:id/publish")
	}
	return path, nil
}
