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
	users := app.Model("User")
	user, err := users.FindOne(ctx, map[string]any{"where": map[string]any{"email": email}})
	if err != nil {
		return fmt.Errorf("look up admin user: %w", err)
	}
	if user == nil {
		data := map[string]any{"email": email, "password": password}
		if name := os.Getenv("ADMIN_USERNAME"); name != "" {
			data["username"] = name
		}
		if user, err = users.Create(ctx, data); err != nil {
			return fmt.Errorf("create admin user %s: %w", email, err)
		}
		app.Logger().Info("admin user created", "email", email)
	}
	if err := app.GrantRole(ctx, "admin", user["id"]); err != nil {
		return fmt.Errorf("map admin user to the admin role: %w", err)
	}
	return nil
}
