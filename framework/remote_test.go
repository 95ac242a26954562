package framework_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/loopgo/loopgo/framework"
	"github.com/loopgo/loopgo/framework/apierr"
)

const calcYAML = `
name: Calc
plural: calcs
properties:
  label: string
methods:
  add:
    accepts:
      - {arg: a, type: number, required: true, http: {source: query}}
      - {arg: b, type: number, required: true, http: {source: query}}
    returns: {arg: sum, type: number}
    http: {verb: get, path: /add}
  echo:
    accepts:
      - {arg: payload, type: object, http: {source: body}}
      - {arg: mode, type: string, http: {source: header}}
      - {arg: flag, type: boolean, http: {source: query}}
      - {arg: when, type: date, http: {source: query}}
      - {arg: tags, type: "[string]", http: {source: query}}
      - {arg: count, type: integer, http: {source: form}}
    returns: {arg: data, type: object, root: true}
    http: {verb: post, path: /echo, status: 201}
  ping:
    http: {verb: post, path: /ping}
  prototype.rename:
    accepts:
      - {arg: label, type: string, required: true}
    returns: {arg: calc, type: Calc, root: true}
    http: {verb: post, path: /rename}
`

func calcApp(t *testing.T, extra ...func(*framework.App)) *testApp {
	setup := append([]func(*framework.App){func(app *framework.App) {
		calc := app.Model("Calc")
		calc.Method("add", func(ctx context.Context, c *framework.Call) (any, error) {
			return c.Args["a"].(float64) + c.Args["b"].(float64), nil
		})
		calc.Method("echo", func(ctx context.Context, c *framework.Call) (any, error) {
			return map[string]any{"payload": c.Args["payload"], "mode": c.Args["mode"], "flag": c.Args["flag"], "when": c.Args["when"], "tags": c.Args["tags"], "count": c.Args["count"]}, nil
		})
		calc.Method("ping", func(ctx context.Context, c *framework.Call) (any, error) { return nil, nil })
		calc.Method("prototype.rename", func(ctx context.Context, c *framework.Call) (any, error) {
			rec, err := calc.PatchByID(ctx, c.InstanceID, map[string]any{"label": c.Args["label"]})
			return calc.Instance(rec), err
		})
	}}, extra...)
	return newTestApp(t, map[string]string{"calc.yaml": calcYAML, "model-config.yaml": "Calc: {dataSource: db}\n"}, setup...)
}

func TestRemoteMethods(t *testing.T) {
	a := calcApp(t)
	a.do("POST", "/api/calcs", map[string]any{"label": "first"})
	cases := []struct {
		name, method, path string
		body               any
		headers            []string
		status             int
		want               string // substring of the raw body
	}{
		{"add", "GET", "/api/calcs/add?a=2&b=3.5", nil, nil, 200, `{"sum":5.5}`},
		{"missing arg", "GET", "/api/calcs/add?a=2", nil, nil, 400, `b is a required argument`},
		{"not a number", "GET", "/api/calcs/add?a=2&b=x", nil, nil, 400, `Value is not a number.`},
		{"wrong verb", "POST", "/api/calcs/add?a=1&b=2", nil, nil, 404, `has no method handling POST`},
		{"echo sources and status", "POST", "/api/calcs/echo?flag=true&when=2026-01-02T03:04:05Z&tags=a&tags=b", map[string]any{"x": 1}, []string{"mode", "fast"}, 201,
			`{"count":null,"flag":true,"mode":"fast","payload":{"x":1},"tags":["a","b"],"when":"2026-01-02T03:04:05.000Z"}`},
		{"echo bad date", "POST", "/api/calcs/echo?when=yesterday", map[string]any{}, nil, 400, ``},
		{"echo bad boolean", "POST", "/api/calcs/echo?flag=maybe", map[string]any{}, nil, 400, ``},
		{"no returns answers 204", "POST", "/api/calcs/ping", nil, nil, 204, ``},
		{"prototype method", "POST", "/api/calcs/1/rename", map[string]any{"label": "renamed"}, nil, 200, `"label":"renamed"`},
		{"prototype method missing instance", "POST", "/api/calcs/9/rename", map[string]any{"label": "x"}, nil, 404, `could not find a model with id 9`},
		{"prototype method missing arg", "POST", "/api/calcs/1/rename", map[string]any{}, nil, 400, `label is a required argument`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := a.do(c.method, c.path, c.body, c.headers...)
			if r.Status != c.status || !strings.Contains(r.Raw, c.want) {
				t.Fatalf("%d %s, want %d containing %s", r.Status, r.Raw, c.status, c.want)
			}
		})
	}
}

