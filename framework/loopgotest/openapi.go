package loopgotest

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/loopgo/loopgo/framework"
	"github.com/loopgo/loopgo/framework/openapi/openapitest"
)

// CheckOpenAPI fails the test unless the app's OpenAPI document ({restApiRoot}/openapi.json)
// is valid OpenAPI 3.1 for a real validator (libopenapi): parsed, every reference resolved,
// every schema valid.
func CheckOpenAPI(tb testing.TB, app *framework.App) {
	tb.Helper()
	doc, err := app.OpenAPI().JSON()
	if err != nil {
		tb.Fatalf("OpenAPI document: %v", err)
	}
	if err := openapitest.Validate(doc); err != nil {
		tb.Fatalf("the app's OpenAPI document is not valid: %v", err)
	}
}

// exchangeCheck checks exchanges against one app's document.
type exchangeCheck struct {
	c *openapitest.Checker
}

// newExchangeCheck validates the app's document and returns a checker of exchanges with it.
func newExchangeCheck(app *framework.App) (*exchangeCheck, error) {
	doc, err := app.OpenAPI().JSON()
	if err != nil {
		return nil, err
	}
	if err := openapitest.Validate(doc); err != nil {
		return nil, err
	}
	c, err := openapitest.NewChecker(doc)
	if err != nil {
		return nil, err
	}
	return &exchangeCheck{c: c}, nil
}

// checkExchange reports to tb where an answer (and the request of a 2xx answer) disagrees with
// the app's document, when CheckExchanges is on. Paths the document does not describe (boot
// routes) are not checked, nor requests with a filter in the bracket form, which the document
// describes in its JSON form.
func (a *App) checkExchange(tb testing.TB, ex *exchange) {
	if a.oas == nil {
		return
	}
	tb.Helper()
	a.oas.check(tb, ex)
}

// check reports to tb where the exchange disagrees with the document.
func (oc *exchangeCheck) check(tb testing.TB, ex *exchange) {
	tb.Helper()
	checked, err := oc.c.CheckResponse(ex.req, ex.Status, ex.Header, ex.Body)
	if err != nil {
		tb.Errorf("OpenAPI document and server disagree: %v", err)
	}
	q := ex.req.URL.RawQuery
	if checked && ex.Status < 300 && !strings.Contains(q, "filter[") && !strings.Contains(q, "where[") &&
		!strings.Contains(q, "filter%5B") && !strings.Contains(q, "where%5B") {
		if _, err := oc.c.CheckRequest(ex.req, ex.sent); err != nil {
			tb.Errorf("OpenAPI document refuses a request the server served: %v", err)
		}
	}
}

// Client returns an HTTP client for the app's server (URL) whose every exchange is checked
// against the app's OpenAPI document, as CheckExchanges does for Do: for a generated client,
// whose requests the document must accept and whose answers it must describe. Disagreements are
// reported to tb with Errorf.
func (a *App) Client(tb testing.TB) *http.Client {
	c, err := newExchangeCheck(a.App)
	if err != nil {
		tb.Fatalf("loopgotest: OpenAPI document: %v", err)
	}
	return &http.Client{Transport: checkingTransport{tb: tb, c: c, next: http.DefaultTransport}}
}

// checkingTransport sends requests with next and checks each exchange.
type checkingTransport struct {
	tb   testing.TB
	c    *exchangeCheck
	next http.RoundTripper
}

func (ct checkingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	var sent []byte
	if req.Body != nil {
		var err error
		if sent, err = io.ReadAll(req.Body); err != nil {
			return nil, err
		}
		req.Body.Close()
		req.Body = io.NopCloser(bytes.NewReader(sent))
	}
	resp, err := ct.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	raw, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(raw))
	ct.c.check(ct.tb, &exchange{req: req, sent: sent, Response: &Response{Status: resp.StatusCode, Header: resp.Header, Body: raw}})
	return resp, nil
}
