package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"gorm.io/driver/mysql"
	"gorm.io/driver/postgres"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
)

// memoryDBSeq names each in-memory SQLite database so that two stores never share one.
var memoryDBSeq atomic.Int64

// Open connects to a datasource URL: "sqlite:PATH" (or "sqlite::memory:"), "postgres://...",
// "mysql://user:pass@host:port/db", within ctx's deadline. SQLite runs in WAL mode with a busy
// timeout and foreign keys, and a file that this process cannot write is refused.
func Open(ctx context.Context, name, url string, opts Options) (*Store, error) {
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	s := &Store{name: name, log: log, now: time.Now}
	var (
		dialector gorm.Dialector
		single    bool   // one connection only (in-memory SQLite)
		sqlFile   string // the SQLite database file
	)
	switch {
	case strings.HasPrefix(url, "sqlite:"):
		dsn, memory, err := sqliteDSN(strings.TrimPrefix(url, "sqlite:"))
		if err != nil {
			return nil, fmt.Errorf("store %q: %w", name, err)
		}
		if !memory {
			sqlFile = sqlitePath(strings.TrimPrefix(url, "sqlite:"))
			if err := checkWritable(sqlFile); err != nil {
				return nil, fmt.Errorf("store %q: %w", name, err)
			}
		}
		registerSQLiteDriver()
		dialector = sqlite.New(sqlite.Config{DriverName: sqliteDriverName, DSN: dsn})
		s.dialect, s.dl, single = "sqlite", sqliteDialect{}, memory
	case strings.HasPrefix(url, "postgres://"), strings.HasPrefix(url, "postgresql://"):
		dialector = postgres.Open(url)
		s.dialect, s.dl = "postgres", postgresDialect{}
	case strings.HasPrefix(url, "mysql://"):
		dsn, err := mysqlDSN(url)
		if err != nil {
			return nil, fmt.Errorf("store %q: %w", name, err)
		}
		// connect under ctx first: GORM's MySQL set-up asks the server's version without a
		// context, and would wait for good on a server that accepts connections but never answers
		pool, err := sql.Open("mysql", dsn)
		if err != nil {
			return nil, fmt.Errorf("store %q: open mysql: %w", name, err)
		}
		if err := pool.PingContext(ctx); err != nil {
			_ = pool.Close()
			return nil, fmt.Errorf("store %q: connect to mysql: %w", name, connectError(ctx, err))
		}
		dialector = mysql.New(mysql.Config{Conn: pool})
		s.dialect, s.dl = "mysql", mysqlDialect{}
	default:
		return nil, fmt.Errorf("store %q: unsupported datasource URL scheme (want sqlite:PATH, postgres://... or mysql://...)", name)
	}
	gcfg := &gorm.Config{Logger: newGormLogger(log), SkipDefaultTransaction: true, DisableAutomaticPing: true,
		PrepareStmtMaxSize: 512, PrepareStmtTTL: 30 * time.Minute}
	db, err := gorm.Open(dialector, gcfg)
	// two instances opening one new SQLite file at once: switching it to WAL is not covered by
	// the busy timeout, so the loser waits and tries again
	for backoff := 20 * time.Millisecond; err != nil && sqlFile != "" && isLocked(err); backoff = min(2*backoff, time.Second) {
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("store %q: open sqlite: %w", name, connectError(ctx, err))
		case <-time.After(backoff):
		}
		db, err = gorm.Open(dialector, gcfg)
	}
	if err != nil {
		return nil, fmt.Errorf("store %q: open %s: %w", name, s.dialect, err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, fmt.Errorf("store %q: connection pool: %w", name, err)
	}
	if single {
		sqlDB.SetMaxOpenConns(1)
		sqlDB.SetMaxIdleConns(1)
		sqlDB.SetConnMaxLifetime(0)
		sqlDB.SetConnMaxIdleTime(0)
	} else {
		// keep connections for concurrent requests instead of reopening them (the default keeps 2)
		limit := opts.MaxOpenConns
		if limit <= 0 && sqlFile != "" {
			limit = 10 // one writer at a time anyway; readers share the WAL
		}
		idle := 16
		if limit > 0 {
			sqlDB.SetMaxOpenConns(limit)
			idle = min(idle, limit)
		}
		sqlDB.SetMaxIdleConns(idle)
		sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	}
	if err := sqlDB.PingContext(ctx); err != nil {
		_ = sqlDB.Close()
		return nil, fmt.Errorf("store %q: connect to %s: %w", name, s.dialect, connectError(ctx, err))
	}
	s.db = db
	s.prepared = db.Session(&gorm.Session{PrepareStmt: true})
	if sqlFile != "" {
		if err := s.probeWrite(ctx, sqlFile); err != nil {
			_ = sqlDB.Close()
			return nil, fmt.Errorf("store %q: %w", name, err)
		}
	}
	return s, nil
}

// connectError names a deadline or a cancellation as such: the driver's own words for them
// ("i/o timeout", "context canceled") do not say that the server never answered.
func connectError(ctx context.Context, err error) error {
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return fmt.Errorf("the database did not answer before the start-up deadline (timeouts.startup): %w", err)
	case errors.Is(ctx.Err(), context.Canceled):
		return fmt.Errorf("start-up was cancelled while connecting: %w", err)
	}
	return err
}

// isLocked reports SQLite's "database is locked" (SQLITE_BUSY).
func isLocked(err error) bool { return strings.Contains(err.Error(), "database is locked") }

