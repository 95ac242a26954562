package rest

import (
	"context"
	"slices"
	"testing"

	"github.com/loopgo/loopgo/framework/schema"
)

func TestHooksMatchedPerMethodFollowLaterRegistrations(t *testing.T) {
	note := &schema.Model{Name: "Note"}
	create := &Method{Model: note, Name: "create", Static: true}
	patch := &Method{Model: note, Name: "patchAttributes"}
	var ran []string
	hook := func(name string) RemoteHook {
		return func(context.Context, *Call) error { ran = append(ran, name); return nil }
	}
	var h hookSet
	h.add(beforeHook, "**", hook("all"))
	h.add(beforeHook, "Note.create", hook("create"))
	h.add(afterHook, "Note.*", hook("after static"))

	tests := []struct {
		name   string
		kind   hookKind
		method *Method
		before func()
		want   []string
	}{
		{"before create", beforeHook, create, nil, []string{"all", "create"}},
		{"before patch", beforeHook, patch, nil, []string{"all"}},
		{"again, from the matched list", beforeHook, create, nil, []string{"all", "create"}},
		{"after static only", afterHook, patch, nil, nil},
		{"a hook added later is seen", beforeHook, patch, func() { h.add(beforeHook, "Note.prototype.*", hook("proto")) }, []string{"all", "proto"}},
		{"and keeps the order", beforeHook, create, func() { h.add(beforeHook, "**", hook("last")) }, []string{"all", "create", "last"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.before != nil {
				tt.before()
			}
			ran = nil
			if err := h.run(context.Background(), tt.kind, &Call{Method: tt.method}); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(ran, tt.want) {
				t.Fatalf("ran %v, want %v", ran, tt.want)
			}
		})
	}
}
