package store

import (
	"fmt"

	"gorm.io/gorm/clause"

	"github.com/loopgo/loopgo/framework/apierr"
	"github.com/loopgo/loopgo/framework/filter"
	"github.com/loopgo/loopgo/framework/schema"
)

// existsExpr is EXISTS (SELECT 1 FROM <table> WHERE <cond>).
func existsExpr(table clause.Table, cond clause.Expression) clause.Expression {
	return clause.Expr{SQL: "EXISTS (SELECT 1 FROM ? WHERE ?)", Vars: []any{table, cond}}
}

// relatedExpr translates a condition on a related model to a correlated EXISTS subquery over the
// related table (and the join table of a through relation). The relation's definition scope
// applies too. Both tables must be in this store's database.
func (s *Store) relatedExpr(t tableRef, m *schema.Model, x *filter.Related) (clause.Expression, error) {
	rel := x.Rel
	if rel == nil {
		rel = m.Relation(x.Relation)
	}
	if rel == nil {
		return nil, apierr.BadRequest("", "Relation %q is not defined for %s model", x.Relation, m.Name)
	}
	to, through, keys, err := s.relatedModels(m, rel, x.Target, x.Through)
	if err != nil {
		return nil, s.internal(m, err)
	}
	for _, other := range []*schema.Model{to, through} {
		if other != nil && s.storeOf(other) != s {
			return nil, apierr.BadRequest("", "The where clause of %s cannot use the relation %q: %s is stored in another datasource", m.Name, rel.Name, other.Name)
		}
	}
	def, err := s.relationScope(rel, to)
	if err != nil {
		return nil, s.internal(m, err)
	}
	var defWhere filter.Cond
	if def != nil {
		defWhere = def.Where
	}
	cond := andCond(defWhere, x.Where)
	d := t.depth + 1
	r := aliasRef(fmt.Sprintf("lg_r%d", d), d)
	inner, err := s.condExpr(r, to, cond)
	if err != nil {
		return nil, err
	}
	if keys.kind != kindThrough {
		link := clause.Eq{Column: r.col(colName(keys.to)), Value: t.outer(colName(keys.from))}
		return existsExpr(r.from(to), and(link, inner)), nil
	}
	j := aliasRef(fmt.Sprintf("lg_j%d", d), d)
	link := clause.Eq{Column: j.col(colName(keys.viaFrom)), Value: t.outer(colName(keys.from))}
	if cond == nil {
		return existsExpr(j.from(through), link), nil
	}
	target := clause.Eq{Column: r.col(colName(keys.to)), Value: j.outer(colName(keys.viaTo))}
	return existsExpr(j.from(through), and(link, existsExpr(r.from(to), and(target, inner)))), nil
}

// relatedModels resolves the related model (and join model) of rel, from the values a parsed
// filter carries or else from the store's links, with the keys joining them.
func (s *Store) relatedModels(m *schema.Model, rel *schema.Relation, to, through *schema.Model) (*schema.Model, *schema.Model, relKeys, error) {
	to, err := s.modelOr(to, rel.Model)
	if err != nil {
		return nil, nil, relKeys{}, err
	}
	if err := checkModel(to); err != nil {
		return nil, nil, relKeys{}, err
	}
	if rel.Through != "" {
		if through, err = s.modelOr(through, rel.Through); err != nil {
			return nil, nil, relKeys{}, err
		}
		if err := checkModel(through); err != nil {
			return nil, nil, relKeys{}, err
		}
	} else {
		through = nil
	}
	keys, err := keysOf(m, rel, to, through)
	return to, through, keys, err
}
