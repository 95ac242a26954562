package openapi

import (
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/loopgo/loopgo/framework/schema"
)

// Kind tells what a method is: a PersistedModel method, a relation method or a declared remote
// method; the generator knows the answer shapes of the first two.
type Kind int

// Kinds of methods.
const (
	CRUD     Kind = iota // a PersistedModel method (find, create, ...)
	Related              // a relation method (__get__notes, ...)
	Declared             // a remote method declared under methods: in YAML
)

// Method is one exposed (shared) remote method, as the REST layer routes it.
type Method struct {
	Model        *schema.Model
	Kind         Kind
	Name         string // without "prototype."
	Static       bool
	Aliases      []string
	Routes       []schema.Route // relative to the model path (prototype methods: to /:id)
	Accepts      []schema.Arg
	Returns      []schema.Arg
	AccessType   string // as declared ("" = derived)
	AccessScopes []string
	Description  string
	// Relation and Target are set on relation methods; TargetProperty and TargetAccessType are
	// the related model's method and access type that must also be allowed (e.g. find, READ).
	Relation         *schema.Relation
	Target           *schema.Model
	TargetProperty   string
	TargetAccessType string
}

// Models gives the model definitions by name, and all of them.
type Models interface {
	Model(name string) *schema.Model
	Models() []*schema.Model
}

// Options describe the application around the methods.
type Options struct {
	Title       string // info.title; default "Loopgo API"
	Version     string // info.version; default "1.0.0"
	Description string
	Root        string // restApiRoot, e.g. "/api"
	Models      Models
	// CurrentUserLiteral is the word that stands for the caller's own id in paths ("me"); "" = off.
	CurrentUserLiteral string
	// CookieTokens is true when signed access_token cookies are read (cookieSecret is set).
	CookieTokens bool
	// ACLErrorStatus is the status of a denied call with a token: 401 (default), 403 or 404.
	ACLErrorStatus int
	// ServerOwned lists, per model, the properties only the server (or an admin) writes, with
	// a sentence saying why; they are readOnly in the schemas.
	ServerOwned func(m *schema.Model) map[string]string
}

// Build returns the OpenAPI document of the methods: one path per route, grouped by model.
func Build(methods []Method, opts Options) (*Document, error) {
	if opts.Models == nil {
		return nil, fmt.Errorf("openapi: Options.Models is required")
	}
	b := newBuilder(opts)
	for _, m := range methods {
		if err := b.addMethod(m); err != nil {
			return nil, err
		}
	}
	return b.finish(), nil
}

// builder accumulates paths and the component schemas they reference.
type builder struct {
	opts    Options
	doc     *Document
	opIDs   map[string]bool
	tags    map[string]*schema.Model
	names   names
	pending []string // model schemas referenced but not yet written
	wanted  map[string]bool
}

func newBuilder(opts Options) *builder {
	if opts.Title == "" {
		opts.Title = "Loopgo API"
	}
	if opts.Version == "" {
		opts.Version = "1.0.0"
	}
	if opts.Root == "" {
		opts.Root = "/api"
	}
	opts.Root = "/" + strings.Trim(opts.Root, "/")
	if opts.ServerOwned == nil {
		opts.ServerOwned = func(*schema.Model) map[string]string { return nil }
	}
	b := &builder{
		opts: opts, opIDs: map[string]bool{}, tags: map[string]*schema.Model{}, wanted: map[string]bool{},
		doc: &Document{
			OpenAPI: Version,
			Info:    Info{Title: opts.Title, Version: opts.Version, Description: opts.Description},
			Servers: []Server{{URL: opts.Root, Description: "the REST API root (restApiRoot)"}},
			Paths:   map[string]*PathItem{},
			Components: Components{
				Schemas: map[string]Schema{}, Responses: map[string]*Response{},
				SecuritySchemes: map[string]*SecurityScheme{},
			},
		},
	}
	b.names = newNames(opts.Models)
	b.addCommon()
	return b
}

// verbs lists the HTTP verbs a route is documented under: "all" as POST (any verb is answered).
func docVerb(v string) string {
	v = strings.ToLower(v)
	if v == "" || v == "all" {
		return "post"
	}
	return v
}

