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
	return s.withMigrationLock(ctx, func(db *gorm.DB) error { return s.migrateAll(ctx, db, models) })
}

// migrateAll migrates every persisted model of models through db.
func (s *Store) migrateAll(ctx context.Context, db *gorm.DB, models []*schema.Model) error {
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
		if err := s.migrateModel(ctx, db, m, fks[m.Name]); err != nil {
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

// migrateModel brings one model's table, columns and indexes up to its definition.
func (s *Store) migrateModel(ctx context.Context, db *gorm.DB, m *schema.Model, fks map[string]bool) error {
	db = db.WithContext(ctx)
	table := tableName(m)
	exists, err := s.dl.hasTable(ctx, db, table)
	if err != nil {
		return fmt.Errorf("store %s: migrate %s: look up table %q: %w", s.name, m.Name, table, err)
	}
	if !exists {
		return s.createTable(ctx, db, m, fks)
	}
	cols, err := s.dl.columns(ctx, db, table)
	if err != nil {
		return fmt.Errorf("store %s: migrate %s: read columns of %q: %w", s.name, m.Name, table, err)
	}
	var (
		errs    []error
		retyped = map[string]bool{}
	)
	declared := map[string]bool{}
	for _, p := range m.Properties {
		col := colName(p)
		declared[strings.ToLower(col)] = true
		want := s.columnDef(m, p)
		have, ok := cols[strings.ToLower(col)]
		switch {
		case !ok && p.ID:
			errs = append(errs, fmt.Errorf("store %s: table %q has no id column %q for %s.%s; Loopgo cannot add a primary key to an existing table: migrate the table by hand or point the model at a new table", s.name, table, col, m.Name, p.Name))
		case !ok:
			if err := s.addColumn(ctx, db, table, col, want); err != nil {
				errs = append(errs, err)
			}
		case s.dl.family(have) != s.dl.family(want):
			retyped[p.Name] = true
			errs = append(errs, fmt.Errorf("store %s: table %q column %q has type %s but property %s.%s (%s) needs %s; Loopgo does not change column types because data could be lost: convert the column by hand (ALTER TABLE ...) or rename the property so that a new column is created", s.name, table, col, have, m.Name, p.Name, p.Type, want))
		}
	}
	if m.Strict == schema.StrictFalse {
		declared[extraColumn] = true
		if _, ok := cols[extraColumn]; !ok {
			if err := s.addColumn(ctx, db, table, extraColumn, s.extraDef()); err != nil {
				errs = append(errs, err)
			}
		}
	}
	for col := range cols {
		if !declared[col] {
			s.log.Warn("store: column is not declared by the model; it is left in place", "datasource", s.name, "table", table, "column", col, "model", m.Name)
		}
	}
	existing, err := s.dl.indexes(ctx, db, table)
	if err != nil {
		return errors.Join(append(errs, fmt.Errorf("store %s: migrate %s: read indexes of %q: %w", s.name, m.Name, table, err))...)
	}
	for _, ix := range indexSpecs(m, fks) {
		if existing[strings.ToLower(ix.name)] || retyped[ix.prop.Name] {
			continue
		}
		colType, ok := cols[strings.ToLower(colName(ix.prop))]
		if !ok {
			colType = s.columnDef(m, ix.prop)
		}
		if err := s.createIndex(ctx, db, table, ix, colType); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// createTable creates a model's table and its indexes.
func (s *Store) createTable(ctx context.Context, db *gorm.DB, m *schema.Model, fks map[string]bool) error {
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
	if err := db.Exec(stmt, vars...).Error; err != nil {
		return fmt.Errorf("store %s: create table %q for %s: %w", s.name, table, m.Name, err)
	}
	s.log.Info("store: created table", "datasource", s.name, "table", table, "model", m.Name)
	var errs []error
	for _, ix := range indexSpecs(m, fks) {
		if err := s.createIndex(ctx, db, table, ix, s.columnDef(m, ix.prop)); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
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
