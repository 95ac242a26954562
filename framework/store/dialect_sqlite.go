package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/mattn/go-sqlite3"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/loopgo/loopgo/framework/apierr"
	"github.com/loopgo/loopgo/framework/schema"
)

// sqliteTimeLayout stores dates as fixed-width UTC text, so that text order is time order.
const sqliteTimeLayout = "2006-01-02T15:04:05.000Z"

// sqliteDialect: dates as fixed-width text, booleans as 0/1 integers, JSON as text (declared
// JSONTEXT so that its family is recognisable), LIKE via GLOB (case-sensitive), ILIKE and
// REGEXP via the Go regexp function registered on every connection.
type sqliteDialect struct{}

func (sqliteDialect) idColumnDef(p *schema.Property) string {
	if p.Type == schema.String {
		return "VARCHAR(255) PRIMARY KEY"
	}
	if p.Generated {
		return "INTEGER PRIMARY KEY AUTOINCREMENT"
	}
	return "INTEGER PRIMARY KEY"
}

func (sqliteDialect) columnType(p *schema.Property, _ bool) string {
	switch p.Type {
	case schema.String:
		return "TEXT"
	case schema.Number:
		return "REAL"
	case schema.Integer:
		return "INTEGER"
	case schema.Boolean:
		return "INTEGER"
	case schema.Date:
		return "DATETIME"
	}
	return "JSONTEXT"
}

func (sqliteDialect) family(sqlType string) string { return familyOf(sqlType) }

func (sqliteDialect) tableOptions() string     { return "" }
func (sqliteDialect) indexIfNotExists() string { return "IF NOT EXISTS " }

func (sqliteDialect) indexTarget(col, _ string) clause.Expr { return colExpr(col) }

func (sqliteDialect) hasTable(ctx context.Context, db *gorm.DB, table string) (bool, error) {
	var n int64
	err := db.WithContext(ctx).Raw("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?", table).Row().Scan(&n)
	return n > 0, err
}

func (sqliteDialect) columns(ctx context.Context, db *gorm.DB, table string) (map[string]string, error) {
	return queryPairs(ctx, db, "SELECT name, type FROM pragma_table_info(?)", table)
}

func (sqliteDialect) indexes(ctx context.Context, db *gorm.DB, table string) (map[string]bool, error) {
	return queryNames(ctx, db, "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ?", table)
}

func (sqliteDialect) timeValue(t time.Time) any {
	return t.UTC().Truncate(time.Millisecond).Format(sqliteTimeLayout)
}

func (sqliteDialect) jsonValue(text string) any { return text }

func (sqliteDialect) insertDefaults() string { return "DEFAULT VALUES" }

func (sqliteDialect) insertIgnore() clause.Expression { return clause.OnConflict{DoNothing: true} }
func (sqliteDialect) returningID() bool               { return true }

func (sqliteDialect) lastInsertID(ctx context.Context, db *gorm.DB) (int64, error) {
	var id int64
	err := db.WithContext(ctx).Raw("SELECT last_insert_rowid()").Row().Scan(&id)
	return id, err
}

func (sqliteDialect) afterExplicitID(context.Context, *gorm.DB, string, string) error { return nil }

func (sqliteDialect) nullOrder(bool) string { return "" }

func (sqliteDialect) asText(lhs clause.Expr, _ *schema.Property) clause.Expr { return lhs }

func (sqliteDialect) like(lhs clause.Expr, pattern string) clause.Expression {
	return clause.Expr{SQL: "? GLOB ?", Vars: []any{lhs, likeToGlob(pattern)}}
}

func (sqliteDialect) ilike(lhs clause.Expr, pattern string) clause.Expression {
	return clause.Expr{SQL: "? REGEXP ?", Vars: []any{lhs, likeToRegexp(pattern, true)}}
}

func (sqliteDialect) regexp(lhs clause.Expr, pattern, flags string) (clause.Expression, error) {
	p := inlineFlags(flags) + pattern
	if _, err := compileCached(p); err != nil {
		return nil, apierr.BadRequest("", "Invalid regular expression").WithCause(err)
	}
	return clause.Expr{SQL: "? REGEXP ?", Vars: []any{lhs, p}}, nil
}

func (sqliteDialect) jsonText(col clause.Column, keys []string) clause.Expr {
	return clause.Expr{SQL: "json_extract(?, ?)", Vars: []any{col, jsonPath(keys)}}
}

func (d sqliteDialect) jsonOperand(col clause.Column, keys []string, v any) (clause.Expr, any) {
	if t, ok := v.(time.Time); ok {
		v = t.UTC().Format(time.RFC3339Nano)
	}
	return d.jsonText(col, keys), v
}

func (sqliteDialect) jsonContains(col clause.Column, v any) clause.Expression {
	return clause.Expr{SQL: "EXISTS (SELECT 1 FROM json_each(?) WHERE json_each.value = ?)", Vars: []any{col, jsonScalar(v)}}
}

func (d sqliteDialect) jsonIsNull(col clause.Column, keys []string) clause.Expression {
	return clause.Expr{SQL: "? IS NULL", Vars: []any{d.jsonText(col, keys)}}
}

func (sqliteDialect) uniqueViolation(err error) (string, string, bool) {
	var se sqlite3.Error
	if !errors.As(err, &se) || se.Code != sqlite3.ErrConstraint {
		return "", "", false
	}
	if se.ExtendedCode != sqlite3.ErrConstraintUnique && se.ExtendedCode != sqlite3.ErrConstraintPrimaryKey {
		return "", "", false
	}
	// "UNIQUE constraint failed: table.column"
	msg := se.Error()
	if i := strings.LastIndex(msg, ": "); i >= 0 {
		target := msg[i+2:]
		if j := strings.IndexByte(target, '.'); j >= 0 {
			return "", strings.TrimSpace(target[j+1:]), true
		}
	}
	return "", "", true
}

// queryPairs runs a catalog query returning (name, type) rows, keyed by lower-cased name.
func queryPairs(ctx context.Context, db *gorm.DB, q string, args ...any) (map[string]string, error) {
	rows, err := db.WithContext(ctx).Raw(q, args...).Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var name, typ string
		if err := rows.Scan(&name, &typ); err != nil {
			return nil, fmt.Errorf("scan catalog row: %w", err)
		}
		out[strings.ToLower(name)] = typ
	}
	return out, rows.Err()
}

// queryNames runs a catalog query returning one name per row, lower-cased.
func queryNames(ctx context.Context, db *gorm.DB, q string, args ...any) (map[string]bool, error) {
	rows, err := db.WithContext(ctx).Raw(q, args...).Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, fmt.Errorf("scan catalog row: %w", err)
		}
		out[strings.ToLower(name)] = true
	}
	return out, rows.Err()
}

// invalidPattern is false: patterns are compiled before the query is sent.
func (sqliteDialect) invalidPattern(error) bool { return false }

// retryable is false: SQLite's transactions take the write lock when they begin (and wait for
// it), so they do not deadlock.
func (sqliteDialect) retryable(error) bool { return false }