// addMethod adds every route of one method.
func (b *builder) addMethod(m Method) error {
	if m.Model == nil {
		return fmt.Errorf("openapi: method %s has no model", m.Name)
	}
	who := b.whoMay(m)
	b.tags[m.Model.Name] = m.Model
	for i, r := range m.Routes {
		verb := docVerb(r.Verb)
		p, params := b.fullPath(m, r)
		item := b.doc.Paths[p]
		if item == nil {
			item = &PathItem{}
			b.doc.Paths[p] = item
		}
		slot := item.slot(verb)
		if slot == nil {
			return fmt.Errorf("openapi: method %s: unknown verb %q", stringName(m), r.Verb)
		}
		if *slot != nil {
			continue // an earlier route answers this verb and path (the server matches it first)
		}
		op := b.operation(m, r, verb, params, who)
		op.OperationID = b.operationID(m, i, verb)
		op.AnyVerb = r.Verb == "" || strings.EqualFold(r.Verb, "all")
		*slot = op
	}
	return nil
}

// stringName is LoopBack's name of a method: "Note.find", "Note.prototype.publish".
func stringName(m Method) string {
	if m.Static {
		return m.Model.Name + "." + m.Name
	}
	return m.Model.Name + ".prototype." + m.Name
}

// operationID is the method's string name for its first route, with the verb after for others.
func (b *builder) operationID(m Method, i int, verb string) string {
	id := stringName(m)
	if i > 0 {
		id += "__" + verb
	}
	base := id
	for n := 2; b.opIDs[id]; n++ {
		id = base + "_" + strconv.Itoa(n)
	}
	b.opIDs[id] = true
	return id
}

// fullPath is the OpenAPI path of a route ("/notes/{id}/publish") and its path parameters.
func (b *builder) fullPath(m Method, r schema.Route) (string, []string) {
	p := r.Path
	if !m.Static {
		p = "/:id/" + strings.TrimPrefix(p, "/")
	}
	segs := []string{}
	for _, s := range strings.Split(strings.Trim(m.Model.HTTPPath, "/"), "/") {
		if s != "" {
			segs = append(segs, s)
		}
	}
	var params []string
	for _, s := range strings.Split(p, "/") {
		if s == "" {
			continue
		}
		if strings.HasPrefix(s, ":") {
			params = append(params, s[1:])
			s = "{" + s[1:] + "}"
		}
		segs = append(segs, s)
	}
	return "/" + strings.Join(segs, "/"), params
}

// operation documents one route of a method.
func (b *builder) operation(m Method, r schema.Route, verb string, pathParams []string, who access) *Operation {
	op := &Operation{
		Tags: []string{m.Model.Name}, Method: stringName(m), Responses: map[string]*Response{},
		AccessType: who.accessType, Roles: who.roles, Scopes: m.AccessScopes,
	}
	op.Summary, op.Description = b.describe(m, r, who)
	inPath := map[string]bool{}
	for _, p := range pathParams {
		inPath[p] = true
	}
	hasBody := verb == "post" || verb == "put" || verb == "patch"
	var form []schema.Arg
	var body *schema.Arg
	for i := range m.Accepts {
		a := m.Accepts[i]
		switch src := a.Source; {
		case src == "path" || (src == "" && inPath[a.Name]):
			if inPath[a.Name] {
				op.Parameters = append(op.Parameters, b.pathParam(m, a))
			}
		case src == "query" || (src == "" && !hasBody):
			op.Parameters = append(op.Parameters, b.queryParam(m, a))
		case src == "header":
			op.Parameters = append(op.Parameters, &Parameter{Name: a.Name, In: "header", Required: a.Required,
				Description: a.Description, Schema: b.argSchema(a, false)})
		case src == "body":
			if hasBody {
				body = &a
			}
		case src == "form" || src == "formData" || src == "":
			if hasBody {
				form = append(form, a)
			}
		}
	}
	// a path parameter the accepts do not name (a remote method's own /:x segment) is still a
	// parameter of the path
	for _, p := range pathParams {
		if !hasParam(op.Parameters, p) {
			op.Parameters = append(op.Parameters, b.pathParam(m, schema.Arg{Name: p, Type: schema.String}))
		}
	}
	switch {
	case body != nil:
		op.RequestBody = b.bodyOf(m, *body)
	case len(form) > 0:
		op.RequestBody = b.formBody(form)
	}
	b.responses(m, r, verb, op)
	op.Security = b.security(who)
	return op
}

func hasParam(ps []*Parameter, name string) bool {
	for _, p := range ps {
		if p.Name == name && p.In == "path" {
			return true
		}
	}
	return false
}

