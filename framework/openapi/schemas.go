package openapi

import (
	"sort"
	"strings"

	"github.com/loopgo/loopgo/framework/schema"
)

// schemaKind is what a component schema describes.
type schemaKind int

const (
	instanceSchema schemaKind = iota // an instance as answered
	newSchema                        // the body of a create or replace
	partialSchema                    // the body of a patch
	loginSchema                      // the answer of a user model's login
	newListSchema                    // the body of a create: one new instance or a list
	listSchema                       // the answer of a create: one instance or a list
)

// names gives the component names: the model's own name for its instances, New<Model> and
// <Model>Partial for request bodies, and the shared Filter, Where, Error schemas (prefixed
// with Loopgo when a model has the same name).
type names struct {
	models map[string]*schema.Model
	kinds  map[string]componentRef
	filter string
	where  string
	errs   string
	count  string
}

type componentRef struct {
	kind  schemaKind
	model *schema.Model
}

func newNames(ms Models) names {
	n := names{models: map[string]*schema.Model{}, kinds: map[string]componentRef{}}
	for _, m := range ms.Models() {
		n.models[m.Name] = m
	}
	free := func(s string) string {
		for n.models[s] != nil {
			s = "Loopgo" + s
		}
		return s
	}
	n.filter, n.where, n.errs, n.count = free("Filter"), free("Where"), free("ErrorEnvelope"), free("Count")
	return n
}

// name registers and returns a component name of a model schema.
func (n names) name(kind schemaKind, m *schema.Model) string {
	s := m.Name
	switch kind {
	case newSchema:
		s = "New" + m.Name
	case partialSchema:
		s = m.Name + "Partial"
	case loginSchema:
		s = m.Name + "LoginResult"
	case newListSchema:
		s = "New" + m.Name + "OneOrMany"
	case listSchema:
		s = m.Name + "OneOrMany"
	}
	for kind != instanceSchema && n.models[s] != nil {
		s = "Loopgo" + s
	}
	n.kinds[s] = componentRef{kind: kind, model: m}
	return s
}

func (n names) instanceOf(m *schema.Model) string { return n.name(instanceSchema, m) }
func (n names) newOf(m *schema.Model) string      { return n.name(newSchema, m) }
func (n names) partialOf(m *schema.Model) string  { return n.name(partialSchema, m) }
func (n names) loginOf(m *schema.Model) string    { return n.name(loginSchema, m) }
func (n names) newListOf(m *schema.Model) string  { return n.name(newListSchema, m) }
func (n names) listOf(m *schema.Model) string     { return n.name(listSchema, m) }

// isModelType reports whether t names a model (an argument of a model type).
func isModelType(ms Models, t schema.Type) bool {
	switch t {
	case schema.String, schema.Number, schema.Integer, schema.Boolean, schema.Date, schema.Object,
		schema.Array, schema.Any, schema.GeoPoint, "":
		return false
	}
	return ms.Model(string(t)) != nil
}

// typeSchema is the JSON Schema of a property or argument type; request says whether a model
// type is a request body (New<Model>) or an answer (<Model>).
func (b *builder) typeSchema(t, items schema.Type, request bool) Schema {
	switch t {
	case schema.String:
		return Schema{"type": "string"}
	case schema.Number:
		return Schema{"type": "number", "format": "double"}
	case schema.Integer:
		return Schema{"type": "integer", "format": "int64"}
	case schema.Boolean:
		return Schema{"type": "boolean"}
	case schema.Date:
		return Schema{"type": "string", "format": "date-time"}
	case schema.Object:
		return Schema{"type": "object"}
	case schema.Array:
		s := Schema{"type": "array"}
		if items != "" && items != schema.Any {
			s["items"] = b.typeSchema(items, "", request)
		}
		return s
	case schema.GeoPoint:
		return Schema{"type": "object", "required": []any{"lat", "lng"}, "properties": Schema{
			"lat": Schema{"type": "number", "format": "double"}, "lng": Schema{"type": "number", "format": "double"}}}
	case schema.Any, "":
		return Schema{}
	}
	if m := b.opts.Models.Model(string(t)); m != nil {
		if request {
			return b.ref(b.names.newOf(m))
		}
		return b.ref(b.names.instanceOf(m))
	}
	return Schema{}
}

