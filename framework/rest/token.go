package rest

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"
)

const tokenParam = "access_token"

// resolveToken finds the raw token id where LoopBack looks (body, query, X-Access-Token,
// Authorization) and resolves it; an unknown id means anonymous.
func (s *Server) resolveToken(ctx context.Context, ec echo.Context) (*Token, error) {
	if s.opts.Tokens == nil {
		return nil, nil
	}
	if t, ok := ec.Get(tokenKey).(*Token); ok {
		return t, nil
	}
	raw := s.tokenID(ec)
	if raw == "" {
		return nil, nil
	}
	tok, err := s.opts.Tokens.ResolveToken(ctx, raw)
	if err != nil {
		return nil, err
	}
	if tok != nil {
		tok.Raw = raw
		ec.Set(tokenKey, tok)
	}
	return tok, nil
}

const tokenKey = "loopgo.token"

// TokenFromRequest returns the token resolved for ec, resolving it when no REST route did yet
// (boot functions' own routes use it).
func (s *Server) TokenFromRequest(ec echo.Context) (*Token, error) {
	return s.resolveToken(ec.Request().Context(), ec)
}

// tokenID returns the first token id found, in LoopBack's order.
func (s *Server) tokenID(ec echo.Context) string {
	if body, err := s.body(ec); err == nil {
		if m, ok := body.(map[string]any); ok {
			if v, ok := m[tokenParam].(string); ok {
				// a credential, never data: a non-strict model would otherwise store it as a
				// property and list it to anyone who may read the model
				delete(m, tokenParam)
				if v != "" {
					return v
				}
			}
		}
	}
	if v := ec.QueryParam(tokenParam); v != "" {
		return v
	}
	h := ec.Request().Header
	if v := h.Get("X-Access-Token"); v != "" {
		return v
	}
	if v := h.Get("Authorization"); v != "" {
		return parseAuthorization(v)
	}
	if s.opts.CookieSecret != "" {
		for _, name := range []string{tokenParam, "authorization"} {
			if c, err := ec.Cookie(name); err == nil {
				if v, ok := unsignCookie(c.Value, s.opts.CookieSecret); ok && v != "" {
					return v
				}
			}
		}
	}
	return ""
}

// SignCookie signs a cookie value as Express's cookie-signature does ("s:" + value + "." +
// base64(HMAC-SHA256)), the form LoopBack reads signed token cookies in.
func SignCookie(value, secret string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(value))
	return "s:" + value + "." + strings.TrimRight(base64.StdEncoding.EncodeToString(mac.Sum(nil)), "=")
}

// unsignCookie verifies a signed cookie value and returns the value without its signature.
func unsignCookie(raw, secret string) (string, bool) {
	if dec, err := url.QueryUnescape(raw); err == nil {
		raw = dec
	}
	if !strings.HasPrefix(raw, "s:") {
		return "", false
	}
	i := strings.LastIndexByte(raw, '.')
	if i < 2 {
		return "", false
	}
	value := raw[2:i]
	if !hmac.Equal([]byte(SignCookie(value, secret)), []byte(raw)) {
		return "", false
	}
	return value, true
}

// parseAuthorization reads a token id from an Authorization header value: the raw id,
// "Bearer <id>", "Bearer <base64(id)>", or "Basic <base64>" (the longer part of "a:b").
func parseAuthorization(v string) string {
	if rest, ok := strings.CutPrefix(v, "Bearer "); ok {
		rest = strings.TrimSpace(rest)
		if isTokenShaped(rest) {
			return rest
		}
		if dec, err := base64.StdEncoding.DecodeString(rest); err == nil && len(dec) > 0 {
			return string(dec)
		}
		if dec, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(rest, "=")); err == nil && len(dec) > 0 {
			return string(dec)
		}
		return rest
	}
	if len(v) > 6 && strings.EqualFold(v[:6], "basic ") {
		dec, err := base64.StdEncoding.DecodeString(strings.TrimSpace(v[6:]))
		if err != nil {
			return ""
		}
		s := string(dec)
		if a, b, ok := strings.Cut(s, ":"); ok {
			if len(a) >= len(b) {
				return a
			}
			return b
		}
		return s
	}
	return v
}

// isTokenShaped reports whether s looks like a Loopgo token id: 64 characters of A-Za-z0-9.
func isTokenShaped(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}
