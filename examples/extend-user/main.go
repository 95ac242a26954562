// Command extend-user serves a Customer model that extends the built-in User:
//
//	go run ./examples/extend-user
//	curl -X POST localhost:3000/api/customers -H 'Content-Type: application/json' \
//	  -d '{"email":"c@example.com","password":"SuperFakePassword","fullName":"Cee"}'
//	curl -X POST localhost:3000/api/customers/login -H 'Content-Type: application/json' \
//	  -d '{"email":"c@example.com","password":"SuperFakePassword"}'
package main

import (
	"context"
	"log/slog"
	"os"
	"os/signal"

	"github.com/loopgo/loopgo/examples/extend-user/models"
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
	if err := app.LoadModels(models.FS); err != nil {
		return nil, err
	}
	return app, nil
}

func main() {
	url := os.Getenv("DATABASE_URL")
	if url == "" {
		url = "sqlite:data/extend-user.db"
	}
	app, err := NewApp(url)
	if err == nil {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
		defer stop()
		err = app.Start(ctx)
	}
	if err != nil {
		slog.Error("extend-user stopped", "err", err)
		os.Exit(1)
	}
}
