package framework_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// chromiumPath finds Debian's chromium (CHROMIUM overrides); "" when there is none.
func chromiumPath() string {
	if p := os.Getenv("CHROMIUM"); p != "" {
		if _, err := os.Stat(p); err != nil {
			return ""
		}
		return p
	}
	for _, p := range []string{"/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	return ""
}

// TestExplorerInBrowser loads /explorer in headless Chromium, finds the Note model's
// operations, sets an access token through the Authorize dialog and executes POST
// /notes/{id}/publish, which only the note's owner may call; the page must load nothing from
// outside the app. The screenshot stays in the test's temporary folder.
func TestExplorerInBrowser(t *testing.T) {
	bin := chromiumPath()
	if bin == "" {
		t.Skip("SKIPPED: no chromium at /usr/bin/chromium or $CHROMIUM (apt-get install chromium; .ci/run installs it): the explorer was not tried in a browser")
	}
	a, toks := readyApp(t)
	srv := httptest.NewServer(a.app.Handler())
	defer srv.Close()

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(bin),
		chromedp.NoSandbox, chromedp.DisableGPU, chromedp.WindowSize(1280, 2000),
		// every address but the loopback one goes to a proxy that is not there: nothing leaves
		chromedp.Flag("proxy-server", "127.0.0.1:9"))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	// each step has its own deadline (within), so a failed step still leaves time to look at
	// the page
	within := func(d time.Duration) context.Context {
		c, cancel := context.WithTimeout(ctx, d)
		t.Cleanup(cancel)
		return c
	}

	var mu sync.Mutex
	var requested []string
	if err := chromedp.Listen(ctx, func(ev any) {
		if e, ok := ev.(*network.EventRequestWillBeSent); ok {
			mu.Lock()
			requested = append(requested, e.Request.URL)
			mu.Unlock()
		}
	}); err != nil {
		t.Fatal(err)
	}

	shot := filepath.Join(t.TempDir(), "explorer.png")
	// Swagger UI writes the dots of an operationId escaped in the element's id
	op := `[id="operations-Note-Note\\.prototype\\.publish"]`
	var tags, opText, status, body string
	step := func(what string, err error) {
		t.Helper()
		if err == nil {
			return
		}
		if ids, err := chromedp.Run(within(5*time.Second), chromedp.Evaluate[string](`Array.from(document.querySelectorAll('[id^=operations]')).map(e => e.id).join(' ')`)); err == nil {
			t.Logf("operations on the page: %s", ids)
		}
		if png, serr := chromedp.Run(within(10*time.Second), chromedp.FullScreenshot(100)); serr == nil {
			_ = os.WriteFile(shot, png, 0o644)
			t.Logf("screenshot: %s", shot)
		}
		t.Fatalf("browser: %s: %v", what, err)
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(within(10*time.Second), chromedp.Text(chromedp.CSS(sel)))
		step("read "+sel, err)
		return s
	}
	step("load the explorer", chromedp.Do(within(20*time.Second),
		chromedp.Navigate(srv.URL+"/explorer"),
		chromedp.WaitVisible(chromedp.CSS(`#operations-tag-Note`))))
	tags = text(`#swagger-ui .information-container`) + text(`#operations-tag-Note`) + text(`#operations-tag-User`)
	// the Note model's operations
	step("open the Note section", chromedp.Do(within(20*time.Second), chromedp.WaitVisible(chromedp.CSS(op))))
	opText = text(op + ` .opblock-summary`)
	// the token, through the Authorize dialog
	step("open Authorize", chromedp.Do(within(20*time.Second),
		chromedp.Click(chromedp.CSS(`.auth-wrapper .btn.authorize`)),
		chromedp.WaitVisible(chromedp.CSS(`.modal-ux`))))
	found, err := chromedp.Run(within(5*time.Second), chromedp.Evaluate[bool](`(() => {
		for (const c of document.querySelectorAll('.modal-ux .auth-container')) {
			if (c.textContent.includes('AccessTokenHeader')) {
				c.querySelector('input').setAttribute('data-loopgo', 'token');
				c.querySelector('button.authorize').setAttribute('data-loopgo', 'authorize');
				return true;
			}
		}
		return false;
	})()`))
	step("find the X-Access-Token field", err)
	if !found {
		step("find the X-Access-Token field", fmt.Errorf("no AccessTokenHeader form in the Authorize dialog"))
	}
	step("set the token", chromedp.Do(within(20*time.Second),
		chromedp.SendKeys(chromedp.CSS(`[data-loopgo=token]`), toks["owner"]),
		chromedp.Click(chromedp.CSS(`[data-loopgo=authorize]`)),
		chromedp.Click(chromedp.CSS(`.modal-ux button.close-modal`)),
		chromedp.WaitNotPresent(chromedp.CSS(`.modal-ux`))))
	// execute POST /notes/{id}/publish for note 1 (the owner's)
	step("execute publish", chromedp.Do(within(20*time.Second),
		chromedp.Click(chromedp.CSS(op+` .opblock-summary-control`)),
		chromedp.WaitVisible(chromedp.CSS(op+` input[placeholder="id"]`)),
		chromedp.SendKeys(chromedp.CSS(op+` input[placeholder="id"]`), "1"),
		chromedp.Click(chromedp.CSS(op+` .btn.execute`)),
		chromedp.WaitVisible(chromedp.CSS(op+` .live-responses-table tbody .response-col_status`))))
	status = text(op + ` .live-responses-table tbody .response-col_status`)
	body = text(op + ` .live-responses-table tbody .response-col_description`)
	png, err := chromedp.Run(within(10*time.Second), chromedp.FullScreenshot(100))
	step("screenshot", err)
	if err := os.WriteFile(shot, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", shot)
	// and the executed call alone
	opPNG, err := chromedp.Run(within(10*time.Second), chromedp.Screenshot(chromedp.CSS(op)))
	step("screenshot of the call", err)
	if err := os.WriteFile(filepath.Join(filepath.Dir(shot), "publish.png"), opPNG, 0o644); err != nil {
		t.Fatal(err)
	}
	if dst := os.Getenv("LOOPGO_EXPLORER_SCREENSHOT"); dst != "" {
		_ = os.WriteFile(dst, png, 0o644)
		_ = os.WriteFile(strings.TrimSuffix(dst, ".png")+"-publish.png", opPNG, 0o644)
	}
	if !strings.Contains(tags, "Note") || !strings.Contains(tags, "User") {
		t.Errorf("model sections: %q", tags)
	}
	if !strings.Contains(opText, "/notes/{id}/publish") {
		t.Errorf("publish operation: %q", opText)
	}
	if !strings.HasPrefix(strings.TrimSpace(status), "200") || !strings.Contains(body, `"published": true`) {
		t.Fatalf("publish through the explorer: %q %q", status, body)
	}
	if r := a.do("GET", "/api/notes/1", nil); r.obj()["published"] != true {
		t.Fatalf("note 1 after the explorer's call: %s", r.Raw)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, u := range requested {
		if !strings.HasPrefix(u, srv.URL+"/") && !strings.HasPrefix(u, "data:") {
			t.Errorf("the explorer requested %s, outside the app", u)
		}
	}
	if len(requested) < 4 {
		t.Errorf("requests seen: %v", requested)
	}
}
