package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"gorm.io/gorm"

	"github.com/loopgo/loopgo/framework/schema"
)

// StepKind names what one migration step does.
type StepKind string

// The migration steps, in the order Migrate applies them to a model.
const (
	StepCreateTable       StepKind = "create table"        // StepCreateTable creates a model's table with every column.
	StepAddColumn         StepKind = "add column"          // StepAddColumn adds a nullable column to an existing table.
	StepCreateIndex       StepKind = "create index"        // StepCreateIndex creates a plain index (index: true, foreign keys).
	StepCreateUniqueIndex StepKind = "create unique index" // StepCreateUniqueIndex creates the index of a uniqueness rule.
)

// Column is a column a migration step creates or indexes: its name and SQL type.
type Column struct {
	Name string
	Type string
}

// Step is one change Migrate makes to a database.
type Step struct {
	Kind  StepKind
	Model string
	Table string
	// Columns are the new table's columns (create table), the added column (add column) or the
	// indexed column (an index step), each with its SQL type.
	Columns []Column
	Index   string // the index name (index steps)
	// Blocked says why the step would fail on the rows as they are (a unique index over
	// duplicate values); PlanMigration fills it, Migrate tries the step anyway.
	Blocked string
	Done    bool  // MigrateReport: the step was applied
	Err     error // MigrateReport: why the step failed

	ix          indexSpec
	existingCol bool // an index step on a column that exists already (it may hold data)
}

// Refusal is a change a model's definition needs that Migrate never makes, because data could
// be lost; Reason says what it is and what to do instead.
type Refusal struct {
	Model  string
	Table  string
	Column string
	Reason string
}

// err is the refusal as Migrate reports it.
func (r Refusal) err(store string) error { return fmt.Errorf("store %s: %s", store, r.Reason) }

// KeptColumn is a column that no property declares any more: Migrate leaves it in place.
type KeptColumn struct {
	Model  string
	Table  string
	Column string
}

// Plan is what Migrate does, or would do, to one datasource: the steps in the order they run,
// the changes it refuses, and the columns it leaves alone.
type Plan struct {
	Datasource string
	Dialect    string
	Steps      []Step
	Refusals   []Refusal
	Kept       []KeptColumn
}

// Empty reports whether the plan changes nothing and refuses nothing.
func (p *Plan) Empty() bool { return len(p.Steps) == 0 && len(p.Refusals) == 0 }

// add appends one model's plan.
func (p *Plan) add(mp modelPlan) {
	p.Steps = append(p.Steps, mp.steps...)
	p.Refusals = append(p.Refusals, mp.refusals...)
	p.Kept = append(p.Kept, mp.kept...)
}

// modelPlan is the plan of one model. refusalAt[i] is the number of steps planned before
// refusal i was found, so that Migrate reports them in the order it meets them; err is a
// failure to read the schema, met after the steps planned so far.
type modelPlan struct {
	steps     []Step
	refusals  []Refusal
	refusalAt []int
	kept      []KeptColumn
	err       error
}

// refuse records a refusal after the steps planned so far.
func (mp *modelPlan) refuse(r Refusal) {
	mp.refusals = append(mp.refusals, r)
	mp.refusalAt = append(mp.refusalAt, len(mp.steps))
}

// PlanMigration computes what Migrate would do to models now, changing nothing: the tables,
// columns and indexes it would create, what it would refuse and why, and the undeclared columns
// it would leave. It takes no lock (another instance may be migrating meanwhile). A unique
// index that the rows as they are would make fail is marked Blocked. The error joins what could
// not be read or checked; the plan holds everything else.
func (s *Store) PlanMigration(ctx context.Context, models []*schema.Model) (*Plan, error) {
	db := s.db.WithContext(ctx)
	plan := &Plan{Datasource: s.name, Dialect: s.dialect}
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
		mp := s.planModel(ctx, db, m, fks[m.Name])
		for i := range mp.steps {
			st := &mp.steps[i]
			if st.Kind != StepCreateUniqueIndex || !st.existingCol {
				continue
			}
			if dup, ok := s.duplicateValue(ctx, db, st.Table, st.Columns[0].Name); ok {
				st.Blocked = fmt.Sprintf("existing rows hold the value %v more than once; remove the duplicates first", dup)
			}
		}
		if mp.err != nil {
			errs = append(errs, mp.err)
		}
		plan.add(mp)
	}
	return plan, errors.Join(errs...)
}

