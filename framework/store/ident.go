package store

import (
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"regexp"
	"strings"
	"sync"

	"github.com/loopgo/loopgo/framework/schema"
)

// extraColumn holds the undeclared properties of models with strict: false, as JSON text.
const extraColumn = "_extra"

// maxIdentLen is the longest identifier every dialect accepts (MySQL: 64, PostgreSQL: 63).
const maxIdentLen = 63

// identRe is what table and column names may look like: they are always quoted, but GORM's
// quoting treats '.' as a schema separator, so names are kept to a portable, boring alphabet.
var identRe = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_$-]*$`)

// jsonKeyRe is what a key of a dot path into a JSON column may look like.
var jsonKeyRe = regexp.MustCompile(`^[A-Za-z0-9_]+$`)

// checkIdent reports an unusable table or column name.
func checkIdent(kind, name string) error {
	if len(name) > maxIdentLen || !identRe.MatchString(name) {
		return fmt.Errorf("invalid %s name %q: use letters, digits, '_', '$' or '-' (at most %d characters, not starting with a digit)", kind, name, maxIdentLen)
	}
	return nil
}

// tableName returns the model's SQL table: m.Table, or the lower-cased model name.
func tableName(m *schema.Model) string {
	if m.Table != "" {
		return m.Table
	}
	return strings.ToLower(m.Name)
}

// colName returns a property's SQL column: p.Column, or the property name.
func colName(p *schema.Property) string {
	if p.Column != "" {
		return p.Column
	}
	return p.Name
}

// indexName returns "<prefix>_<table>_<col>", shortened with a hash suffix when it would exceed
// what MySQL and PostgreSQL accept, so the name stays deterministic and unique.
func indexName(prefix, table, col string) string {
	name := prefix + "_" + table + "_" + col
	if len(name) <= maxIdentLen {
		return name
	}
	sum := sha1.Sum([]byte(name))
	return name[:maxIdentLen-9] + "_" + hex.EncodeToString(sum[:4])
}

// checkedModels remembers the models checkModel accepted, so the check costs one map lookup
// per call on the request path.
var checkedModels sync.Map // *schema.Model -> true

// checkModel reports why a model cannot be stored: not persisted, no id, or bad identifiers.
func checkModel(m *schema.Model) error {
	if m == nil {
		return fmt.Errorf("nil model")
	}
	if _, ok := checkedModels.Load(m); ok {
		return nil
	}
	if err := checkModelOnce(m); err != nil {
		return err
	}
	checkedModels.Store(m, true)
	return nil
}

// checkModelOnce does the work of checkModel.
func checkModelOnce(m *schema.Model) error {
	if !m.Persisted {
		return fmt.Errorf("model %s is not persisted (it does not extend PersistedModel)", m.Name)
	}
	if m.IDProperty() == nil {
		return fmt.Errorf("model %s has no id property", m.Name)
	}
	if err := checkIdent("table", tableName(m)); err != nil {
		return fmt.Errorf("model %s: %w", m.Name, err)
	}
	for _, p := range m.Properties {
		if err := checkIdent("column", colName(p)); err != nil {
			return fmt.Errorf("model %s property %s: %w", m.Name, p.Name, err)
		}
		if strings.EqualFold(colName(p), extraColumn) {
			return fmt.Errorf("model %s property %s: column name %s is reserved for undeclared properties", m.Name, p.Name, extraColumn)
		}
	}
	return nil
}
