package main

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/loopgo/loopgo/framework/openapi/openapitest"
)

// TestOpenAPIDocumentIsValid checks the example's OpenAPI document with a real OpenAPI 3.1
// validator (libopenapi): parsed, every reference resolved, the OpenAPI 3.1 schema passed.
func TestOpenAPIDocumentIsValid(t *testing.T) {
	app, err := NewApp("sqlite:" + filepath.Join(t.TempDir(), "a.db"))
	if err != nil {
		t.Fatal(err)
	}
	if err := app.Setup(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer app.Shutdown(context.Background())
	doc, err := app.OpenAPI().JSON()
	if err != nil {
		t.Fatal(err)
	}
	if err := openapitest.Validate(doc); err != nil {
		t.Fatal(err)
	}
}
