package framework_test

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/labstack/echo/v4"
)

// changeStreamPage subscribes with the browser's own EventSource to the notes' change stream
// and writes every event's data into #events.
const changeStreamPage = `<!doctype html><title>waiting</title><pre id="events"></pre><script>
const es = new EventSource('/api/notes/change-stream?_format=event-stream');
es.onopen = () => { document.title = 'open'; };
es.addEventListener('data', e => { document.getElementById('events').textContent += e.data + '\n'; });
</script>`

// TestChangeStreamInBrowser opens a page in headless Chromium whose EventSource subscribes to
// GET /api/notes/change-stream, creates a note over REST, and waits for the page to show it.
func TestChangeStreamInBrowser(t *testing.T) {
	bin := chromiumPath()
	if bin == "" {
		t.Skip("SKIPPED: no chromium at /usr/bin/chromium or $CHROMIUM (apt-get install chromium; .ci/run installs it): change streams were not tried in a browser")
	}
	a, toks := readyApp(t)
	a.app.Echo().GET("/stream-page", func(c echo.Context) error { return c.HTML(200, changeStreamPage) })
	srv := httptest.NewServer(a.app.Handler())
	defer srv.Close()

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(bin),
		chromedp.NoSandbox, chromedp.DisableGPU, chromedp.Flag("proxy-server", "127.0.0.1:9"))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancel = context.WithTimeout(ctx, 60*time.Second)
	defer cancel()

	// poll evaluates js in the page until it is true or the deadline passes
	poll := func(js string, d time.Duration) bool {
		deadline := time.Now().Add(d)
		for time.Now().Before(deadline) {
			if ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](js)); err == nil && ok {
				return true
			}
			time.Sleep(100 * time.Millisecond)
		}
		return false
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/stream-page")); err != nil {
		t.Fatalf("load the page: %v", err)
	}
	if !poll(`document.title === 'open'`, 20*time.Second) {
		t.Fatal("the page's EventSource did not open")
	}
	if r := a.do("POST", "/api/notes", map[string]any{"title": "seen by the browser", "rating": 5}, "Authorization", toks["owner"]); r.Status != 200 {
		t.Fatalf("create: %d %s", r.Status, r.Raw)
	}
	if !poll(`document.getElementById('events').textContent.includes('seen by the browser')`, 20*time.Second) {
		t.Fatal("the page did not show the new note")
	}
	text, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById('events').textContent`))
	if err != nil || !strings.Contains(text, `"type":"create"`) {
		t.Fatalf("the event shown is not a create: %q %v", text, err)
	}
	if png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil {
		_ = os.WriteFile(filepath.Join(t.TempDir(), "change-stream.png"), png, 0o644)
	}
}