// pathParam documents :id (the model's id) and :fk (the related model's id).
func (b *builder) pathParam(m Method, a schema.Arg) *Parameter {
	p := &Parameter{Name: a.Name, In: "path", Required: true, Description: a.Description}
	switch {
	case a.Name == "id":
		p.Schema = b.idSchema(m.Model)
		if p.Description == "" {
			p.Description = m.Model.Name + " id"
		}
		if b.opts.CurrentUserLiteral != "" && m.Model.IsA("User") {
			p.Schema = Schema{"type": "string"}
			p.Description += fmt.Sprintf("; %q stands for the caller's own id", b.opts.CurrentUserLiteral)
		}
	case a.Name == "fk" && m.Target != nil:
		p.Schema = b.idSchema(m.Target)
		if p.Description == "" {
			p.Description = "Foreign key: " + m.Target.Name + " id"
		}
	default:
		p.Schema = b.argSchema(a, false)
		if len(p.Schema) == 0 {
			p.Schema = Schema{"type": "string"}
		}
	}
	return p
}

// idSchema is the schema of a model's id in a path.
func (b *builder) idSchema(m *schema.Model) Schema {
	id := m.IDProperty()
	if id == nil {
		return Schema{"type": "string"}
	}
	if id.Type == schema.Number {
		if id.Generated {
			return Schema{"type": "integer", "format": "int64"}
		}
		return Schema{"type": "number"}
	}
	return Schema{"type": "string"}
}

// queryParam documents a query argument; objects and arrays of objects are JSON text.
func (b *builder) queryParam(m Method, a schema.Arg) *Parameter {
	p := &Parameter{Name: a.Name, In: "query", Required: a.Required, Description: a.Description}
	switch {
	case a.Name == "filter" && a.Type == schema.Object:
		p.Content = map[string]MediaType{"application/json": {Schema: b.ref(b.names.filter)}}
		p.Description = joinSentences(p.Description, filterParamDoc(m, "filter"))
	case a.Name == "where" && a.Type == schema.Object:
		p.Content = map[string]MediaType{"application/json": {Schema: b.ref(b.names.where)}}
		p.Description = joinSentences(p.Description, filterParamDoc(m, "where"))
	case a.Type == schema.Array && !isModelType(b.opts.Models, a.Items) && a.Items != schema.Object:
		p.Schema = b.argSchema(a, false)
		explode := true
		p.Style, p.Explode = "form", &explode
		p.Description = joinSentences(p.Description, "Repeat the parameter for each value, or send one JSON array.")
	case a.Type == schema.Object || a.Type == schema.GeoPoint || a.Type == schema.Array || isModelType(b.opts.Models, a.Type):
		p.Content = map[string]MediaType{"application/json": {Schema: b.argSchema(a, false)}}
		p.Description = joinSentences(p.Description, "JSON text, or the bracket form ("+a.Name+"[key]=value).")
	default:
		p.Schema = b.argSchema(a, false)
	}
	return p
}

// filterParamDoc describes the JSON and bracket forms of a filter or where parameter, with an
// example on one of the model's properties.
func filterParamDoc(m Method, name string) string {
	target := m.Model
	if m.Target != nil && m.Kind == Related {
		target = m.Target
	}
	props := make([]string, 0, len(target.Properties))
	example := ""
	for _, p := range target.Properties {
		if target.IsHidden(p.Name) {
			continue
		}
		props = append(props, p.Name)
		if example == "" && !p.ID && p.Type == schema.String {
			example = p.Name
		}
	}
	if example == "" && len(props) > 0 {
		example = props[0]
	}
	list := "(properties: " + strings.Join(props, ", ") + ")"
	if name == "filter" {
		return "A LoopBack filter on " + target.Name + " " + list + ", as JSON text: " +
			"`filter={\"where\":{\"" + example + "\":\"x\"},\"order\":\"" + example + " DESC\",\"limit\":5}`, or in the bracket form: " +
			"`filter[where][" + example + "]=x&filter[order]=" + example + "%20DESC&filter[limit]=5`."
	}
	return "A where condition on " + target.Name + " " + list + ", as JSON text: " +
		"`where={\"" + example + "\":\"x\"}`, or in the bracket form: `where[" + example + "]=x`; " +
		"operators as in `where[" + example + "][neq]=x`."
}

func joinSentences(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	if !strings.HasSuffix(a, ".") {
		a += "."
	}
	return a + " " + b
}

// bodyOf documents a body argument (the whole body).
func (b *builder) bodyOf(m Method, a schema.Arg) *RequestBody {
	var s Schema
	target := m.Model
	if m.Kind == Related && m.Target != nil {
		target = m.Target
	}
	switch {
	case a.Name == "data" && m.Kind != Declared:
		s = b.dataSchema(m, target)
	case m.Kind == Declared && m.Static && m.Name == "login" && a.Name == "credentials" && m.Model.IsA("User"):
		s = credentialsSchema()
	default:
		s = b.argSchema(a, true)
	}
	return &RequestBody{Description: a.Description, Required: a.Required, Content: map[string]MediaType{"application/json": {Schema: s}}}
}

