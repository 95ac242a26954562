// Package models embeds the ready app's YAML model files.
package models

import "embed"

// FS holds the model files and model-config.yaml.
//
//go:embed *.yaml
var FS embed.FS
