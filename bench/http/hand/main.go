// Command hand is the hand-written Echo+GORM server that `make bench-http` compares with the
// ready app: the same answers for the benchmark's three requests, written as a careful engineer
// would write them by hand (prepared statements, selected columns, a tuned pool, WAL), without
// Loopgo's generality (no filter language, no ACL engine, no hooks, no request log).
package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// note is a Note row as the ready app answers it.
type note struct {
	ID        int64    `gorm:"column:id" json:"id"`
	Title     string   `gorm:"column:title" json:"title"`
	Body      *string  `gorm:"column:body" json:"body,omitempty"`
	Published *bool    `gorm:"column:published" json:"published"`
	Rating    *float64 `gorm:"column:rating" json:"rating,omitempty"`
	OwnerID   *float64 `gorm:"column:ownerId" json:"ownerId,omitempty"`
}

// user is a User row without its hidden columns.
type user struct {
	ID            int64   `gorm:"column:id" json:"id"`
	Realm         *string `gorm:"column:realm" json:"realm"`
	Username      *string `gorm:"column:username" json:"username"`
	Email         string  `gorm:"column:email" json:"email"`
	EmailVerified *bool   `gorm:"column:emailVerified" json:"emailVerified"`
	Disabled      *bool   `gorm:"column:disabled" json:"disabled"`
	MFAEnabled    *bool   `gorm:"column:mfaEnabled" json:"mfaEnabled"`
}

// token is the part of an AccessToken row the owner check needs.
type token struct {
	TTL      float64    `gorm:"column:ttl"`
	Created  time.Time  `gorm:"column:created"`
	UserID   float64    `gorm:"column:userId"`
	LastUsed *time.Time `gorm:"column:lastUsed"`
}

// listFilter is the part of a LoopBack filter the list handler understands.
type listFilter struct {
	Where struct {
		Rating struct {
			Gte *float64 `json:"gte"`
		} `json:"rating"`
	} `json:"where"`
	Order string `json:"order"`
	Limit int    `json:"limit"`
}

var noteColumns = []string{"id", "title", "body", "published", "rating", "ownerId"}

func main() {
	dbPath := flag.String("db", "data/app.db", "the ready app's SQLite database")
	addr := flag.String("addr", "127.0.0.1:3001", "listen address")
	flag.Parse()
	if err := run(*dbPath, *addr); err != nil {
		log.Fatal(err)
	}
}

func run(dbPath, addr string) error {
	db, err := gorm.Open(sqlite.Open(dbPath+"?_journal_mode=WAL&_synchronous=NORMAL&_busy_timeout=10000&_foreign_keys=on"),
		&gorm.Config{PrepareStmt: true, SkipDefaultTransaction: true, Logger: logger.Discard})
	if err != nil {
		return err
	}
	pool, err := db.DB()
	if err != nil {
		return err
	}
	conns := 4 * runtime.GOMAXPROCS(0)
	pool.SetMaxOpenConns(conns)
	pool.SetMaxIdleConns(conns)
	pool.SetConnMaxIdleTime(5 * time.Minute)

	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.Use(middleware.Recover())
	e.GET("/health", func(c echo.Context) error { return c.JSON(http.StatusOK, map[string]string{"status": "ok"}) })
	e.GET("/api/notes/:id", func(c echo.Context) error {
		id, err := strconv.ParseInt(c.Param("id"), 10, 64)
		if err != nil {
			return echo.NewHTTPError(http.StatusNotFound)
		}
		var n note
		if err := db.WithContext(c.Request().Context()).Table("Note").Select(noteColumns).Where("id = ?", id).Take(&n).Error; err != nil {
			return dbError(err)
		}
		return c.JSON(http.StatusOK, &n)
	})
	e.GET("/api/notes", func(c echo.Context) error {
		var f listFilter
		if raw := c.QueryParam("filter"); raw != "" {
			if err := json.Unmarshal([]byte(raw), &f); err != nil {
				return echo.NewHTTPError(http.StatusBadRequest, "bad filter")
			}
		}
		order := map[string]string{"": "id ASC", "id DESC": "id DESC"}[f.Order]
		if order == "" || f.Limit < 0 || f.Limit > 1000 {
			return echo.NewHTTPError(http.StatusBadRequest, "unsupported filter")
		}
		q := db.WithContext(c.Request().Context()).Table("Note").Select(noteColumns).Order(order)
		if f.Where.Rating.Gte != nil {
			q = q.Where("rating >= ?", *f.Where.Rating.Gte)
		}
		if f.Limit > 0 {
			q = q.Limit(f.Limit)
		}
		notes := make([]note, 0, max(f.Limit, 8))
		if err := q.Find(&notes).Error; err != nil {
			return dbError(err)
		}
		return c.JSON(http.StatusOK, notes)
	})
	e.GET("/api/users/:id", func(c echo.Context) error {
		id, err := strconv.ParseInt(c.Param("id"), 10, 64)
		if err != nil {
			return echo.NewHTTPError(http.StatusNotFound)
		}
		ctx := c.Request().Context()
		raw := strings.TrimPrefix(c.Request().Header.Get("Authorization"), "Bearer ")
		if raw == "" {
			return echo.NewHTTPError(http.StatusUnauthorized)
		}
		sum := sha256.Sum256([]byte(raw))
		var t token
		err = db.WithContext(ctx).Table("AccessToken").Select("ttl", "created", "userId", "lastUsed").
			Where("id = ?", hex.EncodeToString(sum[:])).Take(&t).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return echo.NewHTTPError(http.StatusUnauthorized)
		}
		if err != nil {
			return dbError(err)
		}
		now := time.Now()
		if now.After(t.Created.Add(time.Duration(t.TTL) * time.Second)) {
			return echo.NewHTTPError(http.StatusUnauthorized)
		}
		if t.LastUsed != nil && now.Sub(*t.LastUsed) > 7*24*time.Hour {
			return echo.NewHTTPError(http.StatusUnauthorized)
		}
		if int64(t.UserID) != id {
			return echo.NewHTTPError(http.StatusUnauthorized)
		}
		var u user
		if err := db.WithContext(ctx).Table("User").
			Select("id", "realm", "username", "email", "emailVerified", "disabled", "mfaEnabled").
			Where("id = ?", id).Take(&u).Error; err != nil {
			return dbError(err)
		}
		c.Response().Header().Set("Cache-Control", "no-store")
		return c.JSON(http.StatusOK, &u)
	})

	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: e, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 60 * time.Second, IdleTimeout: 120 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// dbError maps a GORM error to the answer.
func dbError(err error) error {
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return echo.NewHTTPError(http.StatusNotFound)
	}
	return echo.NewHTTPError(http.StatusInternalServerError).SetInternal(err)
}
