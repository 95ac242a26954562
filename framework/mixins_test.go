package framework_test

import (
	"context"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/loopgo/loopgo/framework"
)

func TestTimeStampMixin(t *testing.T) {
	post := `
name: Post
plural: posts
properties:
  title: string
mixins:
  TimeStamp: true
`
	memo := `
name: Memo
plural: memos
properties:
  text: string
mixins:
  TimeStamp: {createdAt: created, updatedAt: modified}
`
	a := newTestApp(t, map[string]string{"post.yaml": post, "memo.yaml": memo, "model-config.yaml": "Post: {dataSource: db}\nMemo: {dataSource: db}\n"})
	r := a.do("POST", "/api/posts", map[string]any{"title": "a"})
	created, _ := time.Parse(time.RFC3339, r.obj()["createdAt"].(string))
	if r.Status != 200 || time.Since(created) > time.Minute || r.obj()["updatedAt"] == nil {
		t.Fatalf("create: %d %s", r.Status, r.Raw)
	}
	time.Sleep(5 * time.Millisecond)
	r2 := a.do("PATCH", "/api/posts/1", map[string]any{"title": "b", "createdAt": "2001-01-01T00:00:00Z"})
	if r2.obj()["createdAt"] != r.obj()["createdAt"] || r2.obj()["updatedAt"] == r.obj()["updatedAt"] {
		t.Fatalf("patch: before %s after %s", r.Raw, r2.Raw)
	}
	r = a.do("POST", "/api/memos", map[string]any{"text": "m"})
	if r.obj()["created"] == nil || r.obj()["modified"] == nil || r.obj()["createdAt"] != nil {
		t.Fatalf("named columns: %s", r.Raw)
	}
}

func TestUnknownMixinStopsStartUp(t *testing.T) {
	app, err := framework.New(framework.Config{Datasources: map[string]framework.Datasource{"db": {URL: "sqlite:" + t.TempDir() + "/a.db"}}})
	if err != nil {
		t.Fatal(err)
	}
	fsys := fstest.MapFS{
		"post.yaml":         {Data: []byte("name: Post\nproperties:\n  title: string\nmixins:\n  SoftDelete: true\n")},
		"model-config.yaml": {Data: []byte("Post: {dataSource: db}\n")},
	}
	if err := app.LoadModels(fsys); err != nil {
		t.Fatal(err)
	}
	err = app.Setup(context.Background())
	if err == nil || !strings.Contains(err.Error(), `uses mixin "SoftDelete", which is not registered`) {
		t.Fatalf("err = %v", err)
	}
	_ = app.Shutdown(context.Background())
}

func TestBadRelationScopeStopsStartUp(t *testing.T) {
	app, err := framework.New(framework.Config{Datasources: map[string]framework.Datasource{"db": {URL: "sqlite:" + t.TempDir() + "/a.db"}}})
	if err != nil {
		t.Fatal(err)
	}
	fsys := fstest.MapFS{
		"a.yaml":            {Data: []byte("name: Author\nproperties:\n  name: string\nrelations:\n  books: {type: hasMany, model: Book, foreignKey: authorId, scope: {where: {titel: x}}}\n")},
		"b.yaml":            {Data: []byte("name: Book\nproperties:\n  title: string\n  authorId: number\n")},
		"model-config.yaml": {Data: []byte("Author: {dataSource: db}\nBook: {dataSource: db}\n")},
	}
	if err := app.LoadModels(fsys); err != nil {
		t.Fatal(err)
	}
	err = app.Setup(context.Background())
	if err == nil || !strings.Contains(err.Error(), "relation books: scope") || !strings.Contains(err.Error(), "a.yaml:5") {
		t.Fatalf("err = %v", err)
	}
	_ = app.Shutdown(context.Background())
}
