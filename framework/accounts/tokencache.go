package accounts

import (
	"context"
	"sync"
	"time"

	"github.com/loopgo/loopgo/framework/rest"
	"github.com/loopgo/loopgo/framework/store"
)

// tokenCacheMax bounds the number of cached tokens; a full cache is emptied.
const tokenCacheMax = 10000

// tokenCache remembers resolved access tokens for a short time so that an authenticated request
// costs no token query. Any token deletion through this app empties it at once (logout,
// password change, user deletion); a deletion by another app instance on the same database is
// seen within the TTL. The expiry of a token is checked on every use.
type tokenCache struct {
	mu      sync.Mutex
	ttl     time.Duration
	entries map[string]cachedToken
}

type cachedToken struct {
	tok     rest.Token
	created time.Time
	until   time.Time
}

// get returns a cached, still valid token for a digest.
func (c *tokenCache) get(digest string, now time.Time) (*rest.Token, bool) {
	if c.ttl <= 0 {
		return nil, false
	}
	c.mu.Lock()
	e, ok := c.entries[digest]
	c.mu.Unlock()
	if !ok || now.After(e.until) {
		return nil, false
	}
	if e.tok.TTL >= 0 && !now.Before(e.created.Add(time.Duration(e.tok.TTL)*time.Second)) {
		return nil, false // expired: let the store path delete it and answer INVALID_TOKEN
	}
	t := e.tok
	return &t, true
}

func (c *tokenCache) put(digest string, tok rest.Token, created, now time.Time) {
	if c.ttl <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil || len(c.entries) >= tokenCacheMax {
		c.entries = map[string]cachedToken{}
	}
	c.entries[digest] = cachedToken{tok: tok, created: created, until: now.Add(c.ttl)}
}

// clear empties the cache (an "after delete" hook of AccessToken, see TokenCacheClear).
func (c *tokenCache) clear(context.Context, *store.HookContext) error {
	c.mu.Lock()
	c.entries = nil
	c.mu.Unlock()
	return nil
}

// ResolveToken implements rest.TokenResolver with the AccessToken model of the first attached
// user model, through the cache.
func (s *Service) ResolveToken(ctx context.Context, raw string) (*rest.Token, error) {
	digest := Digest(raw)
	now := time.Now()
	if t, ok := s.tokens.get(digest, now); ok {
		return t, nil
	}
	u := s.anyUsers()
	if u == nil {
		return nil, nil
	}
	r, err := u.ResolveToken(ctx, raw)
	if err != nil || r == nil {
		return nil, err
	}
	tok := rest.Token{Digest: r.Digest, UserID: r.UserID, UserModel: r.UserModel, TTL: r.TTL, Scopes: r.Scopes, Created: r.Created}
	s.tokens.put(digest, tok, r.Created, now)
	return &tok, nil
}
