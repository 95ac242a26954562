package store

import (
	"context"

	"gorm.io/gorm"
)

// txKey carries a store's open transaction in a context; keyed by store, so transactions of
// two stores never mix.
type txKey struct{ s *Store }

// DB returns the GORM handle bound to ctx (the transaction when ctx carries one).
func (s *Store) DB(ctx context.Context) *gorm.DB {
	if tx, ok := ctx.Value(txKey{s}).(*gorm.DB); ok {
		return tx.WithContext(ctx)
	}
	return s.db.WithContext(ctx)
}

// Transaction runs fn in a transaction carried by the ctx it passes; nested calls join it.
// fn's error is returned unchanged after the rollback. Code running inside fn (hooks included)
// must use the ctx it is given: on SQLite a statement issued with another ctx waits for the
// transaction's write lock.
func (s *Store) Transaction(ctx context.Context, fn func(ctx context.Context) error) error {
	if _, ok := ctx.Value(txKey{s}).(*gorm.DB); ok {
		return fn(ctx)
	}
	var fnErr error
	// the changes the transaction makes are queued and handed on only once it has committed
	ctx, queue := s.withChangeQueue(ctx)
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		fnErr = fn(context.WithValue(ctx, txKey{s}, tx))
		return fnErr
	})
	if fnErr != nil {
		return fnErr
	}
	if err != nil {
		return s.dbError("transaction", err)
	}
	s.publish(queue)
	return nil
}
