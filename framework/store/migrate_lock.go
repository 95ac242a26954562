package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"time"

	"gorm.io/gorm"
)

// migrationLockName names the migration lock on MySQL; migrationLockKey is its PostgreSQL
// advisory lock key (the first 8 bytes of "loopgo.m" read as a number).
const (
	migrationLockName       = "loopgo.migrate"
	migrationLockKey  int64 = 0x6c6f6f70676f2e6d
)

// withMigrationLock runs fn while this store holds the database's migration lock: a PostgreSQL
// advisory lock or a MySQL named lock, held for the whole migration by the connection fn's
// handle runs on, or on SQLite one immediate transaction (fn then gets the transaction;
// SQLite's DDL is transactional). Waiting for the lock ends with ctx.
func (s *Store) withMigrationLock(ctx context.Context, fn func(db *gorm.DB) error) error {
	if s.dialect == "sqlite" {
		// what could be applied is kept: fn's error reports what could not, and commits the rest
		var fnErr error
		err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			fnErr = fn(tx)
			return nil
		})
		if err != nil {
			return errors.Join(fnErr, fmt.Errorf("store %s: migration transaction: %w", s.name, connectError(ctx, err)))
		}
		return fnErr
	}
	sqlDB, err := s.db.DB()
	if err != nil {
		return fmt.Errorf("store %s: connection pool: %w", s.name, err)
	}
	conn, err := sqlDB.Conn(ctx)
	if err != nil {
		return fmt.Errorf("store %s: connection for the migration lock: %w", s.name, connectError(ctx, err))
	}
	defer conn.Close()
	release, err := s.takeMigrationLock(ctx, conn)
	if err != nil {
		return err
	}
	defer release()
	// the migration runs on the connection that holds the lock: a pool bounded to one
	// connection (maxOpenConns: 1) would otherwise wait for itself until the deadline
	db := s.db.WithContext(ctx)
	db.Statement.ConnPool = conn
	return fn(db)
}

// takeMigrationLock waits for the migration lock on conn and returns its release.
func (s *Store) takeMigrationLock(ctx context.Context, conn *sql.Conn) (func(), error) {
	started := time.Now()
	waited := func(err error) error {
		return fmt.Errorf("store %s: wait for the migration lock (held by another instance migrating this database) for %s: %w",
			s.name, time.Since(started).Round(time.Millisecond), connectError(ctx, err))
	}
	switch s.dialect {
	case "postgres":
		if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", migrationLockKey); err != nil {
			return nil, waited(err)
		}
		return func() {
			_, _ = conn.ExecContext(context.Background(), "SELECT pg_advisory_unlock($1)", migrationLockKey)
		}, nil
	case "mysql":
		wait := 60.0
		if dl, ok := ctx.Deadline(); ok {
			wait = math.Max(1, math.Ceil(time.Until(dl).Seconds()))
		}
		var got sql.NullInt64
		if err := conn.QueryRowContext(ctx, "SELECT GET_LOCK(?, ?)", migrationLockName, wait).Scan(&got); err != nil {
			return nil, waited(err)
		}
		if !got.Valid || got.Int64 != 1 {
			return nil, waited(errors.New("GET_LOCK timed out"))
		}
		return func() { _, _ = conn.ExecContext(context.Background(), "SELECT RELEASE_LOCK(?)", migrationLockName) }, nil
	}
	return func() {}, nil
}
