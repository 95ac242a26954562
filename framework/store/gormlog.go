package store

import (
	"context"
	"log/slog"
	"time"

	"gorm.io/gorm/logger"
)

// gormLogger routes GORM's statement traces to slog at debug level. Statements are logged with
// their placeholders only: bound values (which may be passwords or tokens) are never logged, and
// neither are driver error texts (they can quote values); errors reach the caller instead.
type gormLogger struct {
	log *slog.Logger
}

func newGormLogger(log *slog.Logger) logger.Interface { return gormLogger{log: log} }

// LogMode is part of logger.Interface; the level is slog's business.
func (l gormLogger) LogMode(logger.LogLevel) logger.Interface { return l }

// Info logs GORM's informational messages at debug level.
func (l gormLogger) Info(ctx context.Context, msg string, _ ...any) {
	l.log.DebugContext(ctx, "gorm: "+msg)
}

// Warn logs GORM's warnings at debug level.
func (l gormLogger) Warn(ctx context.Context, msg string, _ ...any) {
	l.log.DebugContext(ctx, "gorm: "+msg)
}

// Error logs GORM's errors at debug level (the caller gets and reports the error).
func (l gormLogger) Error(ctx context.Context, msg string, _ ...any) {
	l.log.DebugContext(ctx, "gorm: "+msg)
}

// Trace logs one statement with its placeholders, duration and row count.
func (l gormLogger) Trace(ctx context.Context, begin time.Time, fc func() (string, int64), err error) {
	if !l.log.Enabled(ctx, slog.LevelDebug) {
		return
	}
	sqlText, rows := fc()
	l.log.DebugContext(ctx, "sql", "statement", sqlText, "rows", rows,
		"duration", time.Since(begin), "failed", err != nil)
}

// ParamsFilter drops bound values so that traces never contain them.
func (l gormLogger) ParamsFilter(_ context.Context, sqlText string, _ ...any) (string, []any) {
	return sqlText, nil
}
