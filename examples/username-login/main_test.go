package main

import (
	"testing"

	"github.com/loopgo/loopgo/framework/loopgotest"
)

// newTestApp is the example app on a temporary SQLite file; every answer is checked against its
// OpenAPI document.
func newTestApp(t *testing.T) *loopgotest.App {
	return loopgotest.NewApp(t, loopgotest.Constructor(NewApp), loopgotest.CheckExchanges())
}

func TestUsernameOnlyUsers(t *testing.T) {
	loopgotest.Run(t, newTestApp(t), []loopgotest.Scenario{
		{
			Name: "sign-up without email", Method: "POST", URL: "/api/users", Body: `{"username":"ann","password":"SuperFakePassword"}`,
			Status: 200, JSON: map[string]any{"username": "ann"},
			Rows: []loopgotest.Rows{{Model: "User", Where: map[string]any{"username": "ann"}, Count: 1}},
		},
		{
			Name: "format rule removed too", Method: "POST", URL: "/api/users", Body: `{"username":"bob","email":"not-an-email","password":"SuperFakePassword"}`,
			Status: 200, JSON: map[string]any{"username": "bob", "email": "not-an-email"},
		},
		{
			Name: "login by username", Method: "POST", URL: "/api/users/login", Body: `{"username":"ann","password":"SuperFakePassword"}`,
			Status: 200, JSON: map[string]any{"id": loopgotest.Len(64), "userId": 1},
		},
		{
			Name: "username still unique", Method: "POST", URL: "/api/users", Body: `{"username":"ann","password":"SuperFakePassword"}`,
			Status: 422, Contains: []string{`"username":["uniqueness"]`},
			Rows: []loopgotest.Rows{{Model: "User", Count: 2}},
		},
	})
}

// TestOpenAPIDocumentIsValid checks the example's OpenAPI document with a real OpenAPI 3.1
// validator (libopenapi): parsed, every reference resolved, the OpenAPI 3.1 schema passed.
func TestOpenAPIDocumentIsValid(t *testing.T) {
	loopgotest.CheckOpenAPI(t, newTestApp(t).App)
}
