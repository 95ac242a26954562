package store

import (
	"testing"

	"github.com/loopgo/loopgo/framework/filter"
	"github.com/loopgo/loopgo/framework/schema"
)

// TestRelationCustomKeys relates Org and Emp by a string code instead of the id.
func TestRelationCustomKeys(t *testing.T) {
	eachDialect(t, func(e *testEnv) {
		t := e.t
		str := func(n string) *schema.Property { return &schema.Property{Name: n, Type: schema.String} }
		reg := schema.NewRegistry()
		for _, d := range []*schema.Model{
			relModel("Org", []*schema.Property{str("code"), str("name")}, []*schema.Relation{
				{Name: "emps", Type: schema.HasMany, Model: "Emp", ForeignKey: "orgCode", PrimaryKey: "code"},
			}),
			relModel("Emp", []*schema.Property{str("name"), str("orgCode")}, []*schema.Relation{
				{Name: "org", Type: schema.BelongsTo, Model: "Org", ForeignKey: "orgCode", PrimaryKey: "code"},
			}),
		} {
			if err := reg.Add(d); err != nil {
				t.Fatal(err)
			}
		}
		if err := reg.Resolve(); err != nil {
			t.Fatal(err)
		}
		org, emp := reg.Model("Org"), reg.Model("Emp")
		e.migrate(org, emp)
		e.s.SetLinks(Links{Models: reg})
		acme := e.mustCreate(org, map[string]any{"code": "AC", "name": "Acme"})
		e.mustCreate(org, map[string]any{"code": "IN", "name": "Initech"})
		e.mustCreate(emp, map[string]any{"name": "Ann", "orgCode": "AC"})
		e.mustCreate(emp, map[string]any{"name": "Bob", "orgCode": "IN"})
		e.mustCreate(emp, map[string]any{"name": "Cid", "orgCode": "XX"})

		find := func(m *schema.Model, raw string) string {
			f, err := filter.Parse(decodeJSON(t, raw), m, reg)
			if err != nil {
				t.Fatal(err)
			}
			recs, err := e.s.Find(e.ctx, m, f)
			if err != nil {
				t.Fatal(err)
			}
			return render(recs, "name")
		}
		relNames["org"] = true
		defer delete(relNames, "org")
		if got := find(org, `{"include":"emps","fields":["name"]}`); got != "Acme{emps:[Ann]} Initech{emps:[Bob]}" {
			t.Errorf("include hasMany = %s", got)
		}
		if got := find(emp, `{"include":"org","fields":["name"]}`); got != "Ann{org:Acme} Bob{org:Initech} Cid{org:nil}" {
			t.Errorf("include belongsTo = %s", got)
		}
		if got := find(emp, `{"where":{"org.name":"Acme"}}`); got != "Ann" {
			t.Errorf("where belongsTo = %s", got)
		}
		if got := find(org, `{"where":{"emps.name":"Bob"}}`); got != "Initech" {
			t.Errorf("where hasMany = %s", got)
		}
		emps, err := ResolveRelation(e.s, org, "emps", reg, nil)
		if err != nil {
			t.Fatal(err)
		}
		rec, err := emps.Create(e.ctx, acme["id"], map[string]any{"name": "Dan"})
		if err != nil || rec["orgCode"] != "AC" {
			t.Fatalf("create = %v, %v", rec, err)
		}
		recs, err := emps.Find(e.ctx, acme["id"], nil)
		if err != nil || render(recs, "name") != "Ann Dan" {
			t.Errorf("find = %s, %v", render(recs, "name"), err)
		}
		owner, _ := ResolveRelation(e.s, emp, "org", reg, nil)
		if got, err := owner.Get(e.ctx, rec["id"], nil); err != nil || got["name"] != "Acme" {
			t.Errorf("get = %v, %v", got, err)
		}
	})
}
