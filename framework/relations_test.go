package framework_test

import (
	"encoding/json"
	"reflect"
	"testing"
)

// Models with every relation type; Member, Profile, Comment and Tag have hidden properties.
var relationFiles = map[string]string{
	"team.yaml": `
name: Team
properties:
  name: string
relations:
  members: {type: hasMany, model: Member}
`,
	"member.yaml": `
name: Member
hidden: [secret]
properties:
  name: string
  email: string
  secret: string
relations:
  team: {type: belongsTo, model: Team}
  profile: {type: hasOne, model: Profile}
  posts: {type: hasMany, model: Post, foreignKey: authorId}
`,
	"profile.yaml": `
name: Profile
hidden: [token]
properties:
  bio: string
  token: string
`,
	"post.yaml": `
name: Post
properties:
  title: string
relations:
  author: {type: belongsTo, model: Member, foreignKey: authorId}
  comments: {type: hasMany, model: Comment}
  tags: {type: hasMany, model: Tag, through: PostTag}
  categories: {type: hasAndBelongsToMany, model: Category}
`,
	"comment.yaml": `
name: Comment
hidden: [ip]
properties:
  text: string
  ip: string
`,
	"tag.yaml": `
name: Tag
hidden: [internal]
properties:
  name: string
  internal: string
`,
	"posttag.yaml": `
name: PostTag
properties:
  weight: number
`,
	"category.yaml": `
name: Category
properties:
  name: string
`,
	"model-config.yaml": `
Team: {dataSource: db, public: true}
Member: {dataSource: db, public: true}
Profile: {dataSource: db, public: true}
Post: {dataSource: db, public: true}
Comment: {dataSource: db, public: true}
Tag: {dataSource: db, public: true}
PostTag: {dataSource: db, public: true}
Category: {dataSource: db, public: true}
PostCategory: {dataSource: db, public: false}
`,
}

// step is one request of a scenario and what it must answer.
type step struct {
	name   string
	method string
	path   string
	body   any
	status int
	want   string // expected JSON body ("" = not checked); compared as values
	err    string // expected error message ("" = not checked)
}

// run sends the steps in order.
func runSteps(t *testing.T, a *testApp, steps []step) {
	t.Helper()
	for _, s := range steps {
		r := a.do(s.method, s.path, s.body)
		if r.Status != s.status {
			t.Errorf("%s: %s %s = %d %s, want %d", s.name, s.method, s.path, r.Status, r.Raw, s.status)
			continue
		}
		if s.want != "" && !sameJSON(t, r.Raw, s.want) {
			t.Errorf("%s: %s %s\n got  %s\n want %s", s.name, s.method, s.path, r.Raw, s.want)
		}
		if s.err != "" && r.errField("message") != s.err {
			t.Errorf("%s: %s %s: message %v, want %q", s.name, s.method, s.path, r.errField("message"), s.err)
		}
	}
}

// sameJSON compares two JSON texts as values.
func sameJSON(t *testing.T, got, want string) bool {
	t.Helper()
	var g, w any
	if err := json.Unmarshal([]byte(got), &g); err != nil {
		return false
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("bad expected JSON %s: %v", want, err)
	}
	return reflect.DeepEqual(g, w)
}

func relationsApp(t *testing.T) *testApp {
	a := newTestApp(t, relationFiles)
	runSteps(t, a, []step{
		{"team", "POST", "/api/teams", map[string]any{"name": "Red"}, 200, `{"id":1,"name":"Red"}`, ""},
		{"ann", "POST", "/api/members", map[string]any{"name": "Ann", "email": "ann@x.io", "secret": "s1", "teamId": 1}, 200,
			`{"id":1,"name":"Ann","email":"ann@x.io","teamId":1}`, ""},
		{"bob", "POST", "/api/members", map[string]any{"name": "Bob", "email": "bob@x.io", "secret": "s2"}, 200, "", ""},
	})
	return a
}

