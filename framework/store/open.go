package store

import (
	"context"
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
// "mysql://user:pass@host:port/db". SQLite runs in WAL mode with a busy timeout and foreign keys.
func Open(ctx context.Context, name, url string, opts Options) (*Store, error) {
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	s := &Store{name: name, log: log, now: time.Now}
	var (
		dialector gorm.Dialector
		single    bool // one connection only (in-memory SQLite)
	)
	switch {
	case strings.HasPrefix(url, "sqlite:"):
		dsn, memory, err := sqliteDSN(strings.TrimPrefix(url, "sqlite:"))
		if err != nil {
			return nil, fmt.Errorf("store %q: %w", name, err)
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
		dialector = mysql.Open(dsn)
		s.dialect, s.dl = "mysql", mysqlDialect{}
	default:
		return nil, fmt.Errorf("store %q: unsupported datasource URL scheme (want sqlite:PATH, postgres://... or mysql://...)", name)
	}
	db, err := gorm.Open(dialector, &gorm.Config{
		Logger:                 newGormLogger(log),
		SkipDefaultTransaction: true,
		DisableAutomaticPing:   true,
	})
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
		sqlDB.SetMaxIdleConns(16)
		sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	}
	if err := sqlDB.PingContext(ctx); err != nil {
		_ = sqlDB.Close()
		return nil, fmt.Errorf("store %q: connect to %s: %w", name, s.dialect, err)
	}
	s.db = db
	return s, nil
}

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

// Name returns the datasource name.
func (s *Store) Name() string { return s.name }

// Dialect returns "sqlite", "postgres" or "mysql".
func (s *Store) Dialect() string { return s.dialect }

// sqliteDSN turns the part after "sqlite:" into a go-sqlite3 DSN; memory reports ":memory:".
// A file database gets WAL, a 10 s busy timeout, foreign keys and BEGIN IMMEDIATE transactions
// (so concurrent writers queue on the lock instead of failing); its parent directory is created.
func sqliteDSN(path string) (dsn string, memory bool, err error) {
	const common = "_busy_timeout=10000&_foreign_keys=on&_txlock=immediate"
	path = strings.TrimPrefix(path, "//")
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
	return path + "?_journal_mode=WAL&" + common, false, nil
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
