package store

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	mysqldrv "github.com/go-sql-driver/mysql"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/loopgo/loopgo/framework/schema"
)

// mysqlDialect (MySQL 8 and MariaDB): tables in utf8mb4 with the binary collation (string
// comparisons and uniqueness are case-sensitive, as in LoopBack), DATETIME(3) dates,
// TINYINT(1) booleans, JSON as LONGTEXT (MariaDB's JSON is an alias of it), VARCHAR(255) for
// indexed strings (TEXT cannot be indexed without a prefix length), LIKE with the binary
// collation, REGEXP with inline flags ((?i) / (?-i)), which both MySQL's ICU and MariaDB's PCRE
// understand (MariaDB has no REGEXP_LIKE with a match type).
type mysqlDialect struct{}

func (mysqlDialect) idColumnDef(p *schema.Property) string {
	if p.Type == schema.String {
		return "VARCHAR(255) NOT NULL PRIMARY KEY"
	}
	if p.Generated {
		return "BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY"
	}
	return "BIGINT NOT NULL PRIMARY KEY"
}

func (mysqlDialect) columnType(p *schema.Property, indexed bool) string {
	switch p.Type {
	case schema.String:
		if indexed {
			return "VARCHAR(255)"
		}
		return "TEXT"
	case schema.Number:
		return "DOUBLE"
	case schema.Integer:
		return "BIGINT"
	case schema.Boolean:
		return "TINYINT(1)"
	case schema.Date:
		return "DATETIME(3)"
	}
	return "LONGTEXT"
}

func (mysqlDialect) family(sqlType string) string {
	switch strings.ToLower(strings.TrimSpace(sqlType)) {
	case "tinyint(1)":
		return famBool
	case "longtext", "json":
		return famJSON
	}
	return familyOf(sqlType)
}

func (mysqlDialect) tableOptions() string     { return " DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin" }
func (mysqlDialect) indexIfNotExists() string { return "" }

// indexTarget indexes the first 255 characters of a TEXT column created before the column was
// declared indexed (a new indexed column is VARCHAR(255) and is indexed whole).
func (mysqlDialect) indexTarget(col, sqlType string) clause.Expr {
	if strings.Contains(baseType(sqlType), "text") {
		return clause.Expr{SQL: "?(255)", Vars: []any{clause.Column{Name: col}}}
	}
	return colExpr(col)
}

func (mysqlDialect) hasTable(ctx context.Context, db *gorm.DB, table string) (bool, error) {
	var n int64
	err := db.WithContext(ctx).Raw("SELECT count(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ?", table).Row().Scan(&n)
	return n > 0, err
}

func (mysqlDialect) columns(ctx context.Context, db *gorm.DB, table string) (map[string]string, error) {
	return queryPairs(ctx, db, "SELECT COLUMN_NAME, COLUMN_TYPE FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = ?", table)
}

func (mysqlDialect) indexes(ctx context.Context, db *gorm.DB, table string) (map[string]bool, error) {
	return queryNames(ctx, db, "SELECT DISTINCT INDEX_NAME FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name = ?", table)
}

func (mysqlDialect) timeValue(t time.Time) any { return t.UTC().Truncate(time.Millisecond) }

func (mysqlDialect) jsonValue(text string) any { return text }

func (mysqlDialect) insertDefaults() string { return "() VALUES ()" }

func (mysqlDialect) insertIgnore() clause.Expression { return clause.Insert{Modifier: "IGNORE"} }
func (mysqlDialect) returningID() bool               { return false }

func (mysqlDialect) lastInsertID(ctx context.Context, db *gorm.DB) (int64, error) {
	var id int64
	err := db.WithContext(ctx).Raw("SELECT LAST_INSERT_ID()").Row().Scan(&id)
	return id, err
}

func (mysqlDialect) afterExplicitID(context.Context, *gorm.DB, string, string) error { return nil }

