package store

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/loopgo/loopgo/framework/schema"
)

// Migrate creates missing tables, columns and indexes for models; a change that would lose data
// is not applied and is reported in the error, with how to proceed. Every persisted model is
// migrated as far as it safely can be; the errors of all models are joined. Columns that no
// property declares any more are left in place (they are nullable) and logged as warnings.
// The whole migration runs under the database's migration lock, so instances starting together
// migrate one after the other, each reading the schema only once it holds the lock.
func (s *Store) Migrate(ctx context.Context, models []*schema.Model) error {
	_, err := s.MigrateReport(ctx, models)
	return err
}

// MigrateReport migrates as Migrate does and returns the plan it computed under the lock and
// applied: each step is marked Done, or carries the error that stopped it.
func (s *Store) MigrateReport(ctx context.Context, models []*schema.Model) (*Plan, error) {
	plan := &Plan{Datasource: s.name, Dialect: s.dialect}
	err := s.withMigrationLock(ctx, func(db *gorm.DB) error { return s.migrateAll(ctx, db, models, plan) })
	return plan, err
}

// migrateAll migrates every persisted model of models through db, recording what it did in plan.
func (s *Store) migrateAll(ctx context.Context, db *gorm.DB, models []*schema.Model, plan *Plan) error {
	var errs []error
	fks := s.foreignKeys(models)
	for _, m := range models {
		if m == nil || !m.Persisted {
			continue
		}
		if err := checkModel(m); err != nil {
			errs = append(errs, fmt.Errorf("store %s: migrate: %w", s.name, err))
			continue
		}
		if err := s.migrateModel(ctx, db, m, fks[m.Name], plan); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// indexSpec is one index a model needs.
type indexSpec struct {
	name   string
	prop   *schema.Property
	unique bool
}

// indexSpecs lists the unique indexes (uniqueness rules) and plain indexes (index: true, and
// the foreign keys of relations, named in fks) of m.
func indexSpecs(m *schema.Model, fks map[string]bool) []indexSpec {
	table := tableName(m)
	var out []indexSpec
	unique := map[string]bool{}
	for _, r := range uniqueRules(m) {
		unique[r.prop.Name] = true
		out = append(out, indexSpec{name: indexName("uq", table, colName(r.prop)), prop: r.prop, unique: true})
	}
	for _, p := range m.Properties {
		if (p.Index || fks[p.Name]) && !p.ID && !unique[p.Name] {
			out = append(out, indexSpec{name: indexName("idx", table, colName(p)), prop: p})
		}
	}
	return out
}

// columnDef is the SQL type a property's column gets when it is created.
func (s *Store) columnDef(m *schema.Model, p *schema.Property) string {
	if p.ID {
		return s.dl.idColumnDef(p)
	}
	indexed := p.Index || p.Unique
	for _, r := range uniqueRules(m) {
		indexed = indexed || r.prop == p
	}
	return s.dl.columnType(p, indexed)
}

// extraDef is the SQL type of the _extra column.
func (s *Store) extraDef() string {
	return s.dl.columnType(&schema.Property{Type: schema.Object}, false)
}

// migrateModel brings one model's table, columns and indexes up to its definition: it plans the
// model's steps, then applies them in order, and adds them to plan.
func (s *Store) migrateModel(ctx context.Context, db *gorm.DB, m *schema.Model, fks map[string]bool, plan *Plan) error {
	db = db.WithContext(ctx)
	mp := s.planModel(ctx, db, m, fks)
	var errs []error
	r := 0
	refusalsUpTo := func(step int) {
		for ; r < len(mp.refusals) && mp.refusalAt[r] <= step; r++ {
			errs = append(errs, mp.refusals[r].err(s.name))
		}
	}
	for _, k := range mp.kept {
		s.log.Warn("store: column is not declared by the model; it is left in place", "datasource", s.name, "table", k.Table, "column", k.Column, "model", m.Name)
	}
	for i := range mp.steps {
		refusalsUpTo(i)
		st := &mp.steps[i]
		st.Err = s.applyStep(ctx, db, m, st)
		if st.Err == nil {
			st.Done = true
			continue
		}
		errs = append(errs, st.Err)
		if st.Kind == StepCreateTable {
			break // without its table, the model's indexes cannot be created
		}
	}
	refusalsUpTo(len(mp.steps))
	if mp.err != nil {
		errs = append(errs, mp.err)
	}
	plan.add(mp)
	return errors.Join(errs...)
}

// applyStep runs one planned step.
func (s *Store) applyStep(ctx context.Context, db *gorm.DB, m *schema.Model, st *Step) error {
	switch st.Kind {
	case StepCreateTable:
		return s.createTable(ctx, db, m)
	case StepAddColumn:
		return s.addColumn(ctx, db, st.Table, st.Columns[0].Name, st.Columns[0].Type)
	default:
		return s.createIndex(ctx, db, st.Table, st.ix, st.Columns[0].Type)
	}
}

// createTable creates a model's table (its indexes are steps of their own).
func (s *Store) createTable(ctx context.Context, db *gorm.DB, m *schema.Model) error {
	table := tableName(m)
	defs := make([]string, 0, len(m.Properties)+1)
	vars := []any{clause.Table{Name: table}}
	for _, p := range m.Properties {
		defs = append(defs, "? "+s.columnDef(m, p))
		vars = append(vars, clause.Column{Name: colName(p)})
	}
	if m.Strict == schema.StrictFalse {
		defs = append(defs, "? "+s.extraDef())
		vars = append(vars, clause.Column{Name: extraColumn})
	}
	stmt := "CREATE TABLE IF NOT EXISTS ? (" + strings.Join(defs, ", ") + ")" + s.dl.tableOptions()
	if err := db.WithContext(ctx).Exec(stmt, vars...).Error; err != nil {
		return fmt.Errorf("store %s: create table %q for %s: %w", s.name, table, m.Name, err)
	}
	s.log.Info("store: created table", "datasource", s.name, "table", table, "model", m.Name)
	return nil
}

// addColumn adds a nullable column to an existing table.
func (s *Store) addColumn(ctx context.Context, db *gorm.DB, table, col, typ string) error {
	err := db.WithContext(ctx).Exec("ALTER TABLE ? ADD COLUMN ? "+typ, clause.Table{Name: table}, clause.Column{Name: col}).Error
	if err != nil {
		// added meanwhile by an instance that does not take the lock (an older version)
		if cols, cerr := s.dl.columns(ctx, db, table); cerr == nil {
			if _, ok := cols[strings.ToLower(col)]; ok {
				return nil
			}
		}
		return fmt.Errorf("store %s: add column %q to table %q: %w", s.name, col, table, err)
	}
	s.log.Info("store: added column", "datasource", s.name, "table", table, "column", col)
	return nil
}

// createIndex creates one index; a unique index that existing rows violate is reported with
// what to do.
func (s *Store) createIndex(ctx context.Context, db *gorm.DB, table string, ix indexSpec, colType string) error {
	kind := "INDEX "
	if ix.unique {
		kind = "UNIQUE INDEX "
	}
	col := colName(ix.prop)
	stmt := "CREATE " + kind + s.dl.indexIfNotExists() + "? ON ? (?)"
	err := db.WithContext(ctx).Exec(stmt, clause.Table{Name: ix.name}, clause.Table{Name: table}, s.dl.indexTarget(col, colType)).Error
	if err == nil {
		return nil
	}
	// created meanwhile by an instance that does not take the lock (an older version)
	if have, ierr := s.dl.indexes(ctx, db, table); ierr == nil && have[strings.ToLower(ix.name)] {
		return nil
	}
	if ix.unique {
		if dup, ok := s.duplicateValue(ctx, db, table, col); ok {
			return fmt.Errorf("store %s: cannot create unique index %q on %q.%q: existing rows hold the value %v more than once; remove the duplicates, then start again: %w", s.name, ix.name, table, col, dup, err)
		}
		return fmt.Errorf("store %s: cannot create unique index %q on %q.%q: %w", s.name, ix.name, table, col, err)
	}
	return fmt.Errorf("store %s: create index %q on %q.%q: %w", s.name, ix.name, table, col, err)
}

// duplicateValue finds a value of col held by more than one row of table.
func (s *Store) duplicateValue(ctx context.Context, db *gorm.DB, table, col string) (any, bool) {
	var vals []any
	err := db.WithContext(ctx).Table(table).Select("?", clause.Column{Name: col}).
		Where("? IS NOT NULL", clause.Column{Name: col}).
		Group(col).Having("COUNT(*) > 1").Limit(1).Pluck(col, &vals).Error
	if err != nil || len(vals) == 0 {
		return nil, false
	}
	if b, ok := vals[0].([]byte); ok {
		return string(b), true
	}
	return vals[0], true
}
