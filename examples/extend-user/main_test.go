package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/loopgo/loopgo/framework"
)

func TestCustomerExtendsUser(t *testing.T) {
	app, err := NewApp("sqlite:" + filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	app.Boot("fast-bcrypt", func(ctx context.Context, a *framework.App) error {
		a.Model("Customer").Definition().Settings["saltWorkFactor"] = 4
		return nil
	})
	if err := app.Setup(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer app.Shutdown(context.Background())
	do := func(method, path, body, tok string) (int, map[string]any, string) {
		var rd *bytes.Reader
		if body != "" {
			rd = bytes.NewReader([]byte(body))
		} else {
			rd = bytes.NewReader(nil)
		}
		req := httptest.NewRequest(method, path, rd)
		req.Header.Set("Content-Type", "application/json")
		if tok != "" {
			req.Header.Set("Authorization", tok)
		}
		rec := httptest.NewRecorder()
		app.Handler().ServeHTTP(rec, req)
		var obj map[string]any
		_ = json.Unmarshal(rec.Body.Bytes(), &obj)
		return rec.Code, obj, rec.Body.String()
	}
	st, obj, raw := do("POST", "/api/customers", `{"email":"c@example.com","password":"SuperFakePassword","fullName":"Cee","company":"Acme","emailVerified":true}`, "")
	if st != 200 || obj["fullName"] != "Cee" || obj["vip"] != false || strings.Contains(raw, "password") || strings.Contains(raw, "Acme") || obj["emailVerified"] == true {
		t.Fatalf("create: %d %s", st, raw)
	}
	if st, obj, raw := do("POST", "/api/customers", `{"password":"SuperFakePassword"}`, ""); st != 422 || !strings.Contains(raw, `"email":["presence"]`) {
		t.Fatalf("inherited validation: %d %v", st, obj)
	}
	st, obj, raw = do("POST", "/api/customers/login", `{"email":"c@example.com","password":"SuperFakePassword"}`, "")
	tok, _ := obj["id"].(string)
	if st != 200 || len(tok) != 64 || obj["ttl"] != float64(3600) {
		t.Fatalf("login: %d %s", st, raw)
	}
	if st, obj, raw := do("GET", "/api/customers/1", "", tok); st != 200 || obj["fullName"] != "Cee" {
		t.Fatalf("owner read: %d %s", st, raw)
	}
	if st, _, raw := do("GET", "/api/customers", "", tok); st != 401 {
		t.Fatalf("inherited deny on find: %d %s", st, raw)
	}
	if st, obj, raw := do("GET", "/api/customers/count", "", tok); st != 200 || obj["count"] != float64(1) {
		t.Fatalf("child ACL on count: %d %s", st, raw)
	}
	if st, _, _ := do("GET", "/api/users/1", "", tok); st != 404 {
		t.Fatalf("User itself is not exposed: %d", st)
	}
	if st, _, raw := do("POST", "/api/customers/logout", "", tok); st != 204 {
		t.Fatalf("logout: %d %s", st, raw)
	}
	if st, _, _ := do("GET", "/api/customers/1", "", tok); st != 401 {
		t.Fatalf("token alive after logout: %d", st)
	}
}
