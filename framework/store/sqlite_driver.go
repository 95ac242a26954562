package store

import (
	"database/sql"
	"fmt"
	"regexp"
	"strconv"
	"sync"

	"github.com/mattn/go-sqlite3"
)

// sqliteDriverName is the database/sql driver registered with the REGEXP function.
const sqliteDriverName = "loopgo_sqlite3"

var registerSQLiteOnce sync.Once

// registerSQLiteDriver registers go-sqlite3 under sqliteDriverName with a connect hook adding
// regexp(pattern, value), which SQLite calls for `value REGEXP pattern`.
func registerSQLiteDriver() {
	registerSQLiteOnce.Do(func() {
		sql.Register(sqliteDriverName, &sqlite3.SQLiteDriver{
			ConnectHook: func(c *sqlite3.SQLiteConn) error {
				if err := c.RegisterFunc("regexp", sqliteRegexp, true); err != nil {
					return fmt.Errorf("register sqlite regexp function: %w", err)
				}
				return nil
			},
		})
	})
}

// sqliteRegexp implements SQLite's regexp(pattern, value) with Go's regexp; NULL never matches.
func sqliteRegexp(pattern, value any) (bool, error) {
	p, ok := pattern.(string)
	if !ok {
		if b, isBytes := pattern.([]byte); isBytes {
			p = string(b)
		} else {
			return false, nil
		}
	}
	var s string
	switch v := value.(type) {
	case nil:
		return false, nil
	case string:
		s = v
	case []byte:
		s = string(v)
	case int64:
		s = strconv.FormatInt(v, 10)
	case float64:
		s = strconv.FormatFloat(v, 'g', -1, 64)
	default:
		s = fmt.Sprint(v)
	}
	re, err := compileCached(p)
	if err != nil {
		return false, err
	}
	return re.MatchString(s), nil
}

// regexpCacheSize bounds the compiled pattern cache; it is emptied when full.
const regexpCacheSize = 256

var regexpCache = struct {
	sync.Mutex
	m map[string]*regexp.Regexp
}{m: map[string]*regexp.Regexp{}}

// compileCached compiles a pattern once and keeps it for later rows and queries.
func compileCached(p string) (*regexp.Regexp, error) {
	regexpCache.Lock()
	defer regexpCache.Unlock()
	if re, ok := regexpCache.m[p]; ok {
		return re, nil
	}
	re, err := regexp.Compile(p)
	if err != nil {
		return nil, fmt.Errorf("invalid regular expression: %w", err)
	}
	if len(regexpCache.m) >= regexpCacheSize {
		regexpCache.m = map[string]*regexp.Regexp{}
	}
	regexpCache.m[p] = re
	return re, nil
}
