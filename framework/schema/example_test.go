package schema_test

import (
	"fmt"
	"time"

	"github.com/loopgo/loopgo/framework/schema"
)

func ExampleRegistry_ParseFile() {
	src := []byte(`
name: Note
properties:
  title: {type: string, required: true}
  rating: {type: number, default: 3}
  tags: [string]
validations:
  - {property: title, kind: length, max: 20}
relations:
  owner: {type: belongsTo, model: Author}
acls:
  - {principalType: ROLE, principalId: $everyone, permission: DENY}
  - {principalType: ROLE, principalId: $authenticated, permission: ALLOW, accessType: READ}
methods:
  prototype.publish:
    accepts: {arg: at, type: date}
    http: {verb: post}
`)
	r := schema.NewRegistry()
	if err := r.ParseFile("models/note.yaml", src); err != nil {
		fmt.Println(err)
		return
	}
	if err := r.ParseFile("models/author.yaml", []byte("name: Author\n")); err != nil {
		fmt.Println(err)
		return
	}
	if err := r.Resolve(); err != nil {
		fmt.Println(err)
		return
	}
	note := r.Model("Note")
	for _, p := range note.Properties {
		typ := string(p.Type)
		if p.Items != "" {
			typ += " of " + string(p.Items)
		}
		fmt.Println(p.Name, typ)
	}
	fmt.Println(note.HTTPPath, note.Strict == schema.StrictTrue, note.ForceID)
	rec, err := note.PrepareData(map[string]any{"title": "a very long title indeed", "tags": []any{"x"}}, false)
	fmt.Println(err)
	note.ApplyDefaults(rec, time.Now())
	fmt.Println(rec["rating"])
	fmt.Println(note.Validate(rec, false))

	_, err = note.PrepareData(map[string]any{"body": "x"}, false)
	fmt.Println(err)
	// Output:
	// id number
	// title string
	// rating number
	// tags array of string
	// ownerId number
	// Notes true true
	// <nil>
	// 3
	// The `Note` instance is not valid. Details: `title` is too long (value: "a very long title indeed").
	// The `Note` instance is not valid. Details: `body` is not defined in the model (value: "x").
}
