package accounts

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/loopgo/loopgo/framework/apierr"
	"github.com/loopgo/loopgo/framework/schema"
)

// sessionIDLength is the length of a session handle: a prefix of the token digest.
const sessionIDLength = 16

// Session is one valid access token of a user as its owner may see it: never the raw token
// nor its digest.
type Session struct {
	ID            string    `json:"id"` // a handle: the first 16 hex characters of the token digest
	Created       time.Time `json:"created"`
	TTL           int64     `json:"ttl"`
	LastUsed      time.Time `json:"lastUsed,omitzero"` // zero when never used since login
	ClientAddress string    `json:"clientAddress,omitempty"`
	UserAgent     string    `json:"userAgent,omitempty"`
	Current       bool      `json:"current"` // the token of the request (WithCurrentToken)
	Scopes        []string  `json:"scopes,omitempty"`
}

// ListSessions returns the user's valid access tokens, newest first; the one whose digest ctx
// carries (WithCurrentToken) is marked Current. Expired and inactive tokens are left out.
func (u *Users) ListSessions(ctx context.Context, userID any) ([]Session, error) {
	tokens, err := u.tokensOf(ctx, userID)
	if err != nil {
		return nil, fmt.Errorf("list sessions: %w", err)
	}
	current := CurrentToken(ctx)
	now := u.now()
	out := []Session{}
	for _, t := range tokens {
		s, ok := u.session(t, current, now)
		if ok {
			out = append(out, s)
		}
	}
	return out, nil
}

// session converts a stored token to a Session; ok is false for an invalid or expired token.
func (u *Users) session(t schema.Record, current string, now time.Time) (Session, bool) {
	digest, _ := t["id"].(string)
	created, hasCreated := timeValue(t["created"])
	ttl, hasTTL := requestedTTL(t["ttl"])
	model, _ := t["principalType"].(string)
	if model == "" {
		model = u.model.Name
	}
	tok := &Resolved{TTL: ttl, Created: created, UserModel: model}
	tok.LastUsed, _ = timeValue(t["lastUsed"])
	if len(digest) < sessionIDLength || !hasCreated || !hasTTL || !u.tokenValid(tok, now) {
		return Session{}, false
	}
	s := Session{ID: digest[:sessionIDLength], Created: created, TTL: ttl, Current: digest == current, Scopes: stringList(t["scopes"])}
	s.LastUsed = tok.LastUsed
	s.ClientAddress, _ = t["clientAddress"].(string)
	s.UserAgent, _ = t["userAgent"].(string)
	return s, true
}

// RevokeSession deletes the user's access token whose handle is sid (a Session.ID): 404
// SESSION_NOT_FOUND when the user has no such token.
func (u *Users) RevokeSession(ctx context.Context, userID any, sid string) error {
	notFound := apierr.New(http.StatusNotFound, "SESSION_NOT_FOUND", "Unknown session %q", sid)
	if len(sid) != sessionIDLength {
		return notFound
	}
	tokens, err := u.tokensOf(ctx, userID)
	if err != nil {
		return fmt.Errorf("revoke session: %w", err)
	}
	for _, t := range tokens {
		digest, _ := t["id"].(string)
		if !strings.HasPrefix(digest, sid) {
			continue
		}
		if _, err := u.tokens.DeleteByID(ctx, u.tokenModel, digest); err != nil {
			return fmt.Errorf("revoke session: %w", err)
		}
		return nil
	}
	return notFound
}

// RevokeOtherSessions deletes every access token of the user except currentDigest (the
// caller's) and returns how many it deleted.
func (u *Users) RevokeOtherSessions(ctx context.Context, userID any, currentDigest string) (int64, error) {
	return u.DeleteTokens(ctx, userID, currentDigest)
}

// RevokeAllSessions deletes every access token of the user (an administrator's action) and
// returns how many it deleted.
func (u *Users) RevokeAllSessions(ctx context.Context, userID any) (int64, error) {
	return u.DeleteTokens(ctx, userID, "")
}