func TestRelationRoutesBelongsToAndHasOne(t *testing.T) {
	a := relationsApp(t)
	runSteps(t, a, []step{
		{"belongsTo get", "GET", "/api/members/1/team", nil, 200, `{"id":1,"name":"Red"}`, ""},
		{"belongsTo get with refresh", "GET", "/api/members/1/team?refresh=true", nil, 200, `{"id":1,"name":"Red"}`, ""},
		{"belongsTo without related record is null", "GET", "/api/members/2/team", nil, 200, `null`, ""},
		{"unknown parent", "GET", "/api/members/99/team", nil, 404, "", "could not find a model with id 99"},
		{"hasOne get, none", "GET", "/api/members/1/profile", nil, 404, "", `No "Profile" instance(s) found`},
		{"hasOne create sets the key, hides hidden", "POST", "/api/members/1/profile", map[string]any{"bio": "hi", "token": "t", "memberId": 2}, 200,
			`{"id":1,"bio":"hi","memberId":1}`, ""},
		{"hasOne create twice", "POST", "/api/members/1/profile", map[string]any{"bio": "again"}, 409, "", "HasOne relation cannot create more than one instance of Profile"},
		{"hasOne get", "GET", "/api/members/1/profile", nil, 200, `{"id":1,"bio":"hi","memberId":1}`, ""},
		{"hasOne update", "PUT", "/api/members/1/profile", map[string]any{"bio": "yo"}, 200, `{"id":1,"bio":"yo","memberId":1}`, ""},
		{"hasOne update cannot move it", "PUT", "/api/members/1/profile", map[string]any{"memberId": 2}, 400, "", "Cannot override foreign key memberId from 1 to 2"},
		{"hasOne update, none", "PUT", "/api/members/2/profile", map[string]any{"bio": "x"}, 404, "", `No "Profile" instance(s) found`},
		{"hasOne destroy", "DELETE", "/api/members/1/profile", nil, 204, "", ""},
		{"hasOne gone", "GET", "/api/members/1/profile", nil, 404, "", ""},
		{"profile row gone", "GET", "/api/profiles/count", nil, 200, `{"count":0}`, ""},
		{"hasOne destroy, none", "DELETE", "/api/members/1/profile", nil, 204, "", ""},
	})
}

func TestRelationRoutesHasMany(t *testing.T) {
	a := relationsApp(t)
	runSteps(t, a, []step{
		{"create sets the foreign key", "POST", "/api/members/1/posts", map[string]any{"title": "p1", "authorId": 2}, 200,
			`{"id":1,"title":"p1","authorId":1}`, ""},
		{"create an array", "POST", "/api/members/1/posts", []any{map[string]any{"title": "p2"}, map[string]any{"title": "p3"}}, 200,
			`[{"id":2,"title":"p2","authorId":1},{"id":3,"title":"p3","authorId":1}]`, ""},
		{"create an array with a bad item creates nothing", "POST", "/api/members/1/posts", []any{map[string]any{"title": "p4"}, "x"}, 400, "", "Value is not an object."},
		{"bob's post", "POST", "/api/members/2/posts", map[string]any{"title": "b1"}, 200, `{"id":4,"title":"b1","authorId":2}`, ""},
		{"get", "GET", "/api/members/1/posts", nil, 200,
			`[{"id":1,"title":"p1","authorId":1},{"id":2,"title":"p2","authorId":1},{"id":3,"title":"p3","authorId":1}]`, ""},
		{"get with a JSON filter", "GET", "/api/members/1/posts?filter=" + q(`{"where":{"title":"p2"},"fields":["title"]}`), nil, 200, `[{"title":"p2"}]`, ""},
		{"get with a bracket filter", "GET", "/api/members/1/posts?filter[order]=title%20DESC&filter[limit]=2&filter[fields][title]=true", nil, 200,
			`[{"title":"p3"},{"title":"p2"}]`, ""},
		{"get with a bad filter", "GET", "/api/members/1/posts?filter=" + q(`{"where":{"nope":1}}`), nil, 400, "", `Unknown property "nope" in where clause of Post`},
		{"count", "GET", "/api/members/1/posts/count", nil, 200, `{"count":3}`, ""},
		{"count with where", "GET", "/api/members/1/posts/count?where[title]=p1", nil, 200, `{"count":1}`, ""},
		{"findById", "GET", "/api/members/1/posts/2", nil, 200, `{"id":2,"title":"p2","authorId":1}`, ""},
		{"findById unrelated", "GET", "/api/members/1/posts/4", nil, 404, "", "No instance with id 4 found for Post"},
		{"findById not a number", "GET", "/api/members/1/posts/abc", nil, 404, "", "No instance with id abc found for Post"},
		{"updateById", "PUT", "/api/members/1/posts/2", map[string]any{"title": "p2b"}, 200, `{"id":2,"title":"p2b","authorId":1}`, ""},
		{"updateById unrelated", "PUT", "/api/members/2/posts/2", map[string]any{"title": "x"}, 404, "", "No instance with id 2 found for Post"},
		{"updateById cannot move it", "PUT", "/api/members/1/posts/2", map[string]any{"authorId": 2}, 400, "", "Cannot override foreign key authorId from 1 to 2"},
		{"destroyById", "DELETE", "/api/members/1/posts/3", nil, 204, "", ""},
		{"destroyed", "GET", "/api/posts/3", nil, 404, "", ""},
		{"destroyById unrelated", "DELETE", "/api/members/2/posts/1", nil, 404, "", "No instance with id 1 found for Post"},
		{"delete with where", "DELETE", "/api/members/1/posts?where=" + q(`{"title":"p1"}`), nil, 204, "", ""},
		{"left", "GET", "/api/posts", nil, 200, `[{"id":2,"title":"p2b","authorId":1},{"id":4,"title":"b1","authorId":2}]`, ""},
		{"comment hides its hidden property", "POST", "/api/posts/2/comments", map[string]any{"text": "c1", "ip": "1.2.3.4"}, 200, `{"id":1,"text":"c1","postId":2}`, ""},
		{"comments hide it too", "GET", "/api/posts/2/comments", nil, 200, `[{"id":1,"text":"c1","postId":2}]`, ""},
		{"delete all", "DELETE", "/api/members/1/posts", nil, 204, "", ""},
		{"bob's post stays", "GET", "/api/posts", nil, 200, `[{"id":4,"title":"b1","authorId":2}]`, ""},
		{"unknown relation path", "GET", "/api/members/1/nope", nil, 404, "", ""},
	})
}

