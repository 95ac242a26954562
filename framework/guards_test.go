package framework_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/loopgo/loopgo/framework"
	"github.com/loopgo/loopgo/framework/accounts"
	"github.com/loopgo/loopgo/framework/rest"
)

const teamYAML = `
name: Team
plural: teams
properties:
  name: string
relations:
  members: {type: hasMany, model: User, foreignKey: teamId}
  memos: {type: hasMany, model: Memo, foreignKey: teamId}
`

const teamMemoYAML = `
name: Memo
plural: memos
properties:
  text: string
  teamId: number
  authorId: number
relations:
  author: {type: belongsTo, model: User, foreignKey: authorId}
ownerFromToken: true
`

func teamsApp(t *testing.T, setup ...func(*framework.App)) *testApp {
	cfg := strings.Replace(aclConfig, "Account: {dataSource: db}", "Team: {dataSource: db}\nMemo: {dataSource: db}", 1)
	return newTestApp(t, map[string]string{"team.yaml": teamYAML, "memo.yaml": teamMemoYAML, "model-config.yaml": cfg}, setup...)
}

func TestUserWriteGuards(t *testing.T) {
	a := teamsApp(t, func(app *framework.App) {
		app.Boot("sign-up limit", func(ctx context.Context, app *framework.App) error {
			app.Model("User").Definition().Settings["registerThrottle"] = map[string]any{"max": 4, "window": 3600}
			return nil
		})
	})
	ctx := context.Background()
	team, _ := a.app.Model("Team").Create(ctx, map[string]any{"name": "t"})
	hash, err := accounts.HashPassword("SuperFakePassword", 4)
	if err != nil {
		t.Fatal(err)
	}
	// a password given as a bcrypt hash would skip the policy
	if r := a.do("POST", "/api/users", map[string]any{"email": "h@example.com", "password": hash}); r.Status != 422 || r.errField("code") != "INVALID_PASSWORD" {
		t.Fatalf("hash as password: %d %s", r.Status, r.Raw)
	}
	// a relation route that creates a user drops server-owned fields
	r := a.do("POST", fmt.Sprintf("/api/teams/%v/members", team["id"]), map[string]any{"email": "m@example.com", "password": "SuperFakePassword", "emailVerified": true, "disabled": true})
	if r.Status != 200 || r.obj()["emailVerified"] == true || r.obj()["disabled"] == true {
		t.Fatalf("relation create of a user: %d %s", r.Status, r.Raw)
	}
	// sign-ups per address: the hash attempt and the member count; a list counts each user
	if r := a.do("POST", "/api/users", []any{map[string]any{"email": "l1@example.com", "password": "SuperFakePassword"}, map[string]any{"email": "l2@example.com", "password": "SuperFakePassword"}}); r.Status != 200 {
		t.Fatalf("list sign-up: %d %s", r.Status, r.Raw)
	}
	if r := a.do("POST", "/api/users", map[string]any{"email": "x@example.com", "password": "SuperFakePassword"}); r.Status != 429 {
		t.Fatalf("fifth sign-up attempt: %d %s", r.Status, r.Raw)
	}
}

func TestOwnerFromTokenOnRelationCreateAndNoStore(t *testing.T) {
	a := teamsApp(t)
	uid, tok := a.signup("ann@example.com", "SuperFakePassword")
	team, _ := a.app.Model("Team").Create(context.Background(), map[string]any{"name": "t"})
	r := a.do("POST", fmt.Sprintf("/api/teams/%v/memos", team["id"]), map[string]any{"text": "x", "authorId": 999}, "Authorization", tok)
	if r.Status != 200 || r.obj()["authorId"] != uid || fmt.Sprint(r.obj()["teamId"]) != fmt.Sprint(team["id"]) {
		t.Fatalf("relation create stamps the author: %d %s", r.Status, r.Raw)
	}
	if r := a.do("GET", "/api/memos", nil, "Authorization", tok); r.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("authenticated answer cacheable: %v", r.Header)
	}
	if r := a.do("GET", "/api/memos", nil); r.Header.Get("Cache-Control") == "no-store" {
		t.Fatalf("anonymous public answer marked no-store: %v", r.Header)
	}
}

