package main

import (
	"testing"

	"github.com/loopgo/loopgo/framework"
	"github.com/loopgo/loopgo/framework/loopgotest"
)

// newTestApp is the example app on a temporary SQLite file; every answer is checked against its
// OpenAPI document.
func newTestApp(t *testing.T) *loopgotest.App {
	return loopgotest.NewApp(t, loopgotest.Constructor(NewApp), loopgotest.CheckExchanges())
}

func TestCustomerExtendsUser(t *testing.T) {
	app := newTestApp(t)
	var tok string
	loopgotest.Run(t, app, []loopgotest.Scenario{
		{
			Name: "sign-up keeps declared properties only", Method: "POST", URL: "/api/customers",
			Body:   `{"email":"c@example.com","password":"SuperFakePassword","fullName":"Cee","company":"Acme","emailVerified":true}`,
			Status: 200, JSON: map[string]any{"fullName": "Cee", "vip": false, "emailVerified": loopgotest.Absent}, // server-owned: not taken from the body,
			NotContains: []string{"password", "Acme"},
			Rows:        []loopgotest.Rows{{Model: "Customer", Where: map[string]any{"email": "c@example.com", "fullName": "Cee"}, Count: 1}},
		},
		{
			Name: "inherited validation", Method: "POST", URL: "/api/customers", Body: `{"password":"SuperFakePassword"}`,
			Status: 422, Contains: []string{`"email":["presence"]`},
			Rows: []loopgotest.Rows{{Model: "Customer", Count: 1}},
		},
		{
			Name: "login", Method: "POST", URL: "/api/customers/login", Body: `{"email":"c@example.com","password":"SuperFakePassword"}`,
			Status: 200, JSON: map[string]any{"id": loopgotest.Len(64), "ttl": 3600},
			After: func(t testing.TB, app *loopgotest.App, res *loopgotest.Response) { tok = res.Text("id") },
		},
		{Name: "owner read", URL: "/api/customers/1", TokenOf: &tok, Status: 200, JSON: map[string]any{"fullName": "Cee"}},
		{Name: "inherited deny on find", URL: "/api/customers", TokenOf: &tok, Status: 401},
		{Name: "child ACL on count", URL: "/api/customers/count", TokenOf: &tok, Status: 200, JSON: map[string]any{"count": 1}},
		{Name: "User itself is not exposed", URL: "/api/users/1", TokenOf: &tok, Status: 404},
		{Name: "logout", Method: "POST", URL: "/api/customers/logout", TokenOf: &tok, Status: 204},
		{Name: "token dead after logout", URL: "/api/customers/1", TokenOf: &tok, Status: 401},
	})
}

// TestOpenAPIDocumentIsValid checks the example's OpenAPI document with a real OpenAPI 3.1
// validator (libopenapi): parsed, every reference resolved, the OpenAPI 3.1 schema passed.
func TestOpenAPIDocumentIsValid(t *testing.T) {
	loopgotest.CheckOpenAPI(t, newTestApp(t).App)
}

// TestCustomerDefinition checks that Customer is a user model (it extends User) with the
// example's own properties.
func TestCustomerDefinition(t *testing.T) {
	var def *framework.ModelDefinition = newTestApp(t).Model("Customer").Definition()
	if def == nil || !def.IsA("User") || def.Property("fullName") == nil {
		t.Fatalf("Customer: %+v", def)
	}
}