func TestRelationRoutesThrough(t *testing.T) {
	a := relationsApp(t)
	runSteps(t, a, []step{
		{"post", "POST", "/api/posts", map[string]any{"title": "p1"}, 200, "", ""},
		{"other post", "POST", "/api/posts", map[string]any{"title": "p2"}, 200, "", ""},
		{"create through", "POST", "/api/posts/1/tags", map[string]any{"name": "go", "internal": "x"}, 200, `{"id":1,"name":"go"}`, ""},
		{"join record created", "GET", "/api/posttags", nil, 200, `[{"id":1,"weight":null,"postId":1,"tagId":1}]`, ""},
		{"a tag", "POST", "/api/tags", map[string]any{"name": "sql"}, 200, `{"id":2,"name":"sql"}`, ""},
		{"link with data", "PUT", "/api/posts/1/tags/rel/2", map[string]any{"weight": 3}, 200, `{"id":2,"postId":1,"tagId":2,"weight":3}`, ""},
		{"link again returns the link", "PUT", "/api/posts/1/tags/rel/2", map[string]any{"weight": 4}, 200, `{"id":2,"postId":1,"tagId":2,"weight":3}`, ""},
		{"link unknown", "PUT", "/api/posts/1/tags/rel/99", nil, 404, "", `Unknown "Tag" id "99".`},
		{"exists", "HEAD", "/api/posts/1/tags/rel/2", nil, 200, "", ""},
		{"exists not", "HEAD", "/api/posts/2/tags/rel/2", nil, 404, "", ""},
		{"get", "GET", "/api/posts/1/tags", nil, 200, `[{"id":1,"name":"go"},{"id":2,"name":"sql"}]`, ""},
		{"get filtered", "GET", "/api/posts/1/tags?filter=" + q(`{"where":{"name":"sql"}}`), nil, 200, `[{"id":2,"name":"sql"}]`, ""},
		{"count", "GET", "/api/posts/1/tags/count", nil, 200, `{"count":2}`, ""},
		{"count other", "GET", "/api/posts/2/tags/count", nil, 200, `{"count":0}`, ""},
		{"findById", "GET", "/api/posts/1/tags/2", nil, 200, `{"id":2,"name":"sql"}`, ""},
		{"findById unlinked", "GET", "/api/posts/2/tags/2", nil, 404, "", "No relation found in PostTag for (Post.2,Tag.2)"},
		{"updateById", "PUT", "/api/posts/1/tags/2", map[string]any{"name": "SQL"}, 200, `{"id":2,"name":"SQL"}`, ""},
		{"unlink", "DELETE", "/api/posts/1/tags/rel/2", nil, 204, "", ""},
		{"unlinked", "HEAD", "/api/posts/1/tags/rel/2", nil, 404, "", ""},
		{"the tag stays", "GET", "/api/tags/2", nil, 200, `{"id":2,"name":"SQL"}`, ""},
		{"unlink again", "DELETE", "/api/posts/1/tags/rel/2", nil, 204, "", ""},
		{"destroyById deletes tag and link", "DELETE", "/api/posts/1/tags/1", nil, 204, "", ""},
		{"tag gone", "GET", "/api/tags/1", nil, 404, "", ""},
		{"links gone", "GET", "/api/posttags", nil, 200, `[]`, ""},
		{"habtm create", "POST", "/api/posts/1/categories", map[string]any{"name": "news"}, 200, `{"id":1,"name":"news"}`, ""},
		{"habtm link", "PUT", "/api/posts/2/categories/rel/1", nil, 200, `{"id":2,"postId":2,"categoryId":1}`, ""},
		{"habtm get", "GET", "/api/posts/2/categories", nil, 200, `[{"id":1,"name":"news"}]`, ""},
		{"habtm exists", "HEAD", "/api/posts/1/categories/rel/1", nil, 200, "", ""},
		{"habtm delete all", "DELETE", "/api/posts/1/categories", nil, 204, "", ""},
		{"categories gone", "GET", "/api/categories", nil, 200, `[]`, ""},
		{"post 2 has none left", "GET", "/api/posts/2/categories", nil, 200, `[]`, ""},
	})
}