// dataSchema is the body of a CRUD or relation write: the new, partial or replacing instance.
func (b *builder) dataSchema(m Method, target *schema.Model) Schema {
	switch m.Name {
	case "create":
		return b.ref(b.names.newListOf(target))
	case "replaceOrCreate", "replaceById":
		return b.ref(b.names.newOf(target))
	}
	if strings.HasPrefix(m.Name, "__create__") {
		if m.Relation != nil && (m.Relation.Type == schema.HasOne) {
			return b.ref(b.names.newOf(target))
		}
		return b.ref(b.names.newListOf(target))
	}
	if strings.HasPrefix(m.Name, "__link__") {
		return Schema{"type": "object", "description": "Properties of the link record (the through model)."}
	}
	return b.ref(b.names.partialOf(target))
}

// formBody documents form arguments: properties of a JSON object or of a urlencoded form.
func (b *builder) formBody(args []schema.Arg) *RequestBody {
	props := Schema{}
	var required []any
	for _, a := range args {
		s := b.argSchema(a, true)
		if a.Description != "" {
			s = withDescription(s, a.Description)
		}
		props[a.Name] = s
		if a.Required {
			required = append(required, a.Name)
		}
	}
	s := Schema{"type": "object", "properties": props}
	if len(required) > 0 {
		s["required"] = required
	}
	return &RequestBody{Required: len(required) > 0, Content: map[string]MediaType{
		"application/json":                  {Schema: s},
		"application/x-www-form-urlencoded": {Schema: s},
	}}
}

// withDescription returns s with a description; a $ref is wrapped so it keeps no siblings.
func withDescription(s Schema, d string) Schema {
	if _, ok := s["$ref"]; ok {
		return Schema{"allOf": []any{s}, "description": d}
	}
	out := Schema{}
	for k, v := range s {
		out[k] = v
	}
	out["description"] = d
	return out
}

// security lists the ways to send a token; anonymous calls are an alternative where the
// static ACLs let them through.
func (b *builder) security(who access) []SecurityRequirement {
	var out []SecurityRequirement
	if who.anonymous {
		out = append(out, SecurityRequirement{})
	}
	for _, name := range b.schemeNames() {
		out = append(out, SecurityRequirement{name: {}})
	}
	return out
}

// responses documents the success answer and the errors of a route.
func (b *builder) responses(m Method, r schema.Route, verb string, op *Operation) {
	status, res := b.success(m, verb)
	if r.Status != 0 {
		status = r.Status
	}
	op.Responses[strconv.Itoa(status)] = res
	hasInput := len(op.Parameters) > 0 || op.RequestBody != nil
	if hasInput {
		op.Responses["400"] = b.refResponse("BadRequest")
	}
	op.Responses["401"] = b.refResponse("Unauthorized")
	if b.opts.ACLErrorStatus == http.StatusForbidden {
		op.Responses["403"] = b.refResponse("Forbidden")
	}
	if !m.Static || hasParam(op.Parameters, "id") || m.Name == "findOne" || b.opts.ACLErrorStatus == http.StatusNotFound {
		op.Responses["404"] = b.refResponse("NotFound")
	}
	if op.RequestBody != nil {
		op.Responses["413"] = b.refResponse("TooLarge")
	}
	if op.AccessType == "WRITE" || op.RequestBody != nil {
		op.Responses["422"] = b.refResponse("Invalid")
	}
	op.Responses["default"] = b.refResponse("Error")
}

func (b *builder) refResponse(name string) *Response {
	return &Response{Ref: "#/components/responses/" + name}
}

// ref is a $ref to a component schema; model schemas are written when first referenced.
func (b *builder) ref(name string) Schema {
	if !b.wanted[name] {
		b.wanted[name] = true
		b.pending = append(b.pending, name)
	}
	return Schema{"$ref": "#/components/schemas/" + name}
}

// finish writes the referenced schemas, the tags and the security.
func (b *builder) finish() *Document {
	for len(b.pending) > 0 {
		name := b.pending[0]
		b.pending = b.pending[1:]
		if _, done := b.doc.Components.Schemas[name]; done {
			continue
		}
		if s := b.componentSchema(name); s != nil {
			b.doc.Components.Schemas[name] = s
		}
	}
	names := make([]string, 0, len(b.tags))
	for n := range b.tags {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		m := b.tags[n]
		d := m.StringSetting("description", "")
		if d == "" {
			d = "Model " + n + ", at /" + strings.Trim(m.HTTPPath, "/")
		}
		b.doc.Tags = append(b.doc.Tags, Tag{Name: n, Description: d})
	}
	return b.doc
}
