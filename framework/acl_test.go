package framework_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/loopgo/loopgo/framework"
	"github.com/loopgo/loopgo/framework/acl"
	"github.com/loopgo/loopgo/framework/apierr"
)

const accountYAML = `
name: Account
plural: accounts
properties:
  name: string
  userId: number
relations:
  user: {type: belongsTo, model: User, foreignKey: userId}
acls:
  - {principalType: ROLE, principalId: $everyone, permission: DENY}
  - {principalType: ROLE, principalId: $owner, permission: ALLOW}
  - {principalType: ROLE, principalId: $owner, permission: DENY, property: deleteById}
  - {principalType: ROLE, principalId: teamMember, permission: ALLOW, accessType: WRITE}
  - {principalType: ROLE, principalId: auditor, permission: ALLOW, accessType: READ}
`

const aclConfig = `
User: {dataSource: db}
AccessToken: {dataSource: db, public: false}
ACL: {dataSource: db, public: false}
Role: {dataSource: db, public: false}
RoleMapping: {dataSource: db, public: false}
Account: {dataSource: db}
`

func accountsApp(t *testing.T, setup ...func(*framework.App)) *testApp {
	return newTestApp(t, map[string]string{"account.yaml": accountYAML, "model-config.yaml": aclConfig}, setup...)
}

func TestOwnerByBelongsTo(t *testing.T) {
	var team bool
	a := accountsApp(t, func(app *framework.App) {
		if err := app.RegisterRole("teamMember", func(ctx context.Context, req *acl.Request) (bool, error) {
			return team && req.UserID == "2", nil
		}); err != nil {
			t.Fatal(err)
		}
	})
	ownerID, owner := a.signup("owner@example.com", "SuperFakePassword")
	_, other := a.signup("other@example.com", "SuperFakePassword")
	acct, err := a.app.Model("Account").Create(context.Background(), map[string]any{"name": "main", "userId": ownerID})
	if err != nil {
		t.Fatal(err)
	}
	path := fmt.Sprintf("/api/accounts/%v", acct["id"])
	for _, c := range []struct {
		method, tok string
		body        any
		status      int
	}{
		{"GET", owner, nil, 200},
		{"PUT", owner, map[string]any{"name": "x", "userId": ownerID}, 200},
		{"PATCH", owner, map[string]any{"name": "y"}, 200},
		{"POST", owner, map[string]any{"name": "z", "userId": ownerID}, 200}, // /:id/replace below
		{"DELETE", owner, nil, 401},
		{"GET", other, nil, 401},
		{"GET", "", nil, 401},
	} {
		p := path
		if c.method == "POST" {
			p += "/replace"
		}
		var h []string
		if c.tok != "" {
			h = []string{"Authorization", c.tok}
		}
		if r := a.do(c.method, p, c.body, h...); r.Status != c.status {
			t.Errorf("%s %s: %d, want %d: %s", c.method, p, r.Status, c.status, r.Raw)
		}
	}
	// a custom role resolver grants WRITE to another user
	if r := a.do("PATCH", path, map[string]any{"name": "team"}, "Authorization", other); r.Status != 401 {
		t.Fatalf("before team: %d", r.Status)
	}
	team = true
	if r := a.do("PATCH", path, map[string]any{"name": "team"}, "Authorization", other); r.Status != 200 {
		t.Fatalf("team member write: %d %s", r.Status, r.Raw)
	}
	// a static role through RoleMapping grants READ
	if err := a.app.GrantRole(context.Background(), "auditor", 2); err != nil {
		t.Fatal(err)
	}
	if r := a.do("GET", "/api/accounts", nil, "Authorization", other); r.Status != 200 {
		t.Fatalf("auditor list: %d %s", r.Status, r.Raw)
	}
}

