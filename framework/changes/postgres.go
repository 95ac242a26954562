package changes

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/loopgo/loopgo/framework/store"
)

// pgMaxPayload keeps NOTIFY payloads under PostgreSQL's limit (8000 bytes by default).
const pgMaxPayload = 7900

// Postgres carries messages with LISTEN/NOTIFY on one PostgreSQL database: NOTIFY through the
// store's pool, LISTEN on a dedicated connection (pgx), reconnected after failures.
type Postgres struct {
	url     string
	channel string
	st      *store.Store
	log     *slog.Logger

	*outbox   // Send, and the queue NOTIFY drains
	ready     chan struct{}
	readyOnce sync.Once
}

// PostgresChannel returns the channel name instances of one app share on st: derived from the
// database, the schema the store works in and the datasource name, so that apps in other
// schemas of the same database do not hear each other; explicit overrides it.
func PostgresChannel(ctx context.Context, st *store.Store, explicit string) (string, error) {
	if explicit != "" {
		return explicit, nil
	}
	var db, schemaName string
	if err := st.DB(ctx).Raw("SELECT current_database(), current_schema()").Row().Scan(&db, &schemaName); err != nil {
		return "", fmt.Errorf("change streams: read the database and schema: %w", err)
	}
	sum := sha256.Sum256([]byte(db + "\x00" + schemaName + "\x00" + st.Name()))
	return "loopgo_changes_" + hex.EncodeToString(sum[:8]), nil
}

// NewPostgres returns a transport on channel; url is the datasource URL of st (for the LISTEN
// connection).
func NewPostgres(st *store.Store, url, channel string, log *slog.Logger) *Postgres {
	if log == nil {
		log = slog.Default()
	}
	p := &Postgres{url: url, channel: channel, st: st, log: log, ready: make(chan struct{})}
	p.outbox = newOutbox("NOTIFY", channel, log, p.notify)
	return p
}

// Name implements Transport.
func (p *Postgres) Name() string { return "postgres" }

// MaxPayload implements Transport.
func (p *Postgres) MaxPayload() int { return pgMaxPayload }

// Ready implements Transport.
func (p *Postgres) Ready() <-chan struct{} { return p.ready }

// notify sends one message with pg_notify.
func (p *Postgres) notify(msg []byte) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := p.st.DB(ctx).Exec("SELECT pg_notify(?, ?)", p.channel, string(msg)).Error; err != nil {
		p.log.Warn("change stream: NOTIFY failed; message to other instances lost", "channel", p.channel, "err", err)
	}
}

// Run implements Transport: LISTEN on a dedicated connection, reconnecting with backoff.
func (p *Postgres) Run(ctx context.Context, receive func(payload []byte)) {
	for attempt := 0; ctx.Err() == nil; attempt++ {
		err := p.listen(ctx, receive, func() { attempt = 0 })
		if ctx.Err() != nil {
			return
		}
		wait := backoff(attempt)
		p.log.Warn("change stream: LISTEN connection lost; reconnecting (changes of other instances meanwhile are missed)",
			"channel", p.channel, "err", err, "retry_in", wait.String())
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
	}
}

// listen runs one LISTEN connection until it fails or ctx ends.
func (p *Postgres) listen(ctx context.Context, receive func([]byte), connected func()) error {
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	conn, err := pgx.Connect(cctx, p.url)
	cancel()
	if err != nil {
		return err
	}
	defer func() {
		c, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = conn.Close(c)
	}()
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{p.channel}.Sanitize()); err != nil {
		return err
	}
	connected()
	p.readyOnce.Do(func() { close(p.ready) })
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		receive([]byte(n.Payload))
	}
}

// Close implements Transport: it stops accepting messages and sends what is queued (for up to
// a few seconds).
func (p *Postgres) Close() { p.outbox.close() }
