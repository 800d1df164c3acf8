// Adapter: Go's net/http client (standard library, golang-go). Each spec gets
// a fresh http.Client on a fresh Transport cloned from DefaultTransport (its
// HTTP/1.1 defaults: dial and keep-alive timeouts, 1 s Expect-continue wait,
// transparent gzip), with HTTP/2 off and no proxy from the environment; `then`
// reuses that Transport's pool. Client.Timeout bounds each whole exchange.
package main

import (
	"bytes"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"

	ga "httpref.invalid/adapters/goadapter"
)

// maxBody bounds what the adapter reads of one body (the runner's output cap
// is 160 MiB of JSON); net/http itself has no limit.
const maxBody = 100 << 20

type client struct {
	t *http.Transport
}

func newClient() ga.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.Proxy = nil
	t.ForceAttemptHTTP2 = false
	t.TLSNextProto = map[string]func(string, *tls.Conn) http.RoundTripper{}
	return &client{t}
}

func (c *client) Close() { c.t.CloseIdleConnections() }

func (c *client) Do(r *ga.Request) (*ga.Response, error) {
	c.t.Proxy = nil
	if r.Proxy != "" {
		u, err := url.Parse(r.Proxy)
		if err != nil {
			return nil, &ga.Classified{Class: "invalid_request", Err: err}
		}
		c.t.Proxy = http.ProxyURL(u)
	}
	hc := &http.Client{Transport: c.t, Timeout: time.Duration(r.Timeout() * float64(time.Second))}
	if r.Redirect != nil && !*r.Redirect {
		hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	} else if r.MaxRedirects != nil {
		n := *r.MaxRedirects
		hc.CheckRedirect = func(_ *http.Request, via []*http.Request) error {
			if len(via) > n {
				return fmt.Errorf("stopped after %d redirects", n) // the default policy's words
			}
			return nil
		}
	}
	var body io.Reader
	if r.Body != nil {
		body = bytes.NewReader(r.Body)
	}
	req, err := http.NewRequest(r.Method, r.URL, body)
	if err != nil {
		return nil, &ga.Classified{Class: "invalid_request", Err: err}
	}
	for _, h := range r.Headers {
		if strings.EqualFold(h[0], "Host") {
			req.Host = h[1] // net/http ignores a Host entry in Header: Request.Host is its way to set one
		} else {
			req.Header.Add(h[0], h[1])
		}
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var data []byte
	if resp.StatusCode != http.StatusSwitchingProtocols { // a 101's Body is the raw connection
		data, err = io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
		if err != nil {
			return nil, err
		}
		if len(data) > maxBody {
			// read on, keeping nothing: the client's own bounds (Client.Timeout) decide how an
			// endless body ends, not this cap, which net/http does not have
			data = nil
			if _, err := io.Copy(io.Discard, resp.Body); err != nil {
				return nil, err
			}
			return nil, ga.Errorf("other", "response body larger than the adapter's %d MiB cap (read to its end, not kept)", maxBody>>20)
		}
	}
	code := strconv.Itoa(resp.StatusCode)
	reason := strings.TrimPrefix(strings.TrimPrefix(resp.Status, code), " ")
	return &ga.Response{Status: resp.StatusCode, Reason: &reason, Version: resp.Proto,
		Headers: pairs(resp.Header), Body: data, Trailers: pairs(resp.Trailer)}, nil
}

// pairs lists a Header map: net/http keeps no field order, so names are
// sorted (a stable order); each value of a repeated field is its own pair.
func pairs(h http.Header) [][2]string {
	names := make([]string, 0, len(h))
	for n := range h {
		names = append(names, n)
	}
	sort.Strings(names)
	var out [][2]string
	for _, n := range names {
		for _, v := range h[n] {
			out = append(out, [2]string{n, v})
		}
	}
	return out
}

func classify(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) && ue.Op == "parse" {
		return "invalid_request"
	}
	text := err.Error()
	has := func(words ...string) bool { return ga.ContainsAny(text, words...) }
	switch {
	case has("stopped after ") && has(" redirects"):
		return "too_many_redirects"
	case has("unsupported protocol scheme"):
		return "redirect_refused" // the first URL is http: the scheme came from a Location
	case has("invalid header field", "invalid method", "can't write control character", "invalid URL",
		"no Host in request URL"):
		return "invalid_request"
	case has("response headers exceeded", "header line too long"):
		return "limit"
	case has("Client.Timeout", "timeout awaiting"):
		return "timeout"
	case has("server closed idle connection", "unexpected EOF", "connection reset"):
		return "closed"
	case has("malformed", "bad Content-Length", "multiple Content-Length", "transfer encoding",
		"chunk length", "chunked", "invalid Trailer", "invalid byte", "missing protocol", "HTTP/1.x transport"):
		return "protocol"
	}
	return ""
}

func main() {
	os.Exit(ga.Main(ga.Adapter{
		Name:    "go-net-http",
		Version: runtime.Version(),
		Capabilities: []string{"simple-form", "generic-form", "proxy", "redirect-control", "max-redirects",
			"request-body", "timeouts", "sequence", "custom-headers", "head"},
		NewClient: newClient,
		Classify:  classify,
	}))
}