// sqlitePath is the file of a "sqlite:" URL's path part.
func sqlitePath(path string) string { return strings.TrimPrefix(path, "//") }

// checkWritable refuses a SQLite file, or the directory that holds it (SQLite writes its WAL
// and lock files there), that this process may not write, naming the permission problem.
func checkWritable(file string) error {
	dir := filepath.Dir(file)
	probe, err := os.CreateTemp(dir, ".loopgo-write-check-*")
	if err != nil {
		return fmt.Errorf("sqlite: cannot write in the directory %q of database %q (SQLite keeps its -wal and -shm files beside the database): %w", dir, file, err)
	}
	_ = probe.Close()
	_ = os.Remove(probe.Name())
	f, err := os.OpenFile(file, os.O_RDWR, 0)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil // created on first use, in a writable directory
	case errors.Is(err, os.ErrPermission):
		return fmt.Errorf("sqlite: database file %q cannot be written by this process (permission denied): give the user running Loopgo write access to it, or point the datasource at a writable file: %w", file, err)
	case err != nil:
		return fmt.Errorf("sqlite: open database file %q for writing: %w", file, err)
	}
	return f.Close()
}

// probeWrite proves the database takes writes (a read-only file system, a read-only file)
// with a table created and rolled back.
func (s *Store) probeWrite(ctx context.Context, file string) error {
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Exec("CREATE TABLE loopgo_write_check (x INTEGER)").Error; err != nil {
			return err
		}
		return errRollback
	})
	if err != nil && !errors.Is(err, errRollback) {
		return fmt.Errorf("sqlite: database %q cannot be written: %w", file, err)
	}
	return nil
}

// errRollback ends a transaction that must leave nothing behind.
var errRollback = errors.New("rollback")

// Close closes the connection pool.
func (s *Store) Close() error {
	sqlDB, err := s.db.DB()
	if err != nil {
		return fmt.Errorf("store %q: connection pool: %w", s.name, err)
	}
	if err := sqlDB.Close(); err != nil {
		return fmt.Errorf("store %q: close: %w", s.name, err)
	}
	return nil
}

// Ping checks that the database answers, within ctx.
func (s *Store) Ping(ctx context.Context) error {
	sqlDB, err := s.db.DB()
	if err != nil {
		return fmt.Errorf("store %q: connection pool: %w", s.name, err)
	}
	if err := sqlDB.PingContext(ctx); err != nil {
		return fmt.Errorf("store %q: ping: %w", s.name, err)
	}
	return nil
}

// Name returns the datasource name.
func (s *Store) Name() string { return s.name }

// Dialect returns "sqlite", "postgres" or "mysql".
func (s *Store) Dialect() string { return s.dialect }

// sqliteDSN turns the part after "sqlite:" into a go-sqlite3 DSN; memory reports ":memory:".
// A file database gets WAL with synchronous=NORMAL, a 10 s busy timeout, foreign keys and BEGIN IMMEDIATE transactions
// (so concurrent writers queue on the lock instead of failing); its parent directory is created.
func sqliteDSN(path string) (dsn string, memory bool, err error) {
	const common = "_busy_timeout=10000&_foreign_keys=on&_txlock=immediate"
	path = sqlitePath(path)
	if path == ":memory:" {
		return fmt.Sprintf("file:loopgo-mem-%d?mode=memory&cache=shared&%s", memoryDBSeq.Add(1), common), true, nil
	}
	if path == "" {
		return "", false, fmt.Errorf("sqlite: empty database path")
	}
	if strings.ContainsAny(path, "?#") {
		return "", false, fmt.Errorf("sqlite: database path %q must not contain '?' or '#'", path)
	}
	if dir := filepath.Dir(path); dir != "." && dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return "", false, fmt.Errorf("sqlite: create directory of %q: %w", path, err)
		}
	}
	return path + "?_journal_mode=WAL&_synchronous=NORMAL&" + common, false, nil
}

// mysqlDSN converts "mysql://user:pass@host:port/db?params" to a go-sql-driver DSN
// ("user:pass@tcp(host:port)/db?..."), adding parseTime, utf8mb4, UTC, no multi-statements and
// clientFoundRows (so UPDATE counts matched rows, as LoopBack's updateAll does). Query parameters
// given in the URL win over these defaults.
func mysqlDSN(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("mysql: parse URL: %w", err)
	}
	host := u.Host
	if host == "" {
		return "", fmt.Errorf("mysql: URL has no host")
	}
	if u.Port() == "" {
		host += ":3306"
	}
	db := strings.TrimPrefix(u.Path, "/")
	if db == "" || strings.Contains(db, "/") {
		return "", fmt.Errorf("mysql: URL must name one database, as mysql://user:pass@host:port/db")
	}
	params := url.Values{
		"parseTime":       {"true"},
		"charset":         {"utf8mb4"},
		"loc":             {"UTC"},
		"multiStatements": {"false"},
		"clientFoundRows": {"true"},
	}
	for k, v := range u.Query() {
		params[k] = v
	}
	var auth string
	if u.User != nil {
		auth = u.User.Username()
		if pw, ok := u.User.Password(); ok {
			auth += ":" + pw
		}
		auth += "@"
	}
	return fmt.Sprintf("%stcp(%s)/%s?%s", auth, host, db, params.Encode()), nil
}
