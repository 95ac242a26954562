package store

import (
	"fmt"

	"github.com/loopgo/loopgo/framework/apierr"
	"github.com/loopgo/loopgo/framework/schema"
)

// dbError maps a database error: a bad regular expression is the client's (400); anything
// else is internal (500, cause kept for the log, never sent).
func (s *Store) dbError(op string, err error) error {
	if ae, ok := apierr.As(err); ok {
		return ae
	}
	if s.dl.invalidPattern(err) {
		return apierr.BadRequest("", "Invalid regular expression").WithCause(err)
	}
	return apierr.Internal(fmt.Errorf("store %s: %s: %w", s.name, op, err))
}

// internal wraps a programming or configuration error as a 500.
func (s *Store) internal(m *schema.Model, err error) error {
	name := "<nil>"
	if m != nil {
		name = m.Name
	}
	return apierr.Internal(fmt.Errorf("store %s: model %s: %w", s.name, name, err))
}

// Messages of LoopBack 3 (loopback-datasource-juggler), matched on the wire.
const (
	msgNotFoundPatch   = "could not find a model with id %v"
	msgNotFoundReplace = "Could not replace. Object with id %v does not exist!"
	msgNotFoundUpsert  = "Could not update attributes. Object with id %v does not exist!"
	msgIDPatch         = "id cannot be updated from %v to %v when forceId is set to true"
	msgIDReplace       = "id property (%s) cannot be updated from %v to %v"
	msgIDUpdateAll     = "id cannot be updated"
	msgDuplicateID     = "Duplicate entry for %s.%s"
	msgEmptyData       = "data object cannot be empty!"
	msgMultipleUpsert  = "There are multiple instances found.Upsert Operation will not be performed!"
	msgUniqueness      = "is not unique"
	msgIDAbsence       = "can't be set"
)
