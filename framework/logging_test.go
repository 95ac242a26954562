package framework_test

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/loopgo/loopgo/framework"
)

// syncBuffer is a buffer safe for a writer and a reader at once.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestNewLoggerBatchesLines(t *testing.T) {
	var out syncBuffer
	log, closer := framework.NewLogger(&out, slog.LevelInfo)
	var wg sync.WaitGroup
	for i := range 30 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			log.Info("request", "n", i)
		}()
	}
	wg.Wait()
	// info lines arrive within the flush interval (generous bound: shared machines)
	deadline := time.Now().Add(10 * time.Second)
	for strings.Count(out.String(), "msg=request") < 30 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := strings.Count(out.String(), "msg=request"); n != 30 {
		t.Fatalf("%d of 30 info lines written", n)
	}
	log.Warn("something is wrong")
	if !strings.Contains(out.String(), "level=WARN msg=\"something is wrong\"") {
		t.Fatalf("a warning was not written at once:\n%s", out.String())
	}
	log.With("k", "v").Error("failed")
	if !strings.Contains(out.String(), "level=ERROR msg=failed k=v") {
		t.Fatalf("an error of a derived logger was not written at once:\n%s", out.String())
	}
	log.Info("last")
	if err := closer.Close(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "msg=last") {
		t.Fatal("Close did not write out the buffer")
	}
}
