package openapitest

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

const doc = `{"openapi":"3.1.0","info":{"title":"t","version":"1"},"servers":[{"url":"/api"}],
"paths":{"/Notes/{id}":{"get":{"operationId":"find","parameters":[{"name":"id","in":"path","required":true,"schema":{"type":"integer"}}],
"responses":{"200":{"description":"ok","content":{"application/json":{"schema":{"$ref":"#/components/schemas/Note"}}}}}}}},
"components":{"schemas":{"Note":{"type":"object","required":["title"],"properties":{"title":{"type":"string"}},"additionalProperties":false}}}}`

func TestValidate(t *testing.T) {
	if err := Validate([]byte(doc)); err != nil {
		t.Fatalf("a valid document: %v", err)
	}
	for name, bad := range map[string]string{
		"3.0":          strings.Replace(doc, `"3.1.0"`, `"3.0.3"`, 1),
		"no info":      strings.Replace(doc, `"info":{"title":"t","version":"1"},`, ``, 1),
		"dangling ref": strings.Replace(doc, `#/components/schemas/Note"`, `#/components/schemas/Nope"`, 1),
		"bad type":     strings.Replace(doc, `"type":"integer"`, `"type":"int"`, 1),
		"not json":     doc[:40],
	} {
		if err := Validate([]byte(bad)); err == nil {
			t.Errorf("%s: an invalid document passes", name)
		}
	}
}

func TestChecker(t *testing.T) {
	c, err := NewChecker([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest("GET", "/API/notes/1", nil) // any case, as LoopBack matches paths
	h := http.Header{"Content-Type": {"application/json; charset=utf-8"}}
	for _, x := range []struct {
		status int
		body   string
		ok     bool
	}{
		{200, `{"title":"a"}`, true},
		{200, `{"title":1}`, false},
		{200, `{"title":"a","extra":true}`, false},
		{200, `{}`, false},
		{500, `{"error":{}}`, false}, // a status the document does not list
	} {
		checked, err := c.CheckResponse(req, x.status, h, []byte(x.body))
		if !checked || (err == nil) != x.ok {
			t.Errorf("%d %s: checked %v, err %v", x.status, x.body, checked, err)
		}
	}
	if checked, err := c.CheckResponse(httptest.NewRequest("GET", "/login", nil), 200, h, []byte(`{}`)); checked || err != nil {
		t.Errorf("an undocumented path is checked: %v", err)
	}
	if checked, err := c.CheckResponse(httptest.NewRequest("DELETE", "/api/notes/1", nil), 404, h, []byte(`{}`)); !checked || err != nil {
		t.Errorf("a 404 to an undocumented verb: %v", err)
	}
	if _, err := c.CheckResponse(httptest.NewRequest("DELETE", "/api/notes/1", nil), 200, h, []byte(`{}`)); err == nil {
		t.Error("a 200 to an undocumented verb passes")
	}
	if _, err := c.CheckRequest(httptest.NewRequest("GET", "/api/notes/x", nil), nil); err == nil {
		t.Error("a path parameter of the wrong type passes")
	}
}
