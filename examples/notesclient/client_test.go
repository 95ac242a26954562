package notesclient_test

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"testing"

	"github.com/oapi-codegen/runtime/types"

	"github.com/loopgo/loopgo/boot"
	"github.com/loopgo/loopgo/examples/notesclient"
	"github.com/loopgo/loopgo/framework/loopgotest"
	"github.com/loopgo/loopgo/models"
)

// readyApp is the ready app (models/, boot/) on temporary SQLite files.
func readyApp(t *testing.T) *loopgotest.App {
	return loopgotest.NewApp(t, loopgotest.Datasources("db", "audit"), loopgotest.Models(models.FS),
		loopgotest.Register(models.Register, boot.Register))
}

// TestClientIsGeneratedFromTheCurrentDocument fails when openapi.json (and so the client) is
// older than the ready app's models: run `make generate`.
func TestClientIsGeneratedFromTheCurrentDocument(t *testing.T) {
	app := readyApp(t)
	want, err := app.OpenAPI().JSON()
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("examples/notesclient/openapi.json differs from the ready app's document: run `make generate` to write it and the client again")
	}
}

// newNote is the body of a create of one note (the document allows one or a list).
func newNote(t *testing.T, n notesclient.NewNote) notesclient.NoteCreateJSONRequestBody {
	t.Helper()
	var b notesclient.NewNoteOneOrMany
	if err := b.FromNewNote(n); err != nil {
		t.Fatal(err)
	}
	return b
}

// TestSeedFlowThroughGeneratedClient drives the seed tutorial (register, login, create notes,
// list them with a filter, logout) through the client oapi-codegen generated from the document.
func TestSeedFlowThroughGeneratedClient(t *testing.T) {
	app := readyApp(t)
	// every exchange is checked against the document: the requests the generated client sends
	// (when the server accepts them) and the server's answers
	c, err := notesclient.NewClientWithResponses(app.URL()+"/api", notesclient.WithHTTPClient(app.Client(t)))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	email, password := "ann@example.com", "SuperFakePassword"

	// register
	var newUser notesclient.NewUserOneOrMany
	if err := newUser.FromNewUser(notesclient.NewUser{Email: types.Email(email), Password: &password}); err != nil {
		t.Fatal(err)
	}
	created, err := c.UserCreateWithResponse(ctx, newUser)
	if err != nil || created.StatusCode() != 200 || created.JSON200 == nil {
		t.Fatalf("register: %v %d %s", err, created.StatusCode(), created.Body)
	}
	user, err := created.JSON200.AsUser()
	if err != nil || user.Id == nil || *user.Id != 1 || string(*user.Email) != email {
		t.Fatalf("registered user: %+v %v", user, err)
	}

	// login
	login, err := c.UserLoginWithResponse(ctx, &notesclient.UserLoginParams{},
		notesclient.UserLoginJSONRequestBody{Email: &email, Password: &password})
	if err != nil || login.JSON200 == nil || len(login.JSON200.Id) != 64 || login.JSON200.UserId != 1 {
		t.Fatalf("login: %v %d %s", err, login.StatusCode(), login.Body)
	}
	token := login.JSON200.Id
	auth := func(ctx context.Context, req *http.Request) error {
		req.Header.Set("Authorization", token)
		return nil
	}

	// create notes
	for _, n := range []struct {
		title  string
		rating float64
	}{{"alpha", 2}, {"beta", 4}, {"gamma", 5}} {
		rating := n.rating
		r, err := c.NoteCreateWithResponse(ctx, newNote(t, notesclient.NewNote{Title: n.title, Rating: &rating}), auth)
		if err != nil || r.StatusCode() != 200 {
			t.Fatalf("create %s: %v %d %s", n.title, err, r.StatusCode(), r.Body)
		}
		note, err := r.JSON200.AsNote()
		if err != nil || note.Title == nil || *note.Title != n.title || note.OwnerId == nil || *note.OwnerId != 1 {
			t.Fatalf("created note: %+v %v", note, err)
		}
	}
	// anonymous create: the ACL's 401 in the error envelope
	if r, err := c.NoteCreateWithResponse(ctx, newNote(t, notesclient.NewNote{Title: "nope"})); err != nil || r.JSON401 == nil || r.JSON401.Error.StatusCode != 401 {
		t.Fatalf("anonymous create: %v %d %s", err, r.StatusCode(), r.Body)
	}

	// list with a filter: rating >= 3, newest title first, at most 5
	limit := 5
	f := notesclient.Filter{
		Where: &notesclient.Where{AdditionalProperties: map[string]any{"rating": map[string]any{"gte": 3}}},
		Order: "title DESC", Limit: &limit,
	}
	list, err := c.NoteFindWithResponse(ctx, &notesclient.NoteFindParams{Filter: &f})
	if err != nil || list.JSON200 == nil {
		t.Fatalf("find: %v %d %s", err, list.StatusCode(), list.Body)
	}
	var titles []string
	for _, n := range *list.JSON200 {
		titles = append(titles, *n.Title)
	}
	if len(titles) != 2 || titles[0] != "gamma" || titles[1] != "beta" {
		t.Fatalf("filtered notes: %v (%s)", titles, list.Body)
	}
	// a filter that is not valid answers 400 in the envelope
	bad := notesclient.Filter{Where: &notesclient.Where{AdditionalProperties: map[string]any{"rating": map[string]any{"between": "x"}}}}
	if r, err := c.NoteFindWithResponse(ctx, &notesclient.NoteFindParams{Filter: &bad}); err != nil || r.JSON400 == nil || r.JSON400.Error.StatusCode != 400 {
		t.Fatalf("bad filter: %v %d %s", err, r.StatusCode(), r.Body)
	}

	// logout, then the token no longer works
	out, err := c.UserLogoutWithResponse(ctx, auth)
	if err != nil || out.StatusCode() != 204 {
		t.Fatalf("logout: %v %d %s", err, out.StatusCode(), out.Body)
	}
	if r, err := c.NoteCreateWithResponse(ctx, newNote(t, notesclient.NewNote{Title: "after logout"}), auth); err != nil || r.JSON401 == nil {
		t.Fatalf("create after logout: %v %d %s", err, r.StatusCode(), r.Body)
	}
}
