// Package builtin holds Loopgo's built-in models (User, AccessToken, ACL, Role, RoleMapping) as
// embedded YAML, and the Go logic behind them: passwords, access tokens, login and logout.
package builtin

import "embed"

// FS holds the built-in model definitions.
//
//go:embed models/*.yaml
var FS embed.FS
