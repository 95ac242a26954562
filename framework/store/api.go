// Package store persists model records with GORM: tables from definitions, CRUD with LoopBack's
// write semantics, filters to SQL clauses (bound parameters only), operation hooks, transactions.
package store

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"gorm.io/gorm"

	"github.com/loopgo/loopgo/framework/filter"
	"github.com/loopgo/loopgo/framework/schema"
)

// This file fixes the package's API; bodies are filled in by the implementation files.

// Options configure a Store.
type Options struct {
	Logger       *slog.Logger // nil = slog.Default()
	MaxOpenConns int          // the pool's bound; 0 = 10 for a SQLite file, no bound for servers
}

// Store is one datasource: a database connection and the models attached to it.
type Store struct {
	name     string
	dialect  string
	db       *gorm.DB
	prepared *gorm.DB // db with a cache of prepared statements, for reads outside transactions
	log      *slog.Logger

	dl    sqlDialect       // the dialect's SQL differences
	hooks hookRegistry     // operation hooks by model and hook name
	now   func() time.Time // clock for defaults (tests may replace it)

	links  atomic.Pointer[Links] // where related models live (SetLinks)
	scopes sync.Map              // *schema.Relation -> parsed relation scope (*filter.Filter)

	changes changeHub // who receives committed changes (changes.go)

	selectHeads  sync.Map     // selectKey -> "SELECT cols FROM table WHERE " (sqltext.go)
	selectHeadsN atomic.Int32 // entries in selectHeads, bounded by maxSelectHeads
}

// The exported methods are implemented in: open.go (Open, Close, Name, Dialect), tx.go (DB,
// Transaction), migrate.go (Migrate), create.go, read.go, update.go, upsert.go, delete.go (CRUD),
// hooks.go (Observe).

// HookContext is what an operation hook sees (LoopBack's ctx); fields are set per hook and operation.
type HookContext struct {
	Model           *schema.Model
	Hook            string         // access, before save, persist, after save, loaded, before delete, after delete
	Instance        schema.Record  // full instance: create, replace (mutable in before save)
	Data            schema.Record  // partial data: patch, updateAll, persist, loaded (mutable)
	CurrentInstance schema.Record  // the stored record before a patch
	Where           filter.Cond    // updateAll, deletes (mutable in before delete / access)
	Query           *filter.Filter // access (mutable)
	IsNewInstance   bool
	Count           int64          // after save of updateAll, after delete: affected rows
	HookState       map[string]any // shared between the hooks of one operation
}

// Hook observes an operation; a returned error aborts it (an *apierr.Error keeps its status).
type Hook func(ctx context.Context, hc *HookContext) error
