// Package boot holds the ready app's boot functions, registered in the order they run.
package boot

import "github.com/loopgo/loopgo/framework"

// Register adds the ready app's boot functions to app, in the order they run.
func Register(app *framework.App) {
	app.Boot("admin-user", AdminUser)
	app.Boot("login-routes", LoginRoutes)
}
