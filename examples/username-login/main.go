// Command username-login serves the built-in User without the email requirement: users sign up
// and log in with a username, as LoopBack's `delete User.validations.email` recipe does.
//
//	go run ./examples/username-login
//	curl -X POST localhost:3000/api/users -H 'Content-Type: application/json' \
//	  -d '{"username":"ann","password":"SuperFakePassword"}'
//	curl -X POST localhost:3000/api/users/login -H 'Content-Type: application/json' \
//	  -d '{"username":"ann","password":"SuperFakePassword"}'
package main

import (
	"context"
	"log/slog"
	"os"
	"os/signal"

	"github.com/loopgo/loopgo/framework"
)

// NewApp returns the example app on the given database URL.
func NewApp(databaseURL string) (*framework.App, error) {
	app, err := framework.New(framework.Config{
		Datasources: map[string]framework.Datasource{"db": {URL: databaseURL}},
	})
	if err != nil {
		return nil, err
	}
	app.AttachModel("User", "db", true)
	app.Boot("relax-email", RelaxEmail)
	return app, nil
}

// RelaxEmail makes email optional for users: one line removes its presence, format and
// uniqueness rules together.
func RelaxEmail(ctx context.Context, app *framework.App) error {
	app.Model("User").RemoveValidations("email")
	return nil
}

func main() {
	url := os.Getenv("DATABASE_URL")
	if url == "" {
		url = "sqlite:data/username-login.db"
	}
	app, err := NewApp(url)
	if err == nil {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
		defer stop()
		err = app.Start(ctx)
	}
	if err != nil {
		slog.Error("username-login stopped", "err", err)
		os.Exit(1)
	}
}