func (mysqlDialect) nullOrder(bool) string { return "" }

func (mysqlDialect) asText(lhs clause.Expr, p *schema.Property) clause.Expr {
	if isStringProp(p) {
		return lhs
	}
	return clause.Expr{SQL: "CAST(? AS CHAR)", Vars: []any{lhs}}
}

func (mysqlDialect) like(lhs clause.Expr, pattern string) clause.Expression {
	return clause.Expr{SQL: "? COLLATE utf8mb4_bin LIKE ?", Vars: []any{lhs, pattern}}
}

func (mysqlDialect) ilike(lhs clause.Expr, pattern string) clause.Expression {
	return clause.Expr{SQL: "LOWER(?) LIKE LOWER(?)", Vars: []any{lhs, pattern}}
}

func (mysqlDialect) regexp(lhs clause.Expr, pattern, flags string) (clause.Expression, error) {
	prefix := inlineFlags(flags)
	if !strings.Contains(flags, "i") {
		prefix = "(?-i)" + prefix
	}
	return clause.Expr{SQL: "? REGEXP ?", Vars: []any{lhs, prefix + pattern}}, nil
}

func (mysqlDialect) jsonText(col clause.Column, keys []string) clause.Expr {
	return clause.Expr{SQL: "JSON_UNQUOTE(JSON_EXTRACT(?, ?))", Vars: []any{col, jsonPath(keys)}}
}

// jsonOperand compares numbers as JSON (numerically) and everything else as unquoted text.
func (d mysqlDialect) jsonOperand(col clause.Column, keys []string, v any) (clause.Expr, any) {
	switch x := v.(type) {
	case float64, int64, int:
		return clause.Expr{SQL: "JSON_EXTRACT(?, ?)", Vars: []any{col, jsonPath(keys)}}, x
	case bool:
		if x {
			return d.jsonText(col, keys), "true"
		}
		return d.jsonText(col, keys), "false"
	case time.Time:
		return d.jsonText(col, keys), x.UTC().Format(time.RFC3339Nano)
	}
	return d.jsonText(col, keys), v
}

func (mysqlDialect) jsonContains(col clause.Column, v any) clause.Expression {
	text, err := json.Marshal(jsonScalar(v))
	if err != nil {
		return falseExpr
	}
	return clause.Expr{SQL: "JSON_CONTAINS(?, ?)", Vars: []any{col, string(text)}}
}

func (mysqlDialect) jsonIsNull(col clause.Column, keys []string) clause.Expression {
	return clause.Expr{SQL: "COALESCE(JSON_TYPE(JSON_EXTRACT(?, ?)), 'NULL') = 'NULL'", Vars: []any{col, jsonPath(keys)}}
}

// uniqueViolation reads the key name from "Duplicate entry '...' for key 'name'" (MySQL 8
// writes 'table.name').
func (mysqlDialect) uniqueViolation(err error) (string, string, bool) {
	var me *mysqldrv.MySQLError
	if !errors.As(err, &me) || me.Number != 1062 {
		return "", "", false
	}
	msg := me.Message
	i := strings.LastIndex(msg, "for key '")
	if i < 0 {
		return "", "", true
	}
	key := strings.TrimSuffix(msg[i+len("for key '"):], "'")
	if j := strings.LastIndexByte(key, '.'); j >= 0 {
		key = key[j+1:]
	}
	return key, "", true
}

// invalidPattern recognises MySQL's regexp errors (3685-3699) and MariaDB's (1139).
func (mysqlDialect) invalidPattern(err error) bool {
	var me *mysqldrv.MySQLError
	if !errors.As(err, &me) {
		return false
	}
	return me.Number == 1139 || (me.Number >= 3685 && me.Number <= 3699)
}

// retryable recognises a deadlock victim (1213).
func (mysqlDialect) retryable(err error) bool {
	var me *mysqldrv.MySQLError
	return errors.As(err, &me) && me.Number == 1213
}
