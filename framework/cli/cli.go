// Package cli is the command line of a Loopgo application: one call in main.go gives the app's
// binary serve (the default), migrate, users, roles, routes and acl commands.
//
//	func main() {
//		cli.Main(cli.App{
//			Config: configYAML,  // embedded config.yaml
//			Models: models.FS,   // embedded models/*.yaml and model-config.yaml
//			Register: func(app *framework.App) error {
//				models.Register(app) // remote methods, hooks
//				boot.Register(app)   // boot functions
//				return nil
//			},
//		})
//	}
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/loopgo/loopgo/framework"
)

// Exit codes of Execute.
const (
	ExitOK      = 0 // ExitOK: the command did what it was asked.
	ExitFailure = 1 // ExitFailure: the command failed (bad data, a database error, a refused change).
	ExitUsage   = 2 // ExitUsage: the command line was wrong (unknown command or flag, missing argument).
)

// App describes a Loopgo application to its command line.
type App struct {
	// Name is the binary's name in help and messages; default the base name of os.Args[0].
	Name string
	// Config is the configuration YAML (as framework.ParseConfig reads it); --config FILE reads
	// a file instead. Empty means the defaults.
	Config []byte
	// Models holds the model YAML files and model-config.yaml (app.LoadModels); may be nil.
	Models fs.FS
	// Register binds the Go side of the app once the models are loaded: remote methods, hooks,
	// boot functions. May be nil.
	Register func(app *framework.App) error
	// Logger, when set, receives the app's logs; default text lines on Stderr (info for serve,
	// errors only for the other commands; --log-level changes it).
	Logger *slog.Logger
	// Stdin, Stdout and Stderr default to the process's.
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
}

// Main runs the command line on os.Args until SIGINT or SIGTERM, and exits with its code.
func Main(app App) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := Execute(ctx, app, os.Args[1:])
	stop()
	os.Exit(code)
}

// Execute runs the command line with args (without the program name) and returns the exit code:
// ExitOK, ExitFailure or ExitUsage. Errors are written to Stderr; it never panics on bad input.
func Execute(ctx context.Context, app App, args []string) int {
	r := newRunner(app)
	root := r.rootCommand()
	root.SetArgs(args)
	cmd, err := root.ExecuteContextC(ctx)
	for _, c := range r.closers {
		_ = c.Close()
	}
	if err == nil {
		return ExitOK
	}
	var ue usageError
	if errors.As(err, &ue) || isCobraUsage(err) {
		fmt.Fprintf(r.stderr, "%s: %v\nRun '%s --help' for usage.\n", r.name, err, cmd.CommandPath())
		return ExitUsage
	}
	fmt.Fprintf(r.stderr, "%s: %v\n", r.name, err)
	return ExitFailure
}

// usageError is a mistake in the command line.
type usageError struct{ err error }

// Error is the mistake's message.
func (e usageError) Error() string { return e.err.Error() }

// Unwrap returns the mistake.
func (e usageError) Unwrap() error { return e.err }

// usagef returns a usage error.
func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

// isCobraUsage recognises the errors cobra returns for a wrong command line.
func isCobraUsage(err error) bool {
	msg := err.Error()
	for _, p := range []string{"unknown command", "unknown flag", "unknown shorthand flag", "flag needs an argument",
		"invalid argument", "required flag", "accepts ", "requires at least", "requires at most", "if any flags in the group"} {
		if strings.HasPrefix(msg, p) {
			return true
		}
	}
	return false
}

// runner holds the command line's state: the flags shared by every command and the streams.
type runner struct {
	spec        App
	name        string
	stdin       io.Reader
	stdout      io.Writer
	stderr      io.Writer
	configFile  string
	databaseURL string
	host        string
	port        int
	logLevel    string
	closers     []io.Closer // batched loggers, flushed when the command ends
	hostSet     bool        // serve: --host given
	portSet     bool        // serve: --port given
}

func newRunner(app App) *runner {
	r := &runner{spec: app, name: app.Name, stdin: app.Stdin, stdout: app.Stdout, stderr: app.Stderr}
	if r.name == "" {
		r.name = filepath.Base(os.Args[0])
	}
	if r.stdin == nil {
		r.stdin = os.Stdin
	}
	if r.stdout == nil {
		r.stdout = os.Stdout
	}
	if r.stderr == nil {
		r.stderr = os.Stderr
	}
	return r
}