func TestRecentLoginForMFAAndCombinedNotices(t *testing.T) {
	a, srv := mailApp(t)
	id, fresh := a.signup("ann@example.com", "SuperFakePassword")
	old := a.staleToken(id)
	if r := a.do("POST", fmt.Sprintf("/api/users/%v/mfa/enroll", id), nil, "Authorization", old); r.Status != 401 || r.errField("code") != "REAUTHENTICATION_REQUIRED" {
		t.Fatalf("MFA enrol with an old session: %d %s", r.Status, r.Raw)
	}
	if r := a.do("PATCH", fmt.Sprintf("/api/users/%v", id), map[string]any{"email": "ann2@example.com", "username": "annie"}, "Authorization", fresh); r.Status != 200 {
		t.Fatalf("patch: %d %s", r.Status, r.Raw)
	}
	msg := srv.WaitFor(t, 1, 10*time.Second)[0]
	if !strings.Contains(msg.Text, "username of your account was changed to annie") || !strings.Contains(msg.Text, "changed to ann2@example.com") {
		t.Fatalf("one notice with both changes: %s", msg.Text)
	}
}

func TestShortMFAKeyStopsStartUp(t *testing.T) {
	app, err := framework.New(framework.Config{Datasources: map[string]framework.Datasource{"db": {URL: "sqlite:" + t.TempDir() + "/a.db"}},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	app.AttachModel("User", "db", true)
	app.Boot("key", func(ctx context.Context, app *framework.App) error {
		app.Model("User").Definition().Settings["mfaSecretKey"] = "short"
		return nil
	})
	if err := app.Setup(context.Background()); err == nil || !strings.Contains(err.Error(), "mfaSecretKey must be at least 16") {
		t.Fatalf("err = %v", err)
	}
	_ = app.Shutdown(context.Background())
}

func TestUserModelsDoNotShareIdentities(t *testing.T) {
	customer := "name: Customer\nbase: User\nplural: customers\n"
	cfg := usersConfig + "Customer: {dataSource: db}\nRole: {dataSource: db, public: false}\nRoleMapping: {dataSource: db, public: false}\n"
	a := newTestApp(t, map[string]string{"note.yaml": noteYAML, "customer.yaml": customer, "model-config.yaml": cfg})
	ctx := context.Background()
	if err := a.app.GrantRole(ctx, "admin", 1); err != nil {
		t.Fatal(err)
	}
	for model, want := range map[string]bool{"User": true, "Customer": false} {
		got, err := a.app.HasRole(ctx, &rest.Token{UserID: int64(1), UserModel: model}, "admin")
		if err != nil || got != want {
			t.Errorf("%s 1 has the admin role: %v (%v), want %v", model, got, err, want)
		}
	}
	// user 1 of each model owns only its own record
	a.do("POST", "/api/users", map[string]any{"email": "u@example.com", "password": "SuperFakePassword"})
	a.do("POST", "/api/customers", map[string]any{"email": "c@example.com", "password": "SuperFakePassword"})
	r := a.do("POST", "/api/customers/login", map[string]any{"email": "c@example.com", "password": "SuperFakePassword"})
	ctok := r.obj()["id"].(string)
	if r := a.do("GET", "/api/users/1", nil, "Authorization", ctok); r.Status != 401 {
		t.Fatalf("customer 1 reads user 1: %d %s", r.Status, r.Raw)
	}
	if r := a.do("GET", "/api/customers/1", nil, "Authorization", ctok); r.Status != 200 {
		t.Fatalf("customer 1 reads itself: %d %s", r.Status, r.Raw)
	}
}
