package scaffold

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
)

// Exit codes of Execute: as the app's command line (framework/cli).
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
)

// usageError is a mistake in the command line.
type usageError struct{ error }

// Execute runs the generator's command line (loopgo new, model add, acl add, method add) with
// args (without the program name) and returns the exit code: 0, 1 when the work failed, 2 for
// a wrong command line.
func Execute(args []string, stdout, stderr io.Writer) int {
	root := Command()
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	cmd, err := root.ExecuteC()
	if err == nil {
		return exitOK
	}
	var ue usageError
	var nr *NeedsRegistration
	switch {
	case errors.As(err, &nr):
		fmt.Fprintf(stderr, "loopgo: note: %v\n", err)
		return exitOK
	case errors.As(err, &ue) || strings.HasPrefix(err.Error(), "unknown ") || strings.HasPrefix(err.Error(), "required flag") ||
		strings.HasPrefix(err.Error(), "invalid argument") || strings.HasPrefix(err.Error(), "flag needs"):
		fmt.Fprintf(stderr, "loopgo: %v\nRun '%s --help' for usage.\n", err, cmd.CommandPath())
		return exitUsage
	}
	fmt.Fprintf(stderr, "loopgo: %v\n", err)
	return exitFailure
}

// args requires between lo and hi positional arguments, naming them in the message.
func args(lo, hi int, names string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, a []string) error {
		if len(a) < lo || (hi >= 0 && len(a) > hi) {
			return usageError{fmt.Errorf("%s needs %s (got %d argument(s))", cmd.CommandPath(), names, len(a))}
		}
		return nil
	}
}

// Command returns the generator's command tree: new, model add, acl add, method add.
func Command() *cobra.Command {
	root := &cobra.Command{
		Use:           "loopgo",
		Short:         "Loopgo's generator: new projects, models, ACL entries and remote methods",
		SilenceErrors: true,
		SilenceUsage:  true,
		Args: func(cmd *cobra.Command, a []string) error {
			if len(a) > 0 {
				return usageError{fmt.Errorf("unknown command %q for %q", a[0], cmd.CommandPath())}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	root.CompletionOptions.DisableDefaultCmd = true
	root.AddCommand(newCommand(), modelCommand(), aclCommand(), methodCommand())
	return root
}

func newCommand() *cobra.Command {
	var module, framework string
	var noTidy bool
	cmd := &cobra.Command{
		Use:   "new DIR",
		Short: "Write a new project into DIR: go.mod, main.go, config.yaml, models/, boot/, Makefile, README, a test",
		Long: "new writes a project that `make run` serves and `make test` tests. Its go.mod requires the\n" +
			"framework through a replace directive to the framework's source directory (--framework,\n" +
			"default the directory this generator was built from), with the framework's go.sum, so it builds\n" +
			"offline from the module cache; then go mod tidy completes go.mod (--no-tidy skips it).",
		Args: args(1, 1, "the project directory"),
		RunE: func(cmd *cobra.Command, a []string) error {
			files, err := New(NewOptions{Dir: a[0], Module: module, Framework: framework, Tidy: !noTidy, Log: cmd.OutOrStdout()})
			for _, f := range files {
				fmt.Fprintf(cmd.OutOrStdout(), "wrote %s\n", filepath.Join(a[0], f))
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "\nNext:\n  cd %s\n  make run    # serves on :3000; make test runs the tests\n", a[0])
			return nil
		},
	}
	cmd.Flags().StringVar(&module, "module", "", "the module path (default: the directory's name)")
	cmd.Flags().StringVar(&framework, "framework", "", "the loopgo module's source directory, for the replace directive")
	cmd.Flags().BoolVar(&noTidy, "no-tidy", false, "do not run go mod tidy")
	return cmd
}

func modelCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "model", Short: "Add models", Args: args(0, 0, "a command (add)"),
		RunE: func(*cobra.Command, []string) error { return usageError{errors.New("give a command: add")} }}
	var dir, plural, ds string
	var private bool
	add := &cobra.Command{
		Use:   "add NAME [prop:type[!] ...]",
		Short: "Write models/<name>.yaml (! = required; types: string, number, boolean, date, object, array, any, geopoint, [type]) and attach it in model-config.yaml",
		Args:  args(1, -1, "the model's name, then its properties"),
		RunE: func(cmd *cobra.Command, a []string) error {
			var props []Property
			for _, arg := range a[1:] {
				p, err := ParseProperty(arg)
				if err != nil {
					return usageError{err}
				}
				props = append(props, p)
			}
			files, err := AddModel(dir, a[0], props, ModelOptions{Plural: plural, DataSource: ds, Private: private})
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "wrote %s\nattached %s in %s\n", files[0], a[0], files[1])
			return nil
		},
	}
	add.Flags().StringVar(&dir, "dir", ".", "the project's directory")
	add.Flags().StringVar(&plural, "plural", "", "the REST path's plural (default: the name's plural, e.g. tasks)")
	add.Flags().StringVar(&ds, "datasource", "db", "the datasource the model is attached to")
	add.Flags().BoolVar(&private, "private", false, "do not expose the model over REST")
	cmd.AddCommand(add)
	return cmd
}

func aclCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "acl", Short: "Add ACL entries", Args: args(0, 0, "a command (add)"),
		RunE: func(*cobra.Command, []string) error { return usageError{errors.New("give a command: add")} }}
	var dir string
	var o ACLOptions
	add := &cobra.Command{
		Use:   "add MODEL --principal P --permission ALLOW|DENY [--property M[,M]] [--access READ|WRITE|EXECUTE]",
		Short: "Append an ACL entry to a model's acls (its YAML file, or its model-config.yaml entry for built-in models)",
		Args:  args(1, 1, "the model's name"),
		RunE: func(cmd *cobra.Command, a []string) error {
			if _, err := aclItem(o); err != nil {
				return usageError{err}
			}
			file, err := AddACL(dir, a[0], o)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "added the rule to %s\n", file)
			return nil
		},
	}
	add.Flags().StringVar(&dir, "dir", ".", "the project's directory")
	add.Flags().StringVar(&o.PrincipalID, "principal", "", "a role ($everyone, $authenticated, $unauthenticated, $owner, admin, ...) or an id (required)")
	add.Flags().StringVar(&o.PrincipalType, "principal-type", "ROLE", "ROLE, USER, APP or a user model's name")
	add.Flags().StringVar(&o.Permission, "permission", "", "ALLOW or DENY (required)")
	add.Flags().StringSliceVar(&o.Properties, "property", nil, "the methods the rule applies to (default: all)")
	add.Flags().StringVar(&o.AccessType, "access", "", "READ, WRITE, EXECUTE (default: all)")
	_ = add.MarkFlagRequired("principal")
	_ = add.MarkFlagRequired("permission")
	cmd.AddCommand(add)
	return cmd
}

func methodCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "method", Short: "Add remote methods", Args: args(0, 0, "a command (add)"),
		RunE: func(*cobra.Command, []string) error { return usageError{errors.New("give a command: add")} }}
	var dir string
	var o MethodOptions
	add := &cobra.Command{
		Use:   "add MODEL NAME [--http verb:/path] [--access READ|WRITE|EXECUTE]",
		Short: "Declare a remote method (NAME, or prototype.NAME for an instance method) and write its Go stub in models/",
		Args:  args(2, 2, "the model's name and the method's"),
		RunE: func(cmd *cobra.Command, a []string) error {
			files, err := AddMethod(dir, a[0], a[1], o)
			if len(files) == 2 {
				fmt.Fprintf(cmd.OutOrStdout(), "declared %s.%s in %s\nwrote %s (it answers 501 until you write it)\n", a[0], a[1], files[0], files[1])
			}
			return err
		},
	}
	add.Flags().StringVar(&dir, "dir", ".", "the project's directory")
	add.Flags().StringVar(&o.HTTP, "http", "", "verb:/path below the model's path (default post:/NAME)")
	add.Flags().StringVar(&o.AccessType, "access", "", "READ, WRITE or EXECUTE (default: derived, EXECUTE for most)")
	cmd.AddCommand(add)
	return cmd
}

// Main runs Execute on os.Args and exits with its code.
func Main() { os.Exit(Execute(os.Args[1:], os.Stdout, os.Stderr)) }