// rootCommand builds the command tree; the root itself serves.
func (r *runner) rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   r.name,
		Short: "A Loopgo application",
		Long: "A Loopgo application. Without a command it serves HTTP (the serve command).\n" +
			"Passwords are read from standard input (--password-stdin) or a terminal prompt, never from arguments.",
		Args:          noArgs,
		SilenceErrors: true,
		SilenceUsage:  true,
		RunE:          r.runServe,
	}
	root.SetIn(r.stdin)
	root.SetOut(r.stdout)
	root.SetErr(r.stderr)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	pf := root.PersistentFlags()
	pf.StringVar(&r.configFile, "config", "", "read the configuration from this YAML file instead of the built-in one")
	pf.StringVar(&r.databaseURL, "database-url", "", "the default datasource's URL (sqlite:PATH, postgres://..., mysql://...); overrides DATABASE_URL")
	pf.StringVar(&r.logLevel, "log-level", "", "debug, info, warn or error (default: info for serve, error for the other commands)")
	r.serveFlags(root)
	root.AddCommand(r.serveCommand(), r.migrateCommand(), r.usersCommand(), r.rolesCommand(),
		r.routesCommand(), r.aclCommand(), r.openapiCommand())
	root.CompletionOptions.DisableDefaultCmd = true
	return root
}

// noArgs refuses positional arguments, naming an unknown command as such.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	if cmd.HasSubCommands() {
		return usagef("unknown command %q for %q", args[0], cmd.CommandPath())
	}
	return usagef("%s takes no arguments (got %q)", cmd.CommandPath(), strings.Join(args, " "))
}

// exactArgs requires n positional arguments, naming them in the message.
func exactArgs(n int, names string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return usagef("%s needs %s (got %d argument(s))", cmd.CommandPath(), names, len(args))
		}
		return nil
	}
}

// config reads the configuration (the --config file or the built-in YAML) and applies the
// command line's overrides.
func (r *runner) config() (framework.Config, error) {
	src := r.spec.Config
	if r.configFile != "" {
		b, err := os.ReadFile(r.configFile)
		if err != nil {
			return framework.Config{}, fmt.Errorf("read --config: %w", err)
		}
		src = b
	}
	cfg, err := framework.ParseConfig(src)
	if err != nil {
		return framework.Config{}, err
	}
	if r.databaseURL != "" {
		if cfg.Datasources == nil {
			cfg.Datasources = map[string]framework.Datasource{}
		}
		name := cfg.DefaultDatasourceName()
		ds := cfg.Datasources[name]
		ds.URL = r.databaseURL
		cfg.Datasources[name] = ds
	}
	if r.hostSet {
		cfg.Host = r.host
	}
	if r.portSet && r.port != 0 {
		cfg.Port = r.port
	}
	return cfg, nil
}

// newApp builds the application: configuration, logger, models and the Go side.
func (r *runner) newApp(level slog.Level) (*framework.App, error) {
	cfg, err := r.config()
	if err != nil {
		return nil, err
	}
	cfg.Logger = r.spec.Logger
	if cfg.Logger == nil {
		if r.logLevel != "" {
			if err := level.UnmarshalText([]byte(r.logLevel)); err != nil {
				return nil, usagef("--log-level %q: write debug, info, warn or error", r.logLevel)
			}
		}
		logger, closer := framework.NewLogger(r.stderr, level)
		cfg.Logger = logger
		r.closers = append(r.closers, closer)
	}
	return r.build(cfg)
}

// withApp sets the application up as serve does (models, datasources, migrations, boot
// functions) without listening, runs fn, and closes the datasources.
func (r *runner) withApp(ctx context.Context, fn func(app *framework.App) error) error {
	app, err := r.newApp(slog.LevelError)
	if err != nil {
		return err
	}
	if err := app.Setup(ctx); err != nil {
		_ = app.Shutdown(context.Background())
		return err
	}
	err = fn(app)
	return errors.Join(err, app.Shutdown(context.Background()))
}
