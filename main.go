// Command loopgo is the ready app: the models in models/, the boot functions in boot/, and the
// Loopgo command line (framework/cli). Without a command it serves; `loopgo --help` lists the
// others (migrate, users, roles, routes, acl, openapi).
package main

import (
	_ "embed"

	"github.com/loopgo/loopgo/boot"
	"github.com/loopgo/loopgo/framework"
	"github.com/loopgo/loopgo/framework/cli"
	"github.com/loopgo/loopgo/models"
)

//go:embed config.yaml
var configYAML []byte

// app is the ready app as the command line builds it.
var app = cli.App{
	Name:   "loopgo",
	Config: configYAML,
	Models: models.FS,
	Register: func(app *framework.App) error {
		models.Register(app)
		boot.Register(app)
		return nil
	},
}

func main() { cli.Main(app) }