// argSchema is the schema of a remote method argument.
func (b *builder) argSchema(a schema.Arg, request bool) Schema {
	return b.typeSchema(a.Type, a.Items, request)
}

// nullable lets a schema also be null (3.1: a type list, or anyOf with null for a $ref).
func nullable(s Schema) Schema {
	if len(s) == 0 {
		return s // any value, null included
	}
	if t, ok := s["type"].(string); ok {
		out := Schema{}
		for k, v := range s {
			out[k] = v
		}
		out["type"] = []any{t, "null"}
		return out
	}
	return Schema{"anyOf": []any{s, Schema{"type": "null"}}}
}

// componentSchema writes a registered component schema.
func (b *builder) componentSchema(name string) Schema {
	c, ok := b.names.kinds[name]
	if !ok {
		return nil
	}
	switch c.kind {
	case instanceSchema:
		return b.instanceSchema(c.model)
	case newSchema:
		return b.requestSchema(c.model, true)
	case partialSchema:
		return b.requestSchema(c.model, false)
	case loginSchema:
		return b.loginSchema(c.model)
	case newListSchema:
		return Schema{"oneOf": []any{b.ref(b.names.newOf(c.model)), Schema{"type": "array", "items": b.ref(b.names.newOf(c.model))}},
			"description": "One " + c.model.Name + ", or a list of them created in one transaction."}
	case listSchema:
		return Schema{"oneOf": []any{b.ref(b.names.instanceOf(c.model)), Schema{"type": "array", "items": b.ref(b.names.instanceOf(c.model))}},
			"description": "The " + c.model.Name + " created, or the list of them when a list was sent."}
	}
	return nil
}

// propertySchema is one property's schema with its default, description and validations.
func (b *builder) propertySchema(m *schema.Model, p *schema.Property) Schema {
	s := b.typeSchema(p.Type, p.Items, false)
	if p.ID && p.Generated && p.Type == schema.Number {
		s = Schema{"type": "integer", "format": "int64"} // an auto-increment id is a whole number
	}
	for _, v := range m.Validations {
		if v.Property != p.Name {
			continue
		}
		switch v.Kind {
		case "length":
			if p.Type == schema.String {
				if v.Min != nil {
					s["minLength"] = int(*v.Min)
				}
				if v.Max != nil {
					s["maxLength"] = int(*v.Max)
				}
				if v.Is != nil {
					s["minLength"], s["maxLength"] = int(*v.Is), int(*v.Is)
				}
			}
		case "inclusion":
			if len(v.In) > 0 {
				s["enum"] = append([]any(nil), v.In...)
			}
		case "email":
			s["format"] = "email"
		}
	}
	if p.Default != nil {
		s["default"] = jsonValue(p.Default)
	}
	if p.Description != "" {
		s["description"] = p.Description
	}
	return s
}

// jsonValue turns a coerced default into its JSON form (dates as ISO text).
func jsonValue(v any) any {
	if t, ok := v.(interface{ Format(string) string }); ok {
		return t.Format("2006-01-02T15:04:05.000Z")
	}
	return v
}

// instanceSchema is a model instance as the server answers it: hidden properties absent,
// server-owned ones and a generated id read-only, related records (include) optional.
func (b *builder) instanceSchema(m *schema.Model) Schema {
	owned := b.opts.ServerOwned(m)
	props := Schema{}
	for _, p := range m.Properties {
		if m.IsHidden(p.Name) {
			continue
		}
		s := b.propertySchema(m, p)
		if !p.ID && !p.Required {
			s = nullable(s)
		}
		if why, ok := owned[p.Name]; ok {
			s["readOnly"] = true
			s["description"] = joinSentences(str(s["description"]), why)
		} else if p.ID && p.Generated {
			s["readOnly"] = true
			s["description"] = joinSentences(str(s["description"]), "Assigned by the database.")
		}
		props[p.Name] = s
	}
	for _, r := range m.Relations {
		target := b.opts.Models.Model(r.Model)
		if target == nil || r.DisableInclude || props[r.Name] != nil {
			continue
		}
		var s Schema
		switch r.Type {
		case schema.BelongsTo, schema.HasOne:
			s = nullable(b.ref(b.names.instanceOf(target)))
		default:
			s = Schema{"type": "array", "items": b.ref(b.names.instanceOf(target))}
		}
		props[r.Name] = withDescription(s, "The related "+target.Name+" data, when the filter includes "+r.Name+".")
	}
	s := Schema{"type": "object", "properties": props}
	if d := m.StringSetting("description", ""); d != "" {
		s["description"] = d
	}
	if m.Strict != schema.StrictFalse {
		s["additionalProperties"] = false
	}
	return s
}

