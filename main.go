// Command loopgo serves the ready app: the models in models/, the boot functions in boot/.
//
//	loopgo                      serve the API (config.yaml, environment overrides)
//	loopgo openapi [FILE]       write the OpenAPI 3.1 document to FILE (.json or .yaml) or stdout
package main

import (
	"context"
	_ "embed"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/loopgo/loopgo/boot"
	"github.com/loopgo/loopgo/framework"
	"github.com/loopgo/loopgo/models"
)

//go:embed config.yaml
var configYAML []byte

func main() {
	// lines are written in batches (warnings and errors at once): a request line costs a buffer
	// copy, not a system call
	logger, logs := framework.NewLogger(os.Stderr)
	slog.SetDefault(logger)
	err := run(logger)
	if err != nil {
		slog.Error("loopgo stopped", "err", err)
	}
	_ = logs.Close()
	if err != nil {
		os.Exit(1)
	}
}

func run(logger *slog.Logger) error {
	cfg, err := framework.ParseConfig(configYAML)
	if err != nil {
		return err
	}
	cfg.Logger = logger
	if len(os.Args) > 1 && os.Args[1] == "openapi" {
		return writeOpenAPI(cfg, os.Args[2:])
	}
	if len(os.Args) > 1 {
		return fmt.Errorf("unknown command %q; run loopgo, or loopgo openapi [FILE]", os.Args[1])
	}
	app, err := newApp(cfg)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return app.Start(ctx)
}

// newApp returns the ready app on cfg.
func newApp(cfg framework.Config) (*framework.App, error) {
	app, err := framework.New(cfg)
	if err != nil {
		return nil, err
	}
	if err := app.LoadModels(models.FS); err != nil {
		return nil, err
	}
	models.Register(app)
	boot.Register(app)
	return app, nil
}

// writeOpenAPI sets the ready app up on in-memory databases (nothing on disk is touched) and
// writes its OpenAPI document to the file named by args[0] (YAML for .yaml/.yml), or stdout.
func writeOpenAPI(cfg framework.Config, args []string) error {
	if len(args) > 1 {
		return fmt.Errorf("openapi: one file at most, got %q", args)
	}
	for name := range cfg.Datasources {
		cfg.Datasources[name] = framework.Datasource{URL: "sqlite::memory:"}
	}
	cfg.Logger = slog.New(slog.DiscardHandler)
	os.Unsetenv("ADMIN_EMAIL") // no account is created for a document
	app, err := newApp(cfg)
	if err != nil {
		return err
	}
	ctx := context.Background()
	if err := app.Setup(ctx); err != nil {
		return err
	}
	defer app.Shutdown(ctx)
	out, err := app.OpenAPI().JSON()
	if len(args) == 1 && (strings.HasSuffix(args[0], ".yaml") || strings.HasSuffix(args[0], ".yml")) {
		out, err = app.OpenAPI().YAML()
	}
	if err != nil {
		return err
	}
	if len(args) == 0 {
		_, err = os.Stdout.Write(out)
		return err
	}
	return os.WriteFile(args[0], out, 0o644)
}
