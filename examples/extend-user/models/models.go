// Package models embeds the extend-user example's model files.
package models

import "embed"

// FS holds the model files and model-config.yaml.
//
//go:embed *.yaml
var FS embed.FS
