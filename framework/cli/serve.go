package cli

import (
	"fmt"
	"log/slog"
	"net"
	"strconv"

	"github.com/spf13/cobra"
)

// serveFlags adds --host and --port to cmd (the root and serve share them).
func (r *runner) serveFlags(cmd *cobra.Command) {
	cmd.Flags().StringVar(&r.host, "host", "", "the address to listen on (default: the config's host, HOST)")
	cmd.Flags().IntVar(&r.port, "port", 0, "the port to listen on; 0 picks a free one (default: the config's port, PORT)")
}

func (r *runner) serveCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve HTTP (the default command): migrate, run the boot functions, listen until SIGTERM",
		Args:  noArgs,
		RunE:  r.runServe,
	}
	r.serveFlags(cmd)
	return cmd
}

// runServe sets the app up and serves until the context ends, then shuts down gracefully.
func (r *runner) runServe(cmd *cobra.Command, _ []string) error {
	if cmd.Flags().Changed("port") && (r.port < 0 || r.port > 65535) {
		return usagef("--port %d is not a port number (0-65535)", r.port)
	}
	r.hostSet, r.portSet = cmd.Flags().Changed("host"), cmd.Flags().Changed("port")
	app, err := r.newApp(slog.LevelInfo)
	if err != nil {
		return err
	}
	ctx := cmd.Context()
	if err := app.Setup(ctx); err != nil {
		_ = app.Shutdown(ctx)
		return err
	}
	host, port := app.Config().Host, app.Config().Port
	if r.portSet {
		port = r.port // 0 too: a free port
	}
	addr := net.JoinHostPort(host, strconv.Itoa(port))
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		_ = app.Shutdown(ctx)
		return fmt.Errorf("listen on %s: %w", addr, err)
	}
	return app.Serve(ctx, ln)
}