func TestACLErrorStatus(t *testing.T) {
	for _, c := range []struct {
		name        string
		appStatus   int
		modelStatus string
		anon, authd int
		code        string
	}{
		{"default", 0, "", 401, 401, "AUTHORIZATION_REQUIRED"},
		{"app 403", 403, "", 401, 403, "ACCESS_DENIED"},
		{"model 404 wins", 403, "aclErrorStatus: 404\n", 401, 404, "MODEL_NOT_FOUND"},
	} {
		t.Run(c.name, func(t *testing.T) {
			yaml := accountYAML + c.modelStatus
			a := newTestApp(t, map[string]string{"account.yaml": yaml, "model-config.yaml": aclConfig}, func(app *framework.App) {
				app.SetACLErrorStatus(c.appStatus)
			})
			_, tok := a.signup("u@example.com", "SuperFakePassword")
			if r := a.do("DELETE", "/api/accounts/1", nil); r.Status != c.anon || r.errField("code") != "AUTHORIZATION_REQUIRED" {
				t.Fatalf("anonymous: %d %s", r.Status, r.Raw)
			}
			r := a.do("DELETE", "/api/accounts/1", nil, "Authorization", tok)
			if r.Status != c.authd || r.errField("code") != c.code {
				t.Fatalf("with token: %d %s", r.Status, r.Raw)
			}
		})
	}
}

func TestDynamicACLAndRoles(t *testing.T) {
	a := accountsApp(t)
	_, tok := a.signup("u@example.com", "SuperFakePassword")
	ctx := context.Background()
	if r := a.do("GET", "/api/accounts", nil, "Authorization", tok); r.Status != 401 {
		t.Fatalf("before: %d", r.Status)
	}
	if _, err := a.app.Model("ACL").Create(ctx, map[string]any{"model": "Account", "property": "find", "accessType": "READ", "principalType": "USER", "principalId": "1", "permission": "ALLOW"}); err != nil {
		t.Fatal(err)
	}
	if r := a.do("GET", "/api/accounts", nil, "Authorization", tok); r.Status != 200 {
		t.Fatalf("dynamic ACL: %d %s", r.Status, r.Raw)
	}
	if _, err := a.app.Model("Role").Create(ctx, map[string]any{"name": "auditor"}); err != nil {
		t.Fatal(err)
	}
	_, err := a.app.Model("Role").Create(ctx, map[string]any{"name": "auditor"})
	if e := apierr.From(err); e == nil || e.StatusCode != 422 || !strings.Contains(e.Message, "`name`") {
		t.Fatalf("duplicate role name: %v", err)
	}
}

func TestExplainEndpoint(t *testing.T) {
	a, toks := readyApp(t)
	body := map[string]any{"model": "Note", "property": "deleteById", "userId": 3, "modelId": 1}
	if r := a.do("POST", "/api/ACLs/explain", body); r.Status != 401 {
		t.Fatalf("anonymous explain: %d", r.Status)
	}
	if r := a.do("POST", "/api/ACLs/explain", body, "Authorization", toks["owner"]); r.Status != 403 {
		t.Fatalf("non-admin explain: %d", r.Status)
	}
	r := a.do("POST", "/api/ACLs/explain", body, "Authorization", toks["admin"])
	o := r.obj()
	if r.Status != 200 || o["allowed"] != false || o["accessType"] != "WRITE" || len(o["candidates"].([]any)) == 0 {
		t.Fatalf("explain other: %d %s", r.Status, r.Raw)
	}
	body["userId"] = 2
	r = a.do("POST", "/api/ACLs/explain", body, "Authorization", toks["admin"])
	if r.obj()["allowed"] != true || r.obj()["matched"] == nil {
		t.Fatalf("explain owner: %s", r.Raw)
	}
}

func TestRequireAccessOnBootRoute(t *testing.T) {
	a := accountsApp(t, func(app *framework.App) {
		app.Boot("report-route", func(ctx context.Context, app *framework.App) error {
			app.Echo().GET("/reports/:id", func(c echo.Context) error {
				return c.String(http.StatusOK, "report "+c.Param("id"))
			}, app.RequireAccess("Account", "findById", "READ"))
			return nil
		})
	})
	ownerID, owner := a.signup("owner@example.com", "SuperFakePassword")
	_, other := a.signup("other@example.com", "SuperFakePassword")
	if _, err := a.app.Model("Account").Create(context.Background(), map[string]any{"name": "main", "userId": ownerID}); err != nil {
		t.Fatal(err)
	}
	if r := a.do("GET", "/reports/1", nil, "Authorization", owner); r.Status != 200 || r.Raw != "report 1" {
		t.Fatalf("owner: %d %s", r.Status, r.Raw)
	}
	if r := a.do("GET", "/reports/1", nil, "Authorization", other); r.Status != 401 {
		t.Fatalf("other: %d %s", r.Status, r.Raw)
	}
}