// planModel computes the steps that bring one model's table, columns and indexes up to its
// definition, reading the table as it is through db.
func (s *Store) planModel(ctx context.Context, db *gorm.DB, m *schema.Model, fks map[string]bool) modelPlan {
	var mp modelPlan
	table := tableName(m)
	exists, err := s.dl.hasTable(ctx, db, table)
	if err != nil {
		mp.err = fmt.Errorf("store %s: migrate %s: look up table %q: %w", s.name, m.Name, table, err)
		return mp
	}
	if !exists {
		create := Step{Kind: StepCreateTable, Model: m.Name, Table: table}
		for _, p := range m.Properties {
			create.Columns = append(create.Columns, Column{Name: colName(p), Type: s.columnDef(m, p)})
		}
		if m.Strict == schema.StrictFalse {
			create.Columns = append(create.Columns, Column{Name: extraColumn, Type: s.extraDef()})
		}
		mp.steps = append(mp.steps, create)
		for _, ix := range indexSpecs(m, fks) {
			mp.steps = append(mp.steps, indexStep(m, table, ix, s.columnDef(m, ix.prop), false))
		}
		return mp
	}
	cols, err := s.dl.columns(ctx, db, table)
	if err != nil {
		mp.err = fmt.Errorf("store %s: migrate %s: read columns of %q: %w", s.name, m.Name, table, err)
		return mp
	}
	retyped := map[string]bool{}
	declared := map[string]bool{}
	for _, p := range m.Properties {
		col := colName(p)
		declared[strings.ToLower(col)] = true
		want := s.columnDef(m, p)
		have, ok := cols[strings.ToLower(col)]
		switch {
		case !ok && p.ID:
			mp.refuse(Refusal{Model: m.Name, Table: table, Column: col,
				Reason: fmt.Sprintf("table %q has no id column %q for %s.%s; Loopgo cannot add a primary key to an existing table: migrate the table by hand or point the model at a new table", table, col, m.Name, p.Name)})
		case !ok:
			mp.steps = append(mp.steps, Step{Kind: StepAddColumn, Model: m.Name, Table: table, Columns: []Column{{Name: col, Type: want}}})
		case s.dl.family(have) != s.dl.family(want):
			retyped[p.Name] = true
			mp.refuse(Refusal{Model: m.Name, Table: table, Column: col,
				Reason: fmt.Sprintf("table %q column %q has type %s but property %s.%s (%s) needs %s; Loopgo does not change column types because data could be lost: convert the column by hand (ALTER TABLE ...) or rename the property so that a new column is created", table, col, have, m.Name, p.Name, p.Type, want)})
		}
	}
	if m.Strict == schema.StrictFalse {
		declared[extraColumn] = true
		if _, ok := cols[extraColumn]; !ok {
			mp.steps = append(mp.steps, Step{Kind: StepAddColumn, Model: m.Name, Table: table, Columns: []Column{{Name: extraColumn, Type: s.extraDef()}}})
		}
	}
	for col := range cols {
		if !declared[col] {
			mp.kept = append(mp.kept, KeptColumn{Model: m.Name, Table: table, Column: col})
		}
	}
	slices.SortFunc(mp.kept, func(a, b KeptColumn) int { return strings.Compare(a.Column, b.Column) })
	existing, err := s.dl.indexes(ctx, db, table)
	if err != nil {
		mp.err = fmt.Errorf("store %s: migrate %s: read indexes of %q: %w", s.name, m.Name, table, err)
		return mp
	}
	for _, ix := range indexSpecs(m, fks) {
		if existing[strings.ToLower(ix.name)] || retyped[ix.prop.Name] {
			continue
		}
		colType, ok := cols[strings.ToLower(colName(ix.prop))]
		if !ok {
			colType = s.columnDef(m, ix.prop)
		}
		mp.steps = append(mp.steps, indexStep(m, table, ix, colType, ok))
	}
	return mp
}

// indexStep is the step creating index ix on a column of the given SQL type.
func indexStep(m *schema.Model, table string, ix indexSpec, colType string, existingCol bool) Step {
	kind := StepCreateIndex
	if ix.unique {
		kind = StepCreateUniqueIndex
	}
	return Step{Kind: kind, Model: m.Name, Table: table, Index: ix.name,
		Columns: []Column{{Name: colName(ix.prop), Type: colType}}, ix: ix, existingCol: existingCol}
}
