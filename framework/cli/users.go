package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/loopgo/loopgo/framework"
)

// passwordFlags adds --password-stdin, and a hidden --password that refuses to be used.
func passwordFlags(cmd *cobra.Command, fromStdin *bool, refused *string) {
	cmd.Flags().BoolVar(fromStdin, "password-stdin", false, "read the password from the first line of standard input (without it: a prompt on a terminal)")
	cmd.Flags().StringVar(refused, "password", "", "")
	_ = cmd.Flags().MarkHidden("password")
}

// refusePasswordArgument refuses a password given as an argument.
func refusePasswordArgument(cmd *cobra.Command) error {
	if cmd.Flags().Changed("password") {
		return usagef("passwords are never taken as arguments (they would be seen in the process list and the shell history): pipe it with --password-stdin, or leave both out for a prompt")
	}
	return nil
}

func (r *runner) usersCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "users", Short: "Create users and set their passwords", Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return usagef("give a command: create or set-password") }}
	cmd.AddCommand(r.usersCreateCommand(), r.usersSetPasswordCommand())
	return cmd
}

func (r *runner) usersCreateCommand() *cobra.Command {
	var email, username, role, model, refused string
	var fromStdin bool
	cmd := &cobra.Command{
		Use:   "create --email EMAIL [--password-stdin] [--role ROLE]",
		Short: "Create a user (validated and hashed as a sign-up), optionally with a static role",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := refusePasswordArgument(cmd); err != nil {
				return err
			}
			if role != "" && model != "User" {
				return usagef("--role maps users of the User model; for %s users map roles with a RoleMapping of principalType %s", model, model)
			}
			pw, err := r.readPassword(fromStdin)
			if err != nil {
				return err
			}
			return r.withApp(cmd.Context(), func(app *framework.App) error {
				ctx := cmd.Context()
				if _, err := app.Users(model); err != nil {
					return err
				}
				data := map[string]any{"email": email, "password": pw}
				if username != "" {
					data["username"] = username
				}
				rec, err := app.Model(model).Create(ctx, data)
				if err != nil {
					return fmt.Errorf("create %s %s: %w", model, email, err)
				}
				if stored, err := app.Model(model).FindByID(ctx, rec["id"]); err == nil && stored != nil {
					rec = stored // print the email as stored
				}
				fmt.Fprintf(cmd.OutOrStdout(), "created %s %v (%s)\n", model, rec["id"], rec["email"])
				if role != "" {
					if err := app.GrantRole(ctx, role, rec["id"]); err != nil {
						return fmt.Errorf("grant role %s to %s %v: %w", role, model, rec["id"], err)
					}
					fmt.Fprintf(cmd.OutOrStdout(), "granted role %s to %s %v\n", role, model, rec["id"])
				}
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&email, "email", "", "the user's email (required)")
	cmd.Flags().StringVar(&username, "username", "", "the user's username")
	cmd.Flags().StringVar(&role, "role", "", "map the new user to this static role, e.g. admin")
	cmd.Flags().StringVar(&model, "model", "User", "the user model (User or a model with base: User)")
	passwordFlags(cmd, &fromStdin, &refused)
	_ = cmd.MarkFlagRequired("email")
	return cmd
}

func (r *runner) usersSetPasswordCommand() *cobra.Command {
	var email, model, refused string
	var fromStdin bool
	cmd := &cobra.Command{
		Use:   "set-password --email EMAIL [--password-stdin]",
		Short: "Set a user's password (the password policy applies); the user's access tokens are revoked",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := refusePasswordArgument(cmd); err != nil {
				return err
			}
			pw, err := r.readPassword(fromStdin)
			if err != nil {
				return err
			}
			return r.withApp(cmd.Context(), func(app *framework.App) error {
				ctx := cmd.Context()
				users, user, err := findUser(ctx, app, model, email)
				if err != nil {
					return err
				}
				if err := users.SetPassword(ctx, user["id"], "", nil, pw); err != nil {
					return fmt.Errorf("set the password of %s %v: %w", model, user["id"], err)
				}
				fmt.Fprintf(cmd.OutOrStdout(), "password of %s %v (%s) set; its access tokens are revoked\n", model, user["id"], user["email"])
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&email, "email", "", "the user's email (required)")
	cmd.Flags().StringVar(&model, "model", "User", "the user model (User or a model with base: User)")
	passwordFlags(cmd, &fromStdin, &refused)
	_ = cmd.MarkFlagRequired("email")
	return cmd
}

// findUser returns the user model's handle and the user with that email.
func findUser(ctx context.Context, app *framework.App, model, email string) (*framework.Users, framework.Record, error) {
	users, err := app.Users(model)
	if err != nil {
		return nil, nil, err
	}
	user, err := users.FindByEmail(ctx, email)
	if err != nil {
		return nil, nil, err
	}
	if user == nil {
		return nil, nil, fmt.Errorf("no %s has the email %q", model, email)
	}
	return users, user, nil
}

func (r *runner) rolesCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "roles", Short: "Grant and revoke static roles (Role and RoleMapping)", Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return usagef("give a command: grant or revoke") }}
	var email string
	grant := &cobra.Command{
		Use:   "grant ROLE --email EMAIL",
		Short: "Map a user of the User model to a static role (created when missing)",
		Args:  exactArgs(1, "the role's name"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return r.withApp(cmd.Context(), func(app *framework.App) error {
				ctx := cmd.Context()
				_, user, err := findUser(ctx, app, "User", email)
				if err != nil {
					return err
				}
				if err := app.GrantRole(ctx, args[0], user["id"]); err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "User %v (%s) has the role %s\n", user["id"], user["email"], args[0])
				return nil
			})
		},
	}
	revoke := &cobra.Command{
		Use:   "revoke ROLE --email EMAIL",
		Short: "Remove a user's mapping to a static role",
		Args:  exactArgs(1, "the role's name"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return r.withApp(cmd.Context(), func(app *framework.App) error {
				ctx := cmd.Context()
				_, user, err := findUser(ctx, app, "User", email)
				if err != nil {
					return err
				}
				n, err := app.RevokeRole(ctx, args[0], user["id"])
				if err != nil {
					return err
				}
				if n == 0 {
					fmt.Fprintf(cmd.OutOrStdout(), "User %v (%s) did not have the role %s: nothing to revoke\n", user["id"], user["email"], args[0])
					return nil
				}
				fmt.Fprintf(cmd.OutOrStdout(), "User %v (%s) no longer has the role %s\n", user["id"], user["email"], args[0])
				return nil
			})
		},
	}
	for _, c := range []*cobra.Command{grant, revoke} {
		c.Flags().StringVar(&email, "email", "", "the user's email (required)")
		_ = c.MarkFlagRequired("email")
	}
	cmd.AddCommand(grant, revoke)
	return cmd
}