func TestRelationScopeIncludeIsGuarded(t *testing.T) {
	folder := `
name: Folder
plural: folders
properties:
  name: string
relations:
  notes:
    type: hasMany
    model: Memo
    foreignKey: folderId
    scope: {include: owner}
`
	memo := `
name: Memo
plural: memos
properties:
  text: string
  folderId: number
  userId: number
relations:
  owner: {type: belongsTo, model: User, foreignKey: userId}
`
	a := newTestApp(t, map[string]string{"folder.yaml": folder, "memo.yaml": memo,
		"model-config.yaml": strings.Replace(aclConfig, "Account: {dataSource: db}", "Folder: {dataSource: db}\nMemo: {dataSource: db}", 1)})
	uid, tok := a.signup("ann@example.com", "SuperFakePassword")
	ctx := context.Background()
	f, _ := a.app.Model("Folder").Create(ctx, map[string]any{"name": "f"})
	if _, err := a.app.Model("Memo").Create(ctx, map[string]any{"text": "m", "folderId": f["id"], "userId": uid}); err != nil {
		t.Fatal(err)
	}
	path := "/api/folders?filter=" + q(`{"include":"notes"}`)
	r := a.do("GET", path, nil)
	if r.Status != 200 || strings.Contains(r.Raw, "ann@example.com") || !strings.Contains(r.Raw, `"text":"m"`) {
		t.Fatalf("anonymous: %d %s", r.Status, r.Raw)
	}
	r = a.do("GET", path, nil, "Authorization", tok)
	if r.Status != 200 || !strings.Contains(r.Raw, "ann@example.com") {
		t.Fatalf("the owner sees its own user: %d %s", r.Status, r.Raw)
	}
}

func TestAnonymousDecisionsFollowACLChanges(t *testing.T) {
	var open bool
	a := accountsApp(t, func(app *framework.App) {
		_ = app.RegisterRole("openHouse", func(ctx context.Context, req *acl.Request) (bool, error) { return open, nil })
	})
	ctx := context.Background()
	for i := 0; i < 2; i++ { // twice: the second answer may come from the cache
		if r := a.do("GET", "/api/accounts", nil); r.Status != 401 {
			t.Fatalf("anonymous before: %d", r.Status)
		}
	}
	row, err := a.app.Model("ACL").Create(ctx, map[string]any{"model": "Account", "property": "find", "accessType": "READ", "principalType": "ROLE", "principalId": "$everyone", "permission": "ALLOW"})
	if err != nil {
		t.Fatal(err)
	}
	if r := a.do("GET", "/api/accounts", nil); r.Status != 200 {
		t.Fatalf("anonymous after an ALLOW row: %d %s", r.Status, r.Raw)
	}
	if _, err := a.app.Model("ACL").DeleteByID(ctx, row["id"]); err != nil {
		t.Fatal(err)
	}
	if r := a.do("GET", "/api/accounts", nil); r.Status != 401 {
		t.Fatalf("anonymous after deleting the row: %d", r.Status)
	}
	// a rule naming a custom role is decided per request
	if _, err := a.app.Model("ACL").Create(ctx, map[string]any{"model": "Account", "property": "count", "accessType": "READ", "principalType": "ROLE", "principalId": "openHouse", "permission": "ALLOW"}); err != nil {
		t.Fatal(err)
	}
	if r := a.do("GET", "/api/accounts/count", nil); r.Status != 401 {
		t.Fatalf("custom role closed: %d", r.Status)
	}
	open = true
	if r := a.do("GET", "/api/accounts/count", nil); r.Status != 200 {
		t.Fatalf("custom role open: %d %s", r.Status, r.Raw)
	}
}
