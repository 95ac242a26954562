package framework

import "strings"

// OpenAPIConfig configures the OpenAPI document ({restApiRoot}/openapi.json and .yaml) and the
// API explorer; both are on by default.
type OpenAPIConfig struct {
	Disabled     bool   `yaml:"disabled"`     // serve neither the document nor the explorer
	Title        string `yaml:"title"`        // the document's info.title; default "Loopgo API"
	Version      string `yaml:"version"`      // the document's info.version; default "1.0.0"
	Description  string `yaml:"description"`  // the document's info.description
	Explorer     *bool  `yaml:"explorer"`     // serve the explorer; default true (false in production)
	ExplorerPath string `yaml:"explorerPath"` // where the explorer is served; default /explorer
}

// explorerOn reports whether the explorer is served.
func (c OpenAPIConfig) explorerOn() bool {
	return !c.Disabled && (c.Explorer == nil || *c.Explorer)
}

// explorerPath is the explorer's path, "/explorer" by default, without a trailing slash.
func (c OpenAPIConfig) explorerPath() string {
	p := "/" + strings.Trim(c.ExplorerPath, "/")
	if p == "/" {
		return "/explorer"
	}
	return p
}
