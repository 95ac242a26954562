package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/loopgo/loopgo/framework"
)

func TestUsernameOnlyUsers(t *testing.T) {
	app, err := NewApp("sqlite:" + filepath.Join(t.TempDir(), "u.db"))
	if err != nil {
		t.Fatal(err)
	}
	app.Boot("fast-bcrypt", func(ctx context.Context, a *framework.App) error {
		a.Model("User").Definition().Settings["saltWorkFactor"] = 4
		return nil
	})
	if err := app.Setup(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer app.Shutdown(context.Background())
	post := func(path, body string) (int, map[string]any) {
		req := httptest.NewRequest("POST", path, bytes.NewReader([]byte(body)))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		app.Handler().ServeHTTP(rec, req)
		var obj map[string]any
		_ = json.Unmarshal(rec.Body.Bytes(), &obj)
		return rec.Code, obj
	}
	if st, obj := post("/api/users", `{"username":"ann","password":"SuperFakePassword"}`); st != 200 || obj["username"] != "ann" {
		t.Fatalf("sign-up without email: %d %v", st, obj)
	}
	if st, obj := post("/api/users", `{"username":"bob","email":"not-an-email","password":"SuperFakePassword"}`); st != 200 {
		t.Fatalf("format rule still there: %d %v", st, obj)
	}
	if st, obj := post("/api/users/login", `{"username":"ann","password":"SuperFakePassword"}`); st != 200 || len(obj["id"].(string)) != 64 {
		t.Fatalf("login by username: %d %v", st, obj)
	}
	if st, _ := post("/api/users", `{"username":"ann","password":"SuperFakePassword"}`); st != 422 {
		t.Fatalf("username uniqueness: %d", st)
	}
}
