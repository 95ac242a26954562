package boot

import (
	"context"
	"fmt"
	"os"

	"github.com/loopgo/loopgo/framework"
)

// AdminUser creates the user named by ADMIN_EMAIL and ADMIN_PASSWORD (and ADMIN_USERNAME) when it
// does not exist yet; without them there is no default account.
func AdminUser(ctx context.Context, app *framework.App) error {
	email, password := os.Getenv("ADMIN_EMAIL"), os.Getenv("ADMIN_PASSWORD")
	if email == "" || password == "" {
		return nil
	}
	users := app.Model("User")
	existing, err := users.FindOne(ctx, map[string]any{"where": map[string]any{"email": email}})
	if err != nil {
		return fmt.Errorf("look up admin user: %w", err)
	}
	if existing != nil {
		return nil
	}
	data := map[string]any{"email": email, "password": password}
	if name := os.Getenv("ADMIN_USERNAME"); name != "" {
		data["username"] = name
	}
	if _, err := users.Create(ctx, data); err != nil {
		return fmt.Errorf("create admin user %s: %w", email, err)
	}
	app.Logger().Info("admin user created", "email", email)
	return nil
}
