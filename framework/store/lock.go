package store

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/loopgo/loopgo/framework/schema"
)

// LockRows takes, for the rest of ctx's transaction, an exclusive lock on the rows of m with
// the given ids, creating the rows that do not exist yet (m holds nothing but its string id):
// a mutex per key that holds across every instance on the database. The ids are locked in
// sorted order, so two transactions locking overlapping sets cannot deadlock. PostgreSQL and
// MySQL lock the rows (SELECT ... FOR UPDATE); SQLite's transactions take the database's write
// lock when they begin, so they are serialised already. Outside a transaction it is an error.
func (s *Store) LockRows(ctx context.Context, m *schema.Model, ids []string) error {
	tx, ok := ctx.Value(txKey{s}).(*gorm.DB)
	if !ok {
		return s.internal(m, errors.New("LockRows needs a transaction"))
	}
	if err := checkModel(m); err != nil {
		return s.internal(m, err)
	}
	sorted := append([]string(nil), ids...)
	sort.Strings(sorted)
	table, col := tableName(m), colName(m.IDProperty())
	db := tx.WithContext(ctx)
	for i, id := range sorted {
		if i > 0 && id == sorted[i-1] {
			continue
		}
		// the row exists but the first time: lock it first (an insert of an existing key would
		// take a shared lock on it, and two of those deadlock on MySQL when both upgrade)
		found, err := s.lockRow(db, table, col, id)
		if err != nil || found {
			if err != nil {
				return err
			}
			continue
		}
		ins := db.Table(table).Clauses(s.dl.insertIgnore()).Create(map[string]any{col: id})
		if ins.Error != nil {
			return s.dbError(fmt.Sprintf("create lock row in %s", table), ins.Error)
		}
		if _, err := s.lockRow(db, table, col, id); err != nil {
			return err
		}
	}
	return nil
}

// lockRow selects the row of table whose col is id FOR UPDATE and reports whether it exists.
func (s *Store) lockRow(db *gorm.DB, table, col string, id any) (bool, error) {
	var got []any
	sel := db.Table(table).Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate}).
		Where(clause.Eq{Column: clause.Column{Name: col}, Value: id}).Pluck(col, &got)
	if sel.Error != nil {
		return false, s.dbError("lock a row of "+table, sel.Error)
	}
	return len(got) > 0, nil
}

// Retryable reports whether err is a transaction the database aborted to break a deadlock or a
// serialisation conflict (PostgreSQL, MySQL): running the whole transaction again may succeed.
func (s *Store) Retryable(err error) bool { return err != nil && s.dl.retryable(err) }

// LockByID locks the record of m with that id for the rest of ctx's transaction (SELECT ...
// FOR UPDATE; SQLite's transactions are serialised already) and reports whether it exists:
// changes that read the record and then write it (a password change that must not race
// another) hold it meanwhile. Outside a transaction it is an error.
func (s *Store) LockByID(ctx context.Context, m *schema.Model, id any) (bool, error) {
	tx, ok := ctx.Value(txKey{s}).(*gorm.DB)
	if !ok {
		return false, s.internal(m, errors.New("LockByID needs a transaction"))
	}
	if err := checkModel(m); err != nil {
		return false, s.internal(m, err)
	}
	idp := m.IDProperty()
	idv, ok := normID(idp, id)
	if !ok {
		return false, nil
	}
	return s.lockRow(tx.WithContext(ctx), tableName(m), colName(idp), idv)
}

// EnsureRows creates the rows of m with the given ids that do not exist yet (m holds nothing
// but its string id), in one statement: the lock rows LockRows takes, made before the
// transactions that lock them, so that those never create rows concurrently.
func (s *Store) EnsureRows(ctx context.Context, m *schema.Model, ids []string) error {
	if err := checkModel(m); err != nil {
		return s.internal(m, err)
	}
	if len(ids) == 0 {
		return nil
	}
	col := colName(m.IDProperty())
	rows := make([]map[string]any, len(ids))
	for i, id := range ids {
		rows[i] = map[string]any{col: id}
	}
	err := s.DB(ctx).Table(tableName(m)).Clauses(s.dl.insertIgnore()).Create(rows).Error
	if err != nil {
		return s.dbError("create rows of "+tableName(m), err)
	}
	return nil
}
