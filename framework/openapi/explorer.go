package openapi

import (
	"io/fs"
	"net/http"
	"path"
	"strings"

	"github.com/swaggest/swgui"
	"github.com/swaggest/swgui/v5/static"
	"github.com/swaggest/swgui/v5emb"
)

// Explorer returns the API explorer (Swagger UI 5, its assets embedded in the binary: the page
// loads nothing from elsewhere) at basePath, reading the document at docURL. Its Authorize
// button takes an access token for any of the document's security schemes; the token is kept
// across page reloads.
func Explorer(title, basePath, docURL string) http.Handler {
	return v5emb.NewHandlerWithConfig(swgui.Config{
		Title:       title,
		SwaggerJSON: docURL,
		BasePath:    basePath,
		SettingsUI: map[string]string{
			"persistAuthorization":     "true",
			"defaultModelsExpandDepth": "1",
			"displayOperationId":       "true",
			"tryItOutEnabled":          "true",
		},
	})
}

// ExplorerServes reports whether the explorer at basePath has an answer for urlPath: its page,
// or one of its embedded assets (stored compressed or not).
func ExplorerServes(basePath, urlPath string) bool {
	rest := strings.Trim(strings.TrimPrefix(urlPath, strings.TrimRight(basePath, "/")), "/")
	if rest == "" {
		return true
	}
	name := path.Clean(rest)
	for _, n := range []string{name, name + ".gz"} {
		if st, err := fs.Stat(static.FS, n); err == nil && !st.IsDir() {
			return true
		}
	}
	return false
}