func TestRemoteHooks(t *testing.T) {
	var order []string
	a := calcApp(t, func(app *framework.App) {
		calc := app.Model("Calc")
		calc.BeforeRemote("add", func(ctx context.Context, c *framework.Call) error {
			order = append(order, "before add")
			if c.Args["a"].(float64) < 0 {
				return apierr.New(418, "NO_NEGATIVES", "negative numbers are not welcome")
			}
			c.Args["b"] = c.Args["b"].(float64) * 10
			return nil
		})
		calc.AfterRemote("add", func(ctx context.Context, c *framework.Call) error {
			order = append(order, "after add")
			c.Result = map[string]any{"rewritten": c.Result}
			return nil
		})
		calc.BeforeRemote("prototype.*", func(ctx context.Context, c *framework.Call) error {
			order = append(order, "before prototype.*")
			return nil
		})
		calc.AfterRemoteError("**", func(ctx context.Context, c *framework.Call) error {
			order = append(order, "error hook")
			if e, ok := apierr.As(c.Err); ok && e.StatusCode == 418 {
				return apierr.New(400, "REPLACED", "replaced by the error hook")
			}
			return c.Err
		})
		app.BeforeRemote("**", func(ctx context.Context, c *framework.Call) error {
			order = append(order, "app "+c.Method.StringName())
			return nil
		})
	})
	a.withoutOpenAPICheck() // the after hook answers an object where add declares a number
	r := a.do("GET", "/api/calcs/add?a=1&b=2", nil)
	if r.Status != 200 || r.Raw != `{"sum":{"rewritten":21}}` {
		t.Fatalf("%d %s", r.Status, r.Raw)
	}
	r = a.do("GET", "/api/calcs/add?a=-1&b=2", nil)
	if r.Status != 400 || r.errField("code") != "REPLACED" {
		t.Fatalf("abort: %d %s", r.Status, r.Raw)
	}
	a.do("POST", "/api/calcs", map[string]any{"label": "x"})
	a.do("POST", "/api/calcs/1/rename", map[string]any{"label": "y"})
	got := strings.Join(order, ", ")
	want := "before add, app Calc.add, after add, before add, error hook, app Calc.create, before prototype.*, app Calc.prototype.rename"
	if got != want {
		t.Fatalf("hook order:\n got %s\nwant %s", got, want)
	}
}

func TestMethodBindingErrors(t *testing.T) {
	for _, c := range []struct {
		name  string
		setup func(*framework.App)
		want  string
	}{
		{"declared but not implemented", func(app *framework.App) {}, `declares method "add" but no Go function implements it`},
		{"implemented but not declared", func(app *framework.App) {
			calc := app.Model("Calc")
			for _, n := range []string{"add", "echo", "ping", "prototype.rename", "nothing"} {
				calc.Method(n, func(ctx context.Context, c *framework.Call) (any, error) { return nil, nil })
			}
		}, `method "nothing" is implemented in Go but not declared`},
	} {
		t.Run(c.name, func(t *testing.T) {
			app, err := framework.New(framework.Config{
				Datasources: map[string]framework.Datasource{"db": {URL: "sqlite:" + t.TempDir() + "/a.db"}},
				Logger:      slog.New(slog.NewTextHandler(&bytes.Buffer{}, nil)),
			})
			if err != nil {
				t.Fatal(err)
			}
			fsys := fstest.MapFS{"calc.yaml": {Data: []byte(calcYAML)}, "model-config.yaml": {Data: []byte("Calc: {dataSource: db}\n")}}
			if err := app.LoadModels(fsys); err != nil {
				t.Fatal(err)
			}
			c.setup(app)
			err = app.Setup(context.Background())
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("setup error %v, want %s", err, c.want)
			}
			_ = app.Shutdown(context.Background())
		})
	}
}

func TestBootErrorNamesTheFunction(t *testing.T) {
	app, err := framework.New(framework.Config{
		Datasources: map[string]framework.Datasource{"db": {URL: "sqlite:" + t.TempDir() + "/a.db"}},
		Logger:      slog.New(slog.NewTextHandler(&bytes.Buffer{}, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	var ran []string
	app.Boot("first", func(ctx context.Context, app *framework.App) error { ran = append(ran, "first"); return nil })
	app.Boot("broken", func(ctx context.Context, app *framework.App) error { return fmt.Errorf("no luck") })
	app.Boot("never", func(ctx context.Context, app *framework.App) error { ran = append(ran, "never"); return nil })
	err = app.Setup(context.Background())
	if err == nil || !strings.Contains(err.Error(), `boot function "broken": no luck`) || strings.Join(ran, ",") != "first" {
		t.Fatalf("err %v, ran %v", err, ran)
	}
	_ = app.Shutdown(context.Background())
}
