package framework

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"sync"
	"time"
)

// logFlushEvery is how long a logged line may wait in NewLogger's buffer.
const logFlushEvery = 200 * time.Millisecond

// bufferedLog batches log lines on their way to w: one write per batch instead of one per line.
type bufferedLog struct {
	mu   sync.Mutex
	w    *bufio.Writer
	stop chan struct{}
	done chan struct{}
	once sync.Once
}

// Write buffers p.
func (b *bufferedLog) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.w.Write(p)
}

// flush writes out what is buffered.
func (b *bufferedLog) flush() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.w.Flush()
}

// Close stops the periodic flush and writes out what is buffered.
func (b *bufferedLog) Close() error {
	b.once.Do(func() {
		close(b.stop)
		<-b.done
	})
	return b.flush()
}

// flushingHandler flushes the buffer after every record at or above a level.
type flushingHandler struct {
	slog.Handler
	buf   *bufferedLog
	level slog.Level
}

// Handle writes r, and writes the buffer out when r is a warning or an error.
func (h flushingHandler) Handle(ctx context.Context, r slog.Record) error {
	err := h.Handler.Handle(ctx, r)
	if r.Level >= h.level {
		_ = h.buf.flush()
	}
	return err
}

// WithAttrs keeps the flushing behaviour.
func (h flushingHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return flushingHandler{Handler: h.Handler.WithAttrs(attrs), buf: h.buf, level: h.level}
}

// WithGroup keeps the flushing behaviour.
func (h flushingHandler) WithGroup(name string) slog.Handler {
	return flushingHandler{Handler: h.Handler.WithGroup(name), buf: h.buf, level: h.level}
}

// NewLogger returns a text logger on w (records at level and above) whose lines are written in
// batches, at most 200 ms late, at once for warnings and errors, and on Close: one request line
// costs a buffer copy instead of a system call. Close it when the app has stopped.
func NewLogger(w io.Writer, level slog.Leveler) (*slog.Logger, io.Closer) {
	b := &bufferedLog{w: bufio.NewWriterSize(w, 64<<10), stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(b.done)
		t := time.NewTicker(logFlushEvery)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				_ = b.flush()
			case <-b.stop:
				return
			}
		}
	}()
	h := flushingHandler{Handler: slog.NewTextHandler(b, &slog.HandlerOptions{Level: level}), buf: b, level: slog.LevelWarn}
	return slog.New(h), b
}
