package cli

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/loopgo/loopgo/framework"
)

// openapiCommand writes the app's OpenAPI document, set up on in-memory databases so that
// nothing on disk is read or touched and no boot function seeds an account.
func (r *runner) openapiCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "openapi [FILE]",
		Short: "Write the OpenAPI 3.1 document (YAML for .yaml/.yml, else JSON; standard output without FILE)",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 1 {
				return usagef("%s takes one file at most (got %d arguments)", cmd.CommandPath(), len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := r.config()
			if err != nil {
				return err
			}
			for name, ds := range cfg.Datasources {
				ds.URL = "sqlite::memory:"
				cfg.Datasources[name] = ds
			}
			cfg.Logger = slog.New(slog.DiscardHandler)
			// no account is created for a document
			if err := os.Unsetenv("ADMIN_EMAIL"); err != nil {
				return err
			}
			app, err := r.build(cfg)
			if err != nil {
				return err
			}
			ctx := context.Background()
			if err := app.Setup(ctx); err != nil {
				return errors.Join(err, app.Shutdown(ctx))
			}
			defer app.Shutdown(ctx)
			doc := app.OpenAPI()
			if doc == nil {
				return errors.New("openapi: the document is turned off (openapi.disabled)")
			}
			out, err := doc.JSON()
			if len(args) == 1 && (strings.HasSuffix(args[0], ".yaml") || strings.HasSuffix(args[0], ".yml")) {
				out, err = doc.YAML()
			}
			if err != nil {
				return err
			}
			if len(args) == 0 {
				_, err = r.stdout.Write(out)
				return err
			}
			return os.WriteFile(args[0], out, 0o644)
		},
	}
}

// build makes the app from cfg: its models and its Go side.
func (r *runner) build(cfg framework.Config) (*framework.App, error) {
	app, err := framework.New(cfg)
	if err != nil {
		return nil, err
	}
	if r.spec.Models != nil {
		if err := app.LoadModels(r.spec.Models); err != nil {
			return nil, err
		}
	}
	if r.spec.Register != nil {
		if err := r.spec.Register(app); err != nil {
			return nil, err
		}
	}
	return app, nil
}