// requestSchema is the body of a create or replace (full: required properties required) or of a
// patch (every property optional). Hidden properties a client writes (password) are writeOnly;
// server-owned ones are readOnly, hidden server-owned ones absent.
func (b *builder) requestSchema(m *schema.Model, full bool) Schema {
	owned := b.opts.ServerOwned(m)
	props := Schema{}
	var required []any
	for _, p := range m.Properties {
		_, isOwned := owned[p.Name]
		if m.IsHidden(p.Name) && (isOwned || p.ID) {
			continue
		}
		s := b.propertySchema(m, p)
		// a hidden property (password) is kept by a replace when absent: required on create only
		req := full && p.Required && p.Default == nil && p.DefaultFn == "" && !isOwned && !m.IsHidden(p.Name)
		if !req {
			s = nullable(s)
		}
		if isOwned {
			s["readOnly"] = true
			s["description"] = joinSentences(str(s["description"]), owned[p.Name])
		}
		if m.IsHidden(p.Name) {
			s["writeOnly"] = true
			if full && p.Required {
				s["description"] = joinSentences(str(s["description"]), "Required on create.")
			}
		}
		if p.ID && m.ForceID {
			s["description"] = joinSentences(str(s["description"]),
				"Assigned by the database on create (an id given then is refused); give it to replace or patch that instance.")
		}
		if req {
			required = append(required, p.Name)
		}
		props[p.Name] = s
	}
	s := Schema{"type": "object", "properties": props}
	if len(required) > 0 {
		s["required"] = required
	}
	if full {
		s["description"] = "A " + m.Name + " to create or to replace one with."
	} else {
		s["description"] = "Properties of a " + m.Name + " to change; the others are kept."
	}
	if m.Strict == schema.StrictTrue {
		s["additionalProperties"] = false
	}
	return s
}

// credentialsSchema is the body of a user model's login.
func credentialsSchema() Schema {
	return Schema{
		"type":        "object",
		"description": "The email (or username) and password; code is the one-time code of a user with two-step verification.",
		"required":    []any{"password"},
		"properties": Schema{
			"email":    Schema{"type": "string"},
			"username": Schema{"type": "string"},
			"password": Schema{"type": "string", "writeOnly": true},
			"code":     Schema{"type": "string", "description": "The TOTP code, when the user has turned multi-factor authentication on."},
			"ttl":      Schema{"type": "number", "format": "double", "description": "Seconds the token should live (at most the model's maxTTL)."},
		},
	}
}

