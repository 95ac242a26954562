package framework_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/loopgo/loopgo/framework"
	"github.com/loopgo/loopgo/framework/store"
)

// TestBadInputNeverServerError sends malformed and hostile requests to the ready app: every one
// must answer a 4xx in the error envelope, never a 500, a stack trace or SQL.
func TestBadInputNeverServerError(t *testing.T) {
	a, toks := readyApp(t)
	auth := []string{"Authorization", toks["owner"]}
	deep := strings.Repeat(`{"a":`, 40) + "1" + strings.Repeat("}", 40)
	cases := []struct {
		method, path string
		body         any
		headers      []string
	}{
		{"POST", "/api/notes", `[1,2]`, auth},
		{"POST", "/api/notes", `"just a string"`, auth},
		{"POST", "/api/notes", `{"title":`, auth},
		{"POST", "/api/notes", deep, auth},
		{"POST", "/api/notes", map[string]any{"title": map[string]any{"$gt": ""}}, auth},
		{"POST", "/api/notes", map[string]any{"title": "x", "rating": []any{1}}, auth},
		{"POST", "/api/notes", map[string]any{"title": "x", "published": "maybe"}, auth},
		{"POST", "/api/notes", map[string]any{"title": "x", "id": "abc"}, auth},
		{"PATCH", "/api/notes/1", `[1]`, auth},
		{"PATCH", "/api/notes/1", map[string]any{"id": "zzz"}, auth},
		{"PUT", "/api/notes/1", `null`, auth},
		{"GET", "/api/notes?filter=" + q(`{"include":"nope"}`), nil, nil},
		{"GET", "/api/notes?filter=" + q(`{"include":{"owner":{"nope":true}}}`), nil, nil},
		{"GET", "/api/notes?filter=" + q(`{"where":{"title":{"regexp":"("}}}`), nil, nil},
		{"GET", "/api/notes?filter=" + q(`{"where":{"title":{"like":5}}}`), nil, nil},
		{"GET", "/api/notes?filter=" + q(`{"where":{"rating":{"gt":{"a":1}}}}`), nil, nil},
		{"GET", "/api/notes?filter=" + q(`{"where":{"owner.password":"x"}}`), nil, auth},
		{"GET", "/api/notes?filter=" + q(`{"where":{"title.x.y":"z"}}`), nil, nil},
		{"GET", "/api/notes?filter=" + q(`{"order":"title; DROP TABLE Note"}`), nil, nil},
		{"GET", "/api/notes?filter=" + q(`{"fields":{"title":{"x":1}}}`), nil, nil},
		{"GET", "/api/notes?filter=" + q(`{"limit":"ten"}`), nil, nil},
		{"GET", "/api/notes?filter=" + q(`{"skip":1e300}`), nil, nil},
		{"GET", "/api/notes?filter=" + q(`{"limit":1e300}`), nil, nil},
		{"GET", "/api/notes?filter[where][rating][inq][0]=a", nil, nil},
		{"GET", "/api/notes?filter[where][and]=1", nil, nil},
		{"GET", "/api/notes?filter[where][title][regexp]=/a/z", nil, nil},
		{"GET", "/api/notes/1?filter=[]", nil, nil},
		{"GET", "/api/notes/99999999999999999999999", nil, nil},
		{"GET", "/api/notes/-1", nil, nil},
		{"GET", "/api/notes/1e3", nil, nil},
		{"GET", "/api/notes/%00", nil, nil},
		{"GET", "/api/notes/count?where=" + q(`{"nope":1}`), nil, nil},
		{"POST", "/api/notes/update?where=" + q(`{"rating":{"gt":"x"}}`), map[string]any{"rating": 1}, []string{"Authorization", toks["admin"]}},
		{"POST", "/api/notes/upsertWithWhere?where=" + q(`[]`), map[string]any{"title": "x"}, []string{"Authorization", toks["admin"]}},
		{"POST", "/api/users/login", map[string]any{"email": []any{"a"}, "password": "x"}, nil},
		{"POST", "/api/users/login", map[string]any{"email": "a@example.com", "password": map[string]any{"x": 1}}, nil},
		{"POST", "/api/users/login", map[string]any{"email": "a@example.com", "password": "x", "ttl": "forever"}, nil},
		{"POST", "/api/users", map[string]any{"email": "x@example.com", "password": 12345678}, nil},
		{"POST", "/api/users", map[string]any{"email": 5, "password": "SuperFakePassword"}, nil},
		{"POST", "/api/users/reset", map[string]any{"email": map[string]any{"neq": ""}}, nil},
		{"POST", "/api/users/change-password", map[string]any{"oldPassword": 1, "newPassword": 2}, auth},
		{"GET", "/api/users/confirm?uid=abc&token=x", nil, nil},
		{"GET", "/api/users/2/sessions/x", nil, auth},
		{"GET", "/api/users/2", nil, []string{"Authorization", "Bearer !!!"}},
		{"GET", "/api/users/2", nil, []string{"Authorization", "Basic !!!"}},
		{"GET", "/api/users/2", nil, []string{"Authorization", strings.Repeat("x", 5000)}},
		{"GET", "/api/notes/stats?x=" + strings.Repeat("y", 3000), nil, nil},
		{"POST", "/api/ACLs/explain", map[string]any{"model": 5}, []string{"Authorization", toks["admin"]}},
		{"POST", "/api/ACLs/explain", map[string]any{"model": "Nope", "property": "find"}, []string{"Authorization", toks["admin"]}},
	}
	for _, c := range cases {
		r := a.do(c.method, c.path, c.body, c.headers...)
		if r.Status >= 500 || r.Status < 400 && r.Status != 200 {
			t.Errorf("%s %s %v: %d %s", c.method, c.path, c.body, r.Status, r.Raw)
			continue
		}
		if r.Status >= 400 && r.errField("statusCode") != float64(r.Status) {
			t.Errorf("%s %s: no envelope: %s", c.method, c.path, r.Raw)
		}
		low := strings.ToLower(r.Raw)
		for _, leak := range []string{"select ", "sqlite", "goroutine", ".go:", "panic", "$2a$", "$2b$"} {
			if strings.Contains(low, leak) {
				t.Errorf("%s %s leaks %q: %s", c.method, c.path, leak, r.Raw)
			}
		}
	}
}

func TestInternalErrorEnvelope(t *testing.T) {
	a := newTestApp(t, map[string]string{"note.yaml": noteYAML, "model-config.yaml": modelConfig}, func(app *framework.App) {
		app.Model("Note").Observe("before save", func(ctx context.Context, hc *store.HookContext) error {
			return fmt.Errorf("disk on fire at /var/secret/path")
		})
	})
	r := a.do("POST", "/api/notes", map[string]any{"title": "x"})
	if r.Status != 500 || r.Raw != `{"error":{"statusCode":500,"message":"Internal Server Error"}}` {
		t.Fatalf("%d %s", r.Status, r.Raw)
	}
	if !strings.Contains(a.log.String(), "disk on fire") || !strings.Contains(a.log.String(), "request_id=") {
		t.Fatal("the internal error is not logged with its request id")
	}
}
