package openapi

import (
	"net/http"

	"github.com/swaggest/swgui"
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