// loginSchema is the answer of a user model's login: the access token (its id is the token).
func (b *builder) loginSchema(m *schema.Model) Schema {
	return Schema{
		"type":     "object",
		"required": []any{"id", "ttl", "created", "userId"},
		"properties": Schema{
			"id":      Schema{"type": "string", "description": "The access token: send it as the Authorization or X-Access-Token header, or the access_token query parameter."},
			"ttl":     Schema{"type": "number", "format": "double", "description": "Seconds the token lives."},
			"created": Schema{"type": "string", "format": "date-time"},
			"userId":  b.idSchema(m),
			"scopes":  nullable(Schema{"type": "array", "items": Schema{"type": "string"}}),
			"user":    withDescription(b.ref(b.names.instanceOf(m)), "The user, with include=user."),
		},
	}
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

// addCommon writes the error envelope, the filter and where schemas, the shared error responses
// and the security schemes.
func (b *builder) addCommon() {
	c := &b.doc.Components
	c.Schemas[b.names.errs] = Schema{
		"type":        "object",
		"description": "LoopBack's error envelope: every error answer has this shape.",
		"required":    []any{"error"},
		"properties": Schema{"error": Schema{
			"type":     "object",
			"required": []any{"statusCode", "message"},
			"properties": Schema{
				"statusCode": Schema{"type": "integer"},
				"name":       Schema{"type": "string", "description": "e.g. Error, ValidationError (absent on 5xx answers)"},
				"message":    Schema{"type": "string"},
				"code":       Schema{"type": "string", "description": "e.g. AUTHORIZATION_REQUIRED, MODEL_NOT_FOUND, INVALID_TOKEN"},
				"details":    Schema{"description": "ValidationError: the model (codes and messages per property); other errors: free-form."},
			},
		}},
	}
	c.Schemas[b.names.count] = Schema{"type": "object", "required": []any{"count"},
		"properties": Schema{"count": Schema{"type": "integer"}}}
	c.Schemas[b.names.where] = Schema{
		"type": "object",
		"description": "A where condition: {property: value} for equality, or {property: {op: value}} with op one of " +
			"eq, neq, gt, gte, lt, lte, between, inq, nin, like, nlike, ilike, nilike, regexp, exists, near; " +
			"and/or take a list of conditions. Properties of related models are written relation.property.",
		"properties": Schema{
			"and": Schema{"type": "array", "items": b.ref(b.names.where)},
			"or":  Schema{"type": "array", "items": b.ref(b.names.where)},
		},
		"additionalProperties": Schema{"description": "A property's value, or {operator: value}."},
	}
	b.wanted[b.names.where] = true
	c.Schemas[b.names.filter] = Schema{
		"type":        "object",
		"description": "A LoopBack filter.",
		"properties": Schema{
			"where":   b.ref(b.names.where),
			"fields":  Schema{"description": "Properties to answer: an object {property: true|false}, or a list of names."},
			"include": Schema{"description": "Relations to include: a name, a list, {relation: scope} or {relation, scope}."},
			"order":   Schema{"description": "\"property ASC|DESC\", or a list of them."},
			"limit":   Schema{"type": "integer", "minimum": 0},
			"skip":    Schema{"type": "integer", "minimum": 0},
			"offset":  Schema{"type": "integer", "minimum": 0},
		},
	}
	envelope := map[string]MediaType{"application/json": {Schema: b.ref(b.names.errs)}}
	for name, d := range map[string]string{
		"BadRequest":   "Bad input: an argument or the filter is malformed or of the wrong type.",
		"Unauthorized": "No access token, or an invalid or expired one (INVALID_TOKEN), or the ACLs deny the call (AUTHORIZATION_REQUIRED).",
		"Forbidden":    "The ACLs deny the call to the caller's token (aclErrorStatus 403).",
		"NotFound":     "No such instance (MODEL_NOT_FOUND), or no such route.",
		"TooLarge":     "The body is over the size limit.",
		"Invalid":      "The data is not valid (ValidationError, with details per property), or the change is refused.",
		"Error":        "Any other error, in the same envelope (5xx answers carry only statusCode and message).",
	} {
		c.Responses[name] = &Response{Description: d, Content: envelope}
	}
	c.SecuritySchemes["AuthorizationHeader"] = &SecurityScheme{Type: "apiKey", In: "header", Name: "Authorization",
		Description: "The access token (the id of the login answer) as the Authorization header, bare or as \"Bearer <token>\"."}
	c.SecuritySchemes["AccessTokenHeader"] = &SecurityScheme{Type: "apiKey", In: "header", Name: "X-Access-Token",
		Description: "The access token as the X-Access-Token header."}
	c.SecuritySchemes["AccessTokenQuery"] = &SecurityScheme{Type: "apiKey", In: "query", Name: "access_token",
		Description: "The access token as the access_token query parameter (also read from an access_token property of a JSON body)."}
	c.SecuritySchemes["BearerToken"] = &SecurityScheme{Type: "http", Scheme: "bearer",
		Description: "The access token as \"Authorization: Bearer <token>\"."}
	if b.opts.CookieTokens {
		c.SecuritySchemes["AccessTokenCookie"] = &SecurityScheme{Type: "apiKey", In: "cookie", Name: "access_token",
			Description: "A signed access_token cookie holding the token."}
		c.SecuritySchemes["AuthorizationCookie"] = &SecurityScheme{Type: "apiKey", In: "cookie", Name: "authorization",
			Description: "A signed authorization cookie holding the token."}
	}
}

// schemeNames lists the security schemes, sorted.
func (b *builder) schemeNames() []string {
	out := make([]string, 0, len(b.doc.Components.SecuritySchemes))
	for n := range b.doc.Components.SecuritySchemes {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// firstSentence is the summary of a description: up to the first ". ".
func firstSentence(s string) string {
	if i := strings.Index(s, ". "); i > 0 {
		return s[:i+1]
	}
	return s
}
