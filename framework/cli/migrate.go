package cli

import (
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/spf13/cobra"

	"github.com/loopgo/loopgo/framework"
	"github.com/loopgo/loopgo/framework/store"
)

func (r *runner) migrateCommand() *cobra.Command {
	var plan bool
	cmd := &cobra.Command{
		Use:   "migrate",
		Short: "Create the missing tables, columns and indexes (under the migration lock); --plan only prints them",
		Long: "migrate brings every datasource up to the models, as start-up does, under the database's migration\n" +
			"lock, without running the boot functions. It never drops or retypes anything: what it refuses is\n" +
			"printed with the reason. With --plan it changes nothing and prints what it would do; the exit code\n" +
			"is then 1 when start-up's migration would fail (a refusal, or a unique index over duplicates).",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			app, err := r.newApp(slog.LevelError)
			if err != nil {
				return err
			}
			if plan {
				plans, err := app.PlanMigration(cmd.Context())
				failing := printPlans(cmd.OutOrStdout(), plans, false)
				if err != nil {
					return err
				}
				if failing > 0 {
					return fmt.Errorf("start-up's migration would fail: %d change(s) refused or blocked (see above)", failing)
				}
				return nil
			}
			plans, err := app.Migrate(cmd.Context())
			printPlans(cmd.OutOrStdout(), plans, true)
			return err
		},
	}
	cmd.Flags().BoolVar(&plan, "plan", false, "print what would be done, change nothing")
	return cmd
}

// printPlans writes each datasource's plan (applied: what was done) and returns how many
// changes are refused or blocked.
func printPlans(w io.Writer, plans []*framework.MigrationPlan, applied bool) int {
	failing := 0
	for _, p := range plans {
		if p == nil {
			continue
		}
		fmt.Fprintf(w, "datasource %s (%s):\n", p.Datasource, p.Dialect)
		if p.Empty() {
			fmt.Fprintln(w, "  nothing to do: the tables, columns and indexes are up to date")
		}
		for _, st := range p.Steps {
			line := describeStep(st)
			switch {
			case applied && st.Done:
				line = "done:    " + line
			case applied && st.Err != nil:
				line = "FAILED:  " + line + "\n           " + st.Err.Error()
			case applied:
				line = "skipped: " + line
			case st.Blocked != "":
				failing++
				line = "BLOCKED: " + line + "\n           " + st.Blocked
			default:
				line = "would:   " + line
			}
			fmt.Fprintln(w, "  "+line)
		}
		for _, rf := range p.Refusals {
			failing++
			fmt.Fprintf(w, "  REFUSED: %s.%s: %s\n", rf.Table, rf.Column, rf.Reason)
		}
		for _, k := range p.Kept {
			fmt.Fprintf(w, "  kept:    column %s.%s, which model %s no longer declares (left in place)\n", k.Table, k.Column, k.Model)
		}
	}
	return failing
}

// describeStep is one line saying what a step creates.
func describeStep(st store.Step) string {
	cols := make([]string, 0, len(st.Columns))
	for _, c := range st.Columns {
		cols = append(cols, c.Name+" "+c.Type)
	}
	switch st.Kind {
	case store.StepCreateTable:
		return fmt.Sprintf("create table %s for model %s (%s)", st.Table, st.Model, strings.Join(cols, ", "))
	case store.StepAddColumn:
		return fmt.Sprintf("add column %s.%s", st.Table, strings.Join(cols, ", "))
	}
	names := make([]string, 0, len(st.Columns))
	for _, c := range st.Columns {
		names = append(names, c.Name)
	}
	return fmt.Sprintf("%s %s on %s (%s)", st.Kind, st.Index, st.Table, strings.Join(names, ", "))
}
