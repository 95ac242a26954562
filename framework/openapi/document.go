// Package openapi describes a Loopgo REST API as an OpenAPI 3.1 document, built from the model
// definitions and the methods the REST layer exposes: paths, verbs, parameters, request and
// response schemas per model, the error envelope, the token sources as security schemes and,
// per operation, the ACL roles that may call it. It also serves the API explorer (Swagger UI,
// embedded in the binary). It knows no Echo and no database: the framework hands it the
// exposed methods.
package openapi

import (
	"bytes"
	"encoding/json"

	"gopkg.in/yaml.v3"
)

// Version is the OpenAPI version of the documents Build writes.
const Version = "3.1.0"

// Schema is a JSON Schema (2020-12, as OpenAPI 3.1 uses it).
type Schema = map[string]any

// Document is an OpenAPI 3.1 document.
type Document struct {
	OpenAPI    string                `json:"openapi"`
	Info       Info                  `json:"info"`
	Servers    []Server              `json:"servers,omitempty"`
	Tags       []Tag                 `json:"tags,omitempty"`
	Paths      map[string]*PathItem  `json:"paths"`
	Components Components            `json:"components"`
	Security   []SecurityRequirement `json:"security,omitempty"`
}

// Info is the document's title, version and description.
type Info struct {
	Title       string `json:"title"`
	Version     string `json:"version"`
	Description string `json:"description,omitempty"`
}

// Server is where the API is served (the REST root, relative to the page's origin).
type Server struct {
	URL         string `json:"url"`
	Description string `json:"description,omitempty"`
}

// Tag groups the operations of one model.
type Tag struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
}

// PathItem holds the operations of one path, by verb.
type PathItem struct {
	Get    *Operation `json:"get,omitempty"`
	Put    *Operation `json:"put,omitempty"`
	Post   *Operation `json:"post,omitempty"`
	Delete *Operation `json:"delete,omitempty"`
	Head   *Operation `json:"head,omitempty"`
	Patch  *Operation `json:"patch,omitempty"`
}

// slot returns the operation field of a verb (lower case), or nil for an unknown verb.
func (p *PathItem) slot(verb string) **Operation {
	switch verb {
	case "get":
		return &p.Get
	case "put":
		return &p.Put
	case "post":
		return &p.Post
	case "delete":
		return &p.Delete
	case "head":
		return &p.Head
	case "patch":
		return &p.Patch
	}
	return nil
}

// Operation is one verb of one path: a remote method's route.
type Operation struct {
	OperationID string                `json:"operationId"`
	Summary     string                `json:"summary,omitempty"`
	Description string                `json:"description,omitempty"`
	Tags        []string              `json:"tags,omitempty"`
	Parameters  []*Parameter          `json:"parameters,omitempty"`
	RequestBody *RequestBody          `json:"requestBody,omitempty"`
	Responses   map[string]*Response  `json:"responses"`
	Security    []SecurityRequirement `json:"security"`
	// Method is LoopBack's name of the remote method ("Note.find", "Note.prototype.publish").
	Method string `json:"x-loopgo-method"`
	// AccessType is the ACL access type of the method (READ, WRITE, EXECUTE).
	AccessType string `json:"x-loopgo-access-type"`
	// Roles are the roles the model's static ACLs let call the operation: $everyone,
	// $unauthenticated, $authenticated, $owner or a named role; empty when none.
	Roles []string `json:"x-loopgo-roles"`
	// Scopes are the access token scopes the method needs (absent: the DEFAULT scope).
	Scopes []string `json:"x-loopgo-token-scopes,omitempty"`
	// AnyVerb is true on the POST operation of a route declared with verb "all": the server
	// answers every verb there the same way.
	AnyVerb bool `json:"x-loopgo-any-verb,omitempty"`
}

// Parameter is a path, query or header parameter.
type Parameter struct {
	Ref         string               `json:"$ref,omitempty"`
	Name        string               `json:"name,omitempty"`
	In          string               `json:"in,omitempty"`
	Description string               `json:"description,omitempty"`
	Required    bool                 `json:"required,omitempty"`
	Style       string               `json:"style,omitempty"`
	Explode     *bool                `json:"explode,omitempty"`
	Schema      Schema               `json:"schema,omitempty"`
	Content     map[string]MediaType `json:"content,omitempty"`
}

// RequestBody is the body of an operation.
type RequestBody struct {
	Description string               `json:"description,omitempty"`
	Required    bool                 `json:"required,omitempty"`
	Content     map[string]MediaType `json:"content"`
}

// MediaType is the schema of one content type.
type MediaType struct {
	Schema Schema `json:"schema"`
}

// Response is one status of an operation.
type Response struct {
	Ref         string               `json:"$ref,omitempty"`
	Description string               `json:"description,omitempty"`
	Content     map[string]MediaType `json:"content,omitempty"`
}

// Components holds the schemas, shared responses and security schemes.
type Components struct {
	Schemas         map[string]Schema          `json:"schemas"`
	Responses       map[string]*Response       `json:"responses,omitempty"`
	SecuritySchemes map[string]*SecurityScheme `json:"securitySchemes,omitempty"`
}

// SecurityScheme is one way to send the access token.
type SecurityScheme struct {
	Type        string `json:"type"`
	Description string `json:"description,omitempty"`
	Name        string `json:"name,omitempty"`
	In          string `json:"in,omitempty"`
	Scheme      string `json:"scheme,omitempty"`
}

// SecurityRequirement names the schemes of one alternative ({} = anonymous allowed).
type SecurityRequirement map[string][]string

// JSON returns the document as indented JSON.
func (d *Document) JSON() ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(d); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// YAML returns the document as YAML (the same content as JSON, keys in the same order).
func (d *Document) YAML() ([]byte, error) {
	raw, err := d.JSON()
	if err != nil {
		return nil, err
	}
	var node yaml.Node
	if err := yaml.Unmarshal(raw, &node); err != nil {
		return nil, err
	}
	blockStyle(&node)
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&node); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// blockStyle turns JSON's flow style into YAML's block style; strings keep their !!str tag, so
// the encoder still quotes those YAML would read as another type ("true", "1").
func blockStyle(n *yaml.Node) {
	n.Style = 0
	for _, c := range n.Content {
		blockStyle(c)
	}
}
