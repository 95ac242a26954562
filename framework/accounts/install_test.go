package accounts

import (
	"context"
	"io/fs"
	"path"
	"reflect"
	"strings"
	"testing"

	"github.com/loopgo/loopgo/framework/rest"
	"github.com/loopgo/loopgo/framework/schema"
)

// TestRemoteHookOrder pins the order of the account layer's remote hooks: the sign-up throttle
// counts every attempt, so it runs before any hook or check that could refuse the call first.
func TestRemoteHookOrder(t *testing.T) {
	stamp := func(context.Context, *rest.Call) error { return nil }
	cases := []struct {
		name  string
		stamp rest.RemoteHook
		want  []string
	}{
		{"with the owner stamp", stamp, []string{
			"before throttleRegistration", "before noStoreForUsers", "before guardServerOwnedFields",
			"before stampOwner", "before guardEmailChange", "before guardSessions",
			"after notifyEmailChange", "after verifyAfterCreate",
		}},
		{"without", nil, []string{
			"before throttleRegistration", "before noStoreForUsers", "before guardServerOwnedFields",
			"before guardEmailChange", "before guardSessions",
			"after notifyEmailChange", "after verifyAfterCreate",
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, h := range New(Config{}).RemoteHooks(tc.stamp) {
				if h.Fn == nil {
					t.Errorf("hook %s has no function", h.Name)
				}
				got = append(got, h.When+" "+h.Name)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("remote hooks\n got %q\nwant %q", got, tc.want)
			}
		})
	}
}

// TestOperationHookOrder pins the user models' operation hooks and their order.
func TestOperationHookOrder(t *testing.T) {
	var got []string
	for _, h := range (&Users{}).OperationHooks() {
		got = append(got, h.Name)
	}
	want := []string{"access", "before save", "after save", "before delete"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("operation hooks %q, want %q", got, want)
	}
}

// TestMethodsAreDeclared checks that every method the account layer implements is declared by
// the built-in User model, and that every method User declares is implemented.
func TestMethodsAreDeclared(t *testing.T) {
	reg := schema.NewRegistry()
	files, err := fs.Glob(FS, "models/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		src, err := fs.ReadFile(FS, f)
		if err != nil {
			t.Fatal(err)
		}
		if err := reg.ParseFile(path.Base(f), src); err != nil {
			t.Fatal(err)
		}
	}
	if err := reg.Resolve(); err != nil {
		t.Fatal(err)
	}
	user := reg.Model("User")
	implemented := map[string]bool{}
	for _, m := range New(Config{}).Methods() {
		implemented[m.Name] = true
		name, proto := strings.CutPrefix(m.Name, "prototype.")
		if user.Method(name, !proto) == nil {
			t.Errorf("method %q is implemented but User.yaml does not declare it", m.Name)
		}
	}
	for _, d := range user.Methods {
		key := d.Name
		if !d.Static {
			key = "prototype." + d.Name
		}
		if !implemented[key] {
			t.Errorf("User.yaml declares %q but the account layer does not implement it", key)
		}
	}
}