func TestIncludeAndRelatedWhereOverREST(t *testing.T) {
	a := relationsApp(t)
	runSteps(t, a, []step{
		{"post", "POST", "/api/members/1/posts", map[string]any{"title": "p1"}, 200, "", ""},
		{"post 2", "POST", "/api/members/2/posts", map[string]any{"title": "p2"}, 200, "", ""},
		{"comment", "POST", "/api/posts/1/comments", map[string]any{"text": "c1", "ip": "1.1.1.1"}, 200, "", ""},
		{"tag", "POST", "/api/posts/1/tags", map[string]any{"name": "go", "internal": "x"}, 200, "", ""},
		{"include belongsTo hides the related hidden property", "GET", "/api/posts?filter=" + q(`{"include":"author","order":"id"}`), nil, 200,
			`[{"id":1,"title":"p1","authorId":1,"author":{"id":1,"name":"Ann","email":"ann@x.io","teamId":1}},` +
				`{"id":2,"title":"p2","authorId":2,"author":{"id":2,"name":"Bob","email":"bob@x.io","teamId":null}}]`, ""},
		{"nested include on findById", "GET", "/api/members/1?filter=" + q(`{"fields":["name"],"include":{"posts":["comments","tags"]}}`), nil, 200,
			`{"name":"Ann","posts":[{"id":1,"title":"p1","authorId":1,"comments":[{"id":1,"text":"c1","postId":1}],"tags":[{"id":1,"name":"go"}]}]}`, ""},
		{"include in a relation route", "GET", "/api/members/1/posts?filter=" + q(`{"include":"author","fields":["title"]}`), nil, 200,
			`[{"title":"p1","author":{"id":1,"name":"Ann","email":"ann@x.io","teamId":1}}]`, ""},
		{"where on a related property", "GET", "/api/posts?filter=" + q(`{"where":{"author.name":"Bob"}}`), nil, 200,
			`[{"id":2,"title":"p2","authorId":2}]`, ""},
		{"where on a related object", "GET", "/api/posts?filter=" + q(`{"where":{"author":{"team":{"name":"Red"}}}}`), nil, 200,
			`[{"id":1,"title":"p1","authorId":1}]`, ""},
		{"where through a relation", "GET", "/api/posts?filter[where][tags.name]=go", nil, 200,
			`[{"id":1,"title":"p1","authorId":1}]`, ""},
		{"where on a hidden related property is dropped", "GET", "/api/posts?filter=" + q(`{"where":{"author.secret":"s1"}}`), nil, 200,
			`[{"id":1,"title":"p1","authorId":1},{"id":2,"title":"p2","authorId":2}]`, ""},
		{"where on an unknown related property", "GET", "/api/posts?filter=" + q(`{"where":{"author.nope":1}}`), nil, 400, "", `Unknown property "nope" in where clause of Member`},
	})
}
