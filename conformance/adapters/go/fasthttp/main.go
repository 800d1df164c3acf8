// Adapter: github.com/valyala/fasthttp's Client (Debian
// golang-github-valyala-fasthttp-dev), a fresh fasthttp.Client per spec with
// its defaults (normalized header names, 5 attempts for idempotent requests,
// 3 s dial timeout, default User-Agent "fasthttp"); `then` reuses its pool.
// Do does not follow redirects; DoRedirects follows them (16 by default, as
// fasthttp's Get). The spec's timeout bounds each response read (ReadTimeout)
// and request write (WriteTimeout). No `proxy` capability: fasthttp cannot
// send a request in absolute-form to a forward proxy; its only HTTP proxy
// support (fasthttpproxy's dialer) tunnels every request with CONNECT.
package main

import (
	"errors"
	"os"
	"runtime"
	"strconv"
	"time"

	"github.com/valyala/fasthttp"
	ga "httpref.invalid/adapters/goadapter"
)

// libVersion is set by the build from the Debian package (fasthttp has no version constant).
var libVersion = "unknown"

// maxBody bounds one body read (the runner's output cap is 160 MiB of JSON);
// fasthttp's own default, MaxResponseBodySize 0, is no limit.
const maxBody = 100 << 20

// defaultMaxRedirects is fasthttp's defaultMaxRedirectsCount (what Get follows).
const defaultMaxRedirects = 16

type client struct {
	c *fasthttp.Client
}

func newClient() ga.Client { return &client{} }

func (c *client) Close() {
	if c.c != nil {
		c.c.CloseIdleConnections()
	}
}

// get makes the spec's client on first use: its timeouts are fields of the
// Client, so a `then` sequence keeps those of its first spec.
func (c *client) get(r *ga.Request) *fasthttp.Client {
	if c.c == nil {
		t := time.Duration(r.Timeout() * float64(time.Second))
		c.c = &fasthttp.Client{ReadTimeout: t, WriteTimeout: t, MaxResponseBodySize: maxBody}
	}
	return c.c
}

func (c *client) Do(r *ga.Request) (*ga.Response, error) {
	if r.Proxy != "" {
		return nil, ga.Errorf("unsupported", "adapter: fasthttp has no forward-proxy (absolute-form) support")
	}
	fc := c.get(r)
	req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
	defer fasthttp.ReleaseRequest(req)
	defer fasthttp.ReleaseResponse(resp)
	req.SetRequestURI(r.URL)
	req.Header.SetMethod(r.Method)
	for _, h := range r.Headers {
		req.Header.Add(h[0], h[1])
	}
	if r.Body != nil {
		req.SetBody(r.Body)
	}
	var err error
	follow := r.Redirect != nil && *r.Redirect || r.Redirect == nil && r.MaxRedirects != nil
	if follow {
		n := defaultMaxRedirects
		if r.MaxRedirects != nil {
			n = *r.MaxRedirects
		}
		err = fc.DoRedirects(req, resp, n)
	} else {
		err = fc.Do(req, resp)
	}
	if err != nil {
		return nil, err
	}
	var headers [][2]string
	resp.Header.VisitAll(func(k, v []byte) { headers = append(headers, [2]string{ga.Latin1(k), ga.Latin1(v)}) })
	version := "HTTP/1.0"
	if resp.Header.IsHTTP11() {
		version = "HTTP/1.1"
	}
	// fasthttp 1.31 keeps no received reason phrase (its Header() writes its own table's): none reported
	return &ga.Response{Status: resp.StatusCode(), Version: version, Headers: headers,
		Body: append([]byte(nil), resp.Body()...)}, nil
}

func classify(err error) string {
	switch {
	case errors.Is(err, fasthttp.ErrTooManyRedirects):
		return "too_many_redirects"
	case errors.Is(err, fasthttp.ErrTimeout), errors.Is(err, fasthttp.ErrDialTimeout):
		return "timeout"
	case errors.Is(err, fasthttp.ErrConnectionClosed):
		return "closed"
	case errors.Is(err, fasthttp.ErrBodyTooLarge):
		return "limit"
	case errors.Is(err, fasthttp.ErrMissingLocation):
		return "protocol"
	}
	var num *strconv.NumError
	if errors.As(err, &num) { // its dialer parses the URL's port: not a number, nothing sent
		return "invalid_request"
	}
	// fasthttp wraps with %s, not %w: what it wrapped survives only as text
	text := err.Error()
	has := func(words ...string) bool { return ga.ContainsAny(text, words...) }
	switch {
	case has("unsupported protocol", "redirect to a different protocol"):
		return "redirect_refused" // the first URL is http: the scheme came from a Location
	case has("timeout", "timed out"):
		return "timeout"
	case has("connection reset", "broken pipe", "unexpected EOF"):
		return "closed"
	case has("small read buffer"):
		return "limit"
	case has("cannot find whitespace", "status code", "invalid header", "Content-Length", "chunk",
		"error when reading response headers", "unexpected char", "cannot parse"):
		return "protocol"
	}
	return ""
}

func main() {
	os.Exit(ga.Main(ga.Adapter{
		Name:    "go-fasthttp",
		Version: libVersion + " (" + runtime.Version() + ")",
		Capabilities: []string{"simple-form", "generic-form", "redirect-control", "max-redirects",
			"request-body", "timeouts", "sequence", "custom-headers", "head"},
		NewClient: newClient,
		Classify:  classify,
	}))
}
