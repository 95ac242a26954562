package framework

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/loopgo/loopgo/framework/authz"
	"github.com/loopgo/loopgo/framework/openapi"
	"github.com/loopgo/loopgo/framework/schema"
)

// OpenAPI returns the OpenAPI 3.1 document of the REST API (after Setup): every shared method
// of every public model, built from the loaded models at start-up.
func (a *App) OpenAPI() *openapi.Document { return a.apiDoc }

// setupOpenAPI builds the document and serves it at {restApiRoot}/openapi.json and .yaml, and
// the explorer at its path, unless the configuration turns them off.
func (a *App) setupOpenAPI() error {
	doc, err := a.buildOpenAPI()
	if err != nil {
		return err
	}
	a.apiDoc = doc
	cfg := a.cfg.OpenAPI
	if cfg.Disabled {
		return nil
	}
	jsonDoc, err := doc.JSON()
	if err != nil {
		return err
	}
	yamlDoc, err := doc.YAML()
	if err != nil {
		return err
	}
	root := a.rest.Root()
	serve := func(body []byte, contentType string) echo.HandlerFunc {
		return func(c echo.Context) error {
			c.Response().Header().Set("Cache-Control", "no-cache")
			if c.Request().Method == http.MethodHead {
				c.Response().Header().Set(echo.HeaderContentType, contentType)
				return c.NoContent(http.StatusOK)
			}
			return c.Blob(http.StatusOK, contentType, body)
		}
	}
	verbs := []string{http.MethodGet, http.MethodHead}
	a.echo.Match(verbs, root+"/openapi.json", serve(jsonDoc, "application/json; charset=utf-8"))
	a.echo.Match(verbs, root+"/openapi.yaml", serve(yamlDoc, "application/yaml; charset=utf-8"))
	if cfg.explorerOn() {
		p := cfg.explorerPath()
		explorer := echo.WrapHandler(openapi.Explorer(doc.Info.Title, p, root+"/openapi.json"))
		h := func(c echo.Context) error {
			if !openapi.ExplorerServes(p, c.Request().URL.Path) {
				return echo.ErrNotFound // LoopBack's 404 envelope, as any unknown path
			}
			return explorer(c)
		}
		a.echo.Match(verbs, p, h)
		a.echo.Match(verbs, p+"/*", h)
	}
	return nil
}

// buildOpenAPI describes the methods the REST server exposes.
func (a *App) buildOpenAPI() (*openapi.Document, error) {
	var methods []openapi.Method
	for _, em := range a.rest.Exposed() {
		for _, mt := range em.Methods {
			om := openapi.Method{
				Model: mt.Model, Name: mt.Name, Static: mt.Static, Aliases: mt.Aliases, Routes: mt.Routes,
				Accepts: mt.Accepts, Returns: mt.Returns, AccessType: mt.AccessType, AccessScopes: mt.AccessScopes,
				Relation: mt.Relation, Target: mt.Target,
			}
			switch {
			case mt.Relation != nil:
				om.Kind = openapi.Related
				om.TargetProperty, om.TargetAccessType = authz.RelatedAccess(mt)
			case mt.Model.Method(mt.Name, mt.Static) != nil:
				om.Kind = openapi.Declared
				om.Description = mt.Model.Method(mt.Name, mt.Static).Description
			default:
				om.Kind = openapi.CRUD
			}
			methods = append(methods, om)
		}
	}
	cfg := a.cfg.OpenAPI
	return openapi.Build(methods, openapi.Options{
		Title: cfg.Title, Version: cfg.Version, Description: cfg.Description, Root: a.rest.Root(),
		Models: a.reg, CurrentUserLiteral: a.cfg.CurrentUserLiteral, CookieTokens: a.cfg.CookieSecret != "",
		ACLErrorStatus: a.cfg.AclErrorStatus, ServerOwned: a.serverOwned,
	})
}

// serverOwned lists the properties of m that REST writes cannot set (or only an admin can).
func (a *App) serverOwned(m *schema.Model) map[string]string {
	out := map[string]string{}
	if m.IsA("User") {
		for _, k := range serverOwned {
			out[k] = "Set by the server (email verification, disabling); an admin may change it."
		}
		for _, k := range []string{"mfaEnabled", "mfaSecret", "mfaPendingSecret", "mfaLastStep"} {
			out[k] = "Set by the multi-factor authentication methods only."
		}
	}
	if m.BoolSetting("ownerFromToken", false) {
		for _, k := range a.authorization.OwnerKeys(m) {
			out[k] = "Set from the caller's access token on create; only an admin may set or change it."
		}
	}
	if v, ok := m.Mixins["TimeStamp"]; ok && v != false {
		opts, _ := v.(map[string]any)
		created, _ := opts["createdAt"].(string)
		updated, _ := opts["updatedAt"].(string)
		if created == "" {
			created = "createdAt"
		}
		if updated == "" {
			updated = "updatedAt"
		}
		out[created] = "Set by the server when the instance is created."
		out[updated] = "Set by the server on every write."
	}
	return out
}
