package boot

import (
	"context"
	"fmt"
	"os"

	"github.com/loopgo/loopgo/framework"
)

// AdminUser creates the user named by ADMIN_EMAIL and ADMIN_PASSWORD (and ADMIN_USERNAME) when it
// does not exist yet, and maps it to the `admin` role; without them there is no default account.
func AdminUser(ctx context.Context, app *framework.App) error {
	email, password := os.Getenv("ADMIN_EMAIL"), os.Getenv("ADMIN_PASSWORD")
	if email == "" || password == "" {
		return nil
	}
	data := map[string]any{"email": email, "password": password}
	if name := os.Getenv("ADMIN_USERNAME"); name != "" {
		data["username"] = name
	}
	// several instances may start at once: the one that loses the race gets the winner's user
	user, created, err := app.Model("User").FindOrCreate(ctx, map[string]any{"email": email}, data)
	if err != nil {
		return fmt.Errorf("find or create admin user %s: %w", email, err)
	}
	if created {
		app.Logger().Info("admin user created", "email", email)
	}
	if err := app.GrantRole(ctx, "admin", user["id"]); err != nil {
		return fmt.Errorf("map admin user to the admin role: %w", err)
	}
	return nil
}
