package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/loopgo/loopgo/framework"
)

func (r *runner) routesCommand() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "routes",
		Short: "List every endpoint: verb, path, model method, access type, who may call it by the static ACLs",
		Long: "routes sets the app up (as serve does, without listening) and lists the REST API's endpoints with\n" +
			"who may call each according to the static ACLs (model YAML and model-config.yaml; rows of the ACL\n" +
			"model are not counted), then the routes outside the REST API, which the ACLs do not guard.\n" +
			"$owner is the owner of the record in the path; each principal is judged alone.",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return r.withApp(cmd.Context(), func(app *framework.App) error {
				eps, err := app.Endpoints(cmd.Context())
				if err != nil {
					return err
				}
				if asJSON {
					return writeJSON(cmd.OutOrStdout(), endpointsJSON(eps))
				}
				printEndpoints(cmd.OutOrStdout(), eps)
				return nil
			})
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

// printEndpoints writes the endpoints as a table.
func printEndpoints(w io.Writer, eps []framework.Endpoint) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "VERB\tPATH\tMETHOD\tACCESS\tWHO MAY CALL (static ACLs)")
	for _, ep := range eps {
		if !ep.Guarded {
			fmt.Fprintf(tw, "%s\t%s\t-\t-\tnot behind the ACLs (the handler decides)\n", ep.Verb, ep.Path)
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%s.%s\t%s\t%s\n", ep.Verb, ep.Path, ep.Model, ep.Method, ep.AccessType, ep.Callers)
	}
	_ = tw.Flush()
}

// endpointsJSON is the --json form of the endpoints.
func endpointsJSON(eps []framework.Endpoint) []map[string]any {
	out := make([]map[string]any, 0, len(eps))
	for _, ep := range eps {
		e := map[string]any{"verb": ep.Verb, "path": ep.Path, "guarded": ep.Guarded}
		if ep.Guarded {
			e["model"], e["method"], e["accessType"] = ep.Model, ep.Method, ep.AccessType
			e["callers"] = ep.Callers.String()
			e["base"] = ep.Callers.Base
			e["also"], e["except"], e["scopes"] = orEmpty(ep.Callers.Also), orEmpty(ep.Callers.Except), orEmpty(ep.Callers.Scopes)
		}
		out = append(out, e)
	}
	return out
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// writeJSON writes v as indented JSON.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func (r *runner) aclCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "acl", Short: "Explain ACL decisions", Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return usagef("give a command: explain") }}
	var user, userModel string
	var asJSON bool
	explain := &cobra.Command{
		Use:   "explain [--user ID] METHOD PATH",
		Short: "Explain whether a user (anonymous without --user) may call METHOD PATH, and which rule decides",
		Long: "explain resolves METHOD PATH (e.g. GET /api/notes/1) to the model method the REST API would call\n" +
			"and explains the ACL decision for that user: the deciding rule and every candidate rule with its\n" +
			"score, static and dynamic (rows of the ACL model) alike, the user's static roles and $owner of the\n" +
			"record in the path included, as the app decides a real call.",
		Args: exactArgs(2, "METHOD and PATH, e.g. GET /api/notes/1"),
		RunE: func(cmd *cobra.Command, args []string) error {
			verb := strings.ToUpper(args[0])
			switch verb {
			case "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS":
			default:
				return usagef("%q is not an HTTP method (GET, POST, PUT, PATCH, DELETE, HEAD)", args[0])
			}
			if !strings.HasPrefix(args[1], "/") {
				return usagef("PATH must start with /, e.g. /api/notes/1 (got %q)", args[1])
			}
			return r.withApp(cmd.Context(), func(app *framework.App) error {
				var uid any
				if user != "" {
					uid = user
				}
				out, err := app.ExplainRoute(cmd.Context(), verb, args[1], uid, userModel)
				if err != nil {
					return err
				}
				if asJSON {
					return writeJSON(cmd.OutOrStdout(), out)
				}
				who := "anonymous"
				if user != "" {
					who = userModel + " " + user
					if userModel == "" {
						who = "User " + user
					}
				}
				fmt.Fprintf(cmd.OutOrStdout(), "%s %s -> %s.%s for %s\n", verb, args[1], out["model"], out["method"], who)
				printDecision(cmd.OutOrStdout(), out, "")
				if rel, ok := out["related"].(map[string]any); ok {
					fmt.Fprintf(cmd.OutOrStdout(), "the related model's ACL: %s.%s\n", rel["model"], rel["property"])
					printDecision(cmd.OutOrStdout(), rel, "  ")
				}
				verdict := "DENIED"
				if out["allowed"] == true {
					verdict = "ALLOWED"
				}
				fmt.Fprintln(cmd.OutOrStdout(), verdict)
				return nil
			})
		},
	}
	explain.Flags().StringVar(&user, "user", "", "the user's id (anonymous when absent)")
	explain.Flags().StringVar(&userModel, "user-model", "", "the user's model when the app has several (default User)")
	explain.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.AddCommand(explain)
	return cmd
}

// printDecision writes one explained decision: access type, reason, candidates by score.
func printDecision(w io.Writer, out map[string]any, indent string) {
	fmt.Fprintf(w, "%saccess type %v: %v\n", indent, out["accessType"], out["reason"])
	cands, _ := out["candidates"].([]map[string]any)
	if len(cands) == 0 {
		fmt.Fprintf(w, "%sno rule applies\n", indent)
		return
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "%sSCORE\tRULE\tWHERE\tMATCHES\n", indent)
	for _, c := range cands {
		match := "not evaluated"
		if c["evaluated"] == true {
			match = "no"
			if c["matched"] == true {
				match = "yes"
			}
		}
		if c["decisive"] == true {
			match += " (decides)"
		}
		fmt.Fprintf(tw, "%s%v\t%v\t%v\t%s\n", indent, c["score"], c["rule"], c["origin"], match)
	}
	_ = tw.Flush()
}
