package openapi

import (
	"strings"

	"github.com/loopgo/loopgo/framework/schema"
)

// crudSummaries are LoopBack's descriptions of the PersistedModel methods.
var crudSummaries = map[string]string{
	"create":          "Create a new instance of the model and persist it into the data source.",
	"patchOrCreate":   "Patch an existing model instance or insert a new one into the data source.",
	"replaceOrCreate": "Replace an existing model instance or insert a new one into the data source.",
	"upsertWithWhere": "Update an existing model instance or insert a new one into the data source based on the where criteria.",
	"exists":          "Check whether a model instance exists in the data source.",
	"findById":        "Find a model instance by {{id}} from the data source.",
	"replaceById":     "Replace attributes for a model instance and persist it into the data source.",
	"find":            "Find all instances of the model matched by filter from the data source.",
	"findOne":         "Find first instance of the model matched by filter from the data source.",
	"destroyAll":      "Delete all matching records.",
	"updateAll":       "Update instances of the model matched by {{where}} from the data source.",
	"deleteById":      "Delete a model instance by {{id}} from the data source.",
	"count":           "Count instances of the model matched by where from the data source.",
	"patchAttributes": "Patch attributes for a model instance and persist it into the data source.",
}

// relationSummaries describe relation methods by operation.
var relationSummaries = map[string]string{
	"get":         "Fetches the %s of this model (belongsTo, hasOne) or queries them (hasMany).",
	"create":      "Creates a new instance in %s of this model.",
	"update":      "Update %s of this model.",
	"destroy":     "Deletes %s of this model.",
	"delete":      "Deletes all %s of this model.",
	"count":       "Counts %s of this model.",
	"findById":    "Find a related item by id for %s.",
	"updateById":  "Update a related item by id for %s.",
	"destroyById": "Delete a related item by id for %s.",
	"link":        "Add a related item by id for %s.",
	"unlink":      "Remove the %s relation to an item by id.",
	"exists":      "Check the existence of %s relation to an item by id.",
}

// relationOp is "get" of "__get__notes".
func relationOp(name string) string {
	op, _, _ := strings.Cut(strings.TrimPrefix(name, "__"), "__")
	return op
}

// describe returns the summary and description of a route, with who may call it.
func (b *builder) describe(m Method, r schema.Route, who access) (string, string) {
	d := m.Description
	if d == "" {
		switch m.Kind {
		case CRUD:
			d = crudSummaries[m.Name]
		case Related:
			if f, ok := relationSummaries[relationOp(m.Name)]; ok && m.Relation != nil {
				d = strings.Replace(f, "%s", m.Relation.Name, 1)
			}
		}
	}
	if d == "" {
		d = stringName(m)
	}
	summary := firstSentence(d)
	desc := d
	if strings.EqualFold(r.Verb, "all") || r.Verb == "" {
		desc = joinSentences(desc, "Any HTTP verb is answered; POST is shown.")
	}
	desc = joinSentences(desc, who.sentence())
	if len(m.AccessScopes) > 0 {
		desc = joinSentences(desc, "The access token needs one of the scopes "+strings.Join(m.AccessScopes, ", ")+".")
	}
	return summary, desc
}

// jsonContent is an application/json answer with a schema.
func jsonContent(s Schema) map[string]MediaType {
	return map[string]MediaType{"application/json": {Schema: s}}
}

// success is the status and answer of a method that succeeds.
func (b *builder) success(m Method, verb string) (int, *Response) {
	if verb == "head" {
		return 200, &Response{Description: "Found (a HEAD answer has no body)."}
	}
	target := m.Model
	if m.Target != nil {
		target = m.Target
	}
	inst := func() Schema { return b.ref(b.names.instanceOf(target)) }
	oneOrMany := func() Schema { return b.ref(b.names.listOf(target)) }
	ok := func(d string, s Schema) (int, *Response) {
		return 200, &Response{Description: d, Content: jsonContent(s)}
	}
	none := func() (int, *Response) { return 204, &Response{Description: "Done; no content."} }
	switch m.Kind {
	case CRUD:
		switch m.Name {
		case "create":
			return ok("The created "+target.Name+".", oneOrMany())
		case "find":
			return ok("The matching "+target.Name+" instances.", Schema{"type": "array", "items": inst()})
		case "exists":
			return ok("Whether the instance exists.", Schema{"type": "object", "required": []any{"exists"},
				"properties": Schema{"exists": Schema{"type": "boolean"}}})
		case "destroyAll", "updateAll", "deleteById", "count":
			return ok("The number of instances counted or changed.", b.ref(b.names.count))
		case "patchOrCreate", "replaceOrCreate", "upsertWithWhere", "findById", "replaceById", "findOne", "patchAttributes":
			return ok("The "+target.Name+".", inst())
		}
	case Related:
		switch op := relationOp(m.Name); op {
		case "get":
			if m.Relation != nil && m.Relation.Type == schema.BelongsTo {
				return ok("The related "+target.Name+", or null when there is none.", nullable(inst()))
			}
			if m.Relation != nil && m.Relation.Type == schema.HasOne {
				return ok("The related "+target.Name+".", inst())
			}
			return ok("The related "+target.Name+" instances.", Schema{"type": "array", "items": inst()})
		case "create":
			if m.Relation != nil && m.Relation.Type == schema.HasOne {
				return ok("The created "+target.Name+".", inst())
			}
			return ok("The created "+target.Name+".", oneOrMany())
		case "update", "findById", "updateById":
			return ok("The related "+target.Name+".", inst())
		case "count":
			return ok("The number of related instances.", b.ref(b.names.count))
		case "destroy", "delete", "destroyById", "unlink":
			return none()
		}
	case Declared:
		if m.Static && m.Name == "login" && m.Model.IsA("User") {
			return ok("The access token.", b.ref(b.names.loginOf(m.Model)))
		}
	}
	return b.declaredAnswer(m)
}

// declaredAnswer is the answer a method's returns declare: the root value, or an object of the
// named values; none -> 204.
func (b *builder) declaredAnswer(m Method) (int, *Response) {
	if len(m.Returns) == 0 {
		return 204, &Response{Description: "Done; no content."}
	}
	if r := m.Returns[0]; r.Root {
		d := r.Description
		if d == "" {
			d = "The " + r.Name + "."
		}
		return 200, &Response{Description: d, Content: jsonContent(b.argSchema(r, false))}
	}
	props := Schema{}
	for _, r := range m.Returns {
		s := b.argSchema(r, false)
		if r.Description != "" {
			s = withDescription(s, r.Description)
		}
		props[r.Name] = s
	}
	return 200, &Response{Description: "The results.", Content: jsonContent(Schema{"type": "object", "properties": props})}
}
