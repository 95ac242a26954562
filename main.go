// Command loopgo serves the ready app: the models in models/, the boot functions in boot/.
package main

import (
	"context"
	_ "embed"
	"log/slog"
	"os"
	"os/signal"
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
	app, err := framework.New(cfg)
	if err != nil {
		return err
	}
	if err := app.LoadModels(models.FS); err != nil {
		return err
	}
	models.Register(app)
	boot.Register(app)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return app.Start(ctx)
}
