// Package goadapter is the shared plumbing of the Go adapters (DESIGN.md
// "Adapter protocol", /work/briefs/SERVE-PROTOCOL.md): --describe, one-shot
// (one JSON spec on stdin, one result on stdout) and --serve (one spec per
// line, one result per line, serve_seq echoed), base64, the `then` list on one
// client instance, and the error classes every Go client shares (DNS, refused
// connections, timeouts, a peer that closed early). An adapter supplies a
// Client factory and its own Classify for the library's error types.
package goadapter

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"syscall"
)

// MaxLine bounds one serve-mode spec line: the largest scenario body (16 MiB)
// is about 22 MiB of base64.
const MaxLine = 256 << 20

// Spec is one request spec; pointer fields distinguish "absent" from zero.
type Spec struct {
	URL          string      `json:"url"`
	Method       string      `json:"method"`
	Headers      [][2]string `json:"headers"`
	Body         *string     `json:"body"`
	Form         string      `json:"form"`
	Redirect     *bool       `json:"redirect"`
	MaxRedirects *int        `json:"max_redirects"`
	Proxy        string      `json:"proxy"`
	TimeoutS     float64     `json:"timeout_s"`
	Then         []Spec      `json:"then"`
}

// Request is a Spec resolved the way every adapter needs it: method and body
// decided (form=simple makes a body a POST with the form content type).
type Request struct {
	*Spec
	Method  string
	Body    []byte // nil: no body
	Headers [][2]string
}

// Response is what a client hands back; Headers as the library exposes them.
type Response struct {
	Status   int
	Reason   *string // nil when the library does not expose the received reason phrase
	Version  string
	Headers  [][2]string
	Body     []byte
	Trailers [][2]string
}

// Client is one client instance: it lives for one spec and its `then` list.
type Client interface {
	Do(r *Request) (*Response, error)
	Close()
}

// Adapter describes one Go adapter.
type Adapter struct {
	Name         string
	Version      string
	Capabilities []string
	NewClient    func() Client
	// Classify maps the library's own errors to a class, or "" to fall back
	// to the generic mapping.
	Classify func(err error) string
}

// Classified is an error whose class the adapter already knows.
type Classified struct {
	Class string
	Err   error
}

func (c *Classified) Error() string { return c.Err.Error() }
func (c *Classified) Unwrap() error { return c.Err }

// Errorf makes a Classified error.
func Errorf(class, format string, args ...interface{}) error {
	return &Classified{class, fmt.Errorf(format, args...)}
}

// Timeout is the spec's time limit in seconds (30 when absent).
func (r *Request) Timeout() float64 {
	if r.TimeoutS > 0 {
		return r.TimeoutS
	}
	return 30
}

func resolve(s *Spec) (*Request, error) {
	r := &Request{Spec: s, Method: s.Method, Headers: append([][2]string(nil), s.Headers...)}
	if s.Body != nil {
		b, err := base64.StdEncoding.DecodeString(*s.Body)
		if err != nil {
			return nil, Errorf("other", "adapter: body is not base64: %v", err)
		}
		r.Body = b
	}
	if r.Method == "" {
		r.Method = "GET"
		if s.Form == "simple" && r.Body != nil {
			r.Method = "POST"
		}
	}
	if s.Form == "simple" && r.Body != nil && !r.HasHeader("Content-Type") {
		r.Headers = append(r.Headers, [2]string{"Content-Type", "application/x-www-form-urlencoded"})
	}
	return r, nil
}

// HasHeader reports whether the caller set a field of that name.
func (r *Request) HasHeader(name string) bool {
	for _, h := range r.Headers {
		if strings.EqualFold(h[0], name) {
			return true
		}
	}
	return false
}

// Latin1 turns the bytes a library hands over into text byte for byte (as the
// Python and Node adapters do), so a non-UTF-8 byte survives the JSON.
// ContainsAny reports whether text holds any of the words: how a library's error text
// (what it wrapped with %s, not %w) is told apart.
func ContainsAny(text string, words ...string) bool {
	for _, w := range words {
		if strings.Contains(text, w) {
			return true
		}
	}
	return false
}

func Latin1(b []byte) string {
	var sb strings.Builder
	for _, c := range b {
		sb.WriteRune(rune(c))
	}
	return sb.String()
}

// Chain is the error and everything it wraps, outermost first.
func Chain(err error) []error {
	var out []error
	for e := err; e != nil && len(out) < 20; e = errors.Unwrap(e) {
		out = append(out, e)
	}
	return out
}

func classify(a *Adapter, err error) string {
	var c *Classified
	if errors.As(err, &c) {
		return c.Class
	}
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return "dns"
	}
	if errors.Is(err, syscall.ECONNREFUSED) {
		return "connect"
	}
	var addr *net.AddrError
	if errors.As(err, &addr) { // Go's dialer refused the URL's address (a port out of range) unsent
		return "invalid_request"
	}
	if a.Classify != nil {
		if cls := a.Classify(err); cls != "" {
			return cls
		}
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return "timeout"
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EPIPE) {
		return "closed"
	}
	text := strings.ToLower(err.Error())
	switch {
	case strings.Contains(text, "timeout") || strings.Contains(text, "timed out"):
		return "timeout"
	case strings.Contains(text, "connection reset") || strings.Contains(text, "broken pipe"):
		return "closed"
	}
	return "unclassified"
}

type implID struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

type errorBody struct {
	Class   string `json:"class"`
	Message string `json:"message"`
}

// result is the JSON result; field order follows the other adapters.
type result struct {
	Outcome        string           `json:"outcome"`
	Status         int              `json:"status,omitempty"`
	Reason         *string          `json:"reason,omitempty"`
	Version        string           `json:"version,omitempty"`
	Headers        *[][2]string     `json:"headers,omitempty"`
	Body           *string          `json:"body,omitempty"`
	Trailers       [][2]string      `json:"trailers,omitempty"`
	Error          *errorBody       `json:"error,omitempty"`
	Implementation implID           `json:"implementation"`
	Then           []*result        `json:"then,omitempty"`
	ServeSeq       *json.RawMessage `json:"serve_seq,omitempty"`
}

func errorResult(a *Adapter, cls, message string) *result {
	if len(message) > 2000 {
		message = message[:2000]
	}
	return &result{Outcome: "error", Error: &errorBody{cls, message}, Implementation: implID{a.Name, a.Version}}
}

func one(a *Adapter, c Client, s *Spec) (res *result) {
	defer func() { // a library panic is the library's failure on this spec, not the adapter's end
		if p := recover(); p != nil {
			res = errorResult(a, "other", fmt.Sprintf("panic: %v", p))
		}
	}()
	r, err := resolve(s)
	var resp *Response
	if err == nil {
		resp, err = c.Do(r)
	}
	if err != nil {
		return errorResult(a, classify(a, err), err.Error())
	}
	body := base64.StdEncoding.EncodeToString(resp.Body)
	headers := resp.Headers
	if headers == nil {
		headers = [][2]string{}
	}
	return &result{Outcome: "response", Status: resp.Status, Reason: resp.Reason, Version: resp.Version,
		Headers: &headers, Body: &body, Trailers: resp.Trailers, Implementation: implID{a.Name, a.Version}}
}

// run performs one spec and its `then` list on one fresh client instance.
func run(a *Adapter, s *Spec) *result {
	c := a.NewClient()
	defer c.Close()
	res := one(a, c, s)
	if s.Then != nil {
		res.Then = []*result{}
		for i := range s.Then {
			sub := s.Then[i]
			if sub.TimeoutS == 0 {
				sub.TimeoutS = s.TimeoutS
			}
			res.Then = append(res.Then, one(a, c, &sub))
		}
	}
	return res
}

func write(w *bufio.Writer, res *result) error {
	b, err := json.Marshal(res)
	if err != nil {
		return err
	}
	w.Write(b)
	w.WriteByte('\n')
	return w.Flush()
}

func parse(line []byte) (*Spec, *json.RawMessage, error) {
	var probe struct {
		ServeSeq *json.RawMessage `json:"serve_seq"`
	}
	_ = json.Unmarshal(line, &probe) // serve_seq is echoed even when the rest is malformed
	var s Spec
	if err := json.Unmarshal(line, &s); err != nil {
		return nil, probe.ServeSeq, fmt.Errorf("bad request spec: %v", err)
	}
	if s.URL == "" {
		return nil, probe.ServeSeq, errors.New("bad request spec: no url")
	}
	return &s, probe.ServeSeq, nil
}

// readLine reads one line of at most MaxLine bytes; a longer one is drained
// and reported, so the next line still starts a spec.
func readLine(r *bufio.Reader) ([]byte, error) {
	var line []byte
	over := false
	for {
		chunk, err := r.ReadSlice('\n')
		if !over && len(line)+len(chunk) <= MaxLine {
			line = append(line, chunk...)
		} else {
			over, line = true, nil
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if over {
			return nil, fmt.Errorf("spec line longer than %d bytes", MaxLine)
		}
		if err != nil && len(line) == 0 {
			return nil, err
		}
		return line, nil
	}
}

func serve(a *Adapter) int {
	in := bufio.NewReaderSize(os.Stdin, 1<<20)
	out := bufio.NewWriterSize(os.Stdout, 1<<20)
	for {
		line, err := readLine(in)
		if err == io.EOF {
			return 0
		}
		var res *result
		var seq *json.RawMessage
		if err != nil {
			res = errorResult(a, "other", err.Error())
		} else if len(strings.TrimSpace(string(line))) == 0 {
			continue
		} else if s, sq, perr := parse(line); perr != nil {
			res, seq = errorResult(a, "other", perr.Error()), sq
		} else {
			res, seq = run(a, s), sq
		}
		res.ServeSeq = seq
		if err := write(out, res); err != nil {
			fmt.Fprintf(os.Stderr, "%s adapter: cannot write a result: %v\n", a.Name, err)
			return 3
		}
	}
}

// Main runs the adapter on os.Args and returns the exit status.
func Main(a Adapter) int {
	caps := append(append([]string(nil), a.Capabilities...), "serve")
	for _, arg := range os.Args[1:] {
		switch arg {
		case "--describe":
			b, _ := json.Marshal(map[string]interface{}{"name": a.Name, "version": a.Version, "capabilities": caps})
			fmt.Println(string(b))
			return 0
		case "--serve":
			return serve(&a)
		}
	}
	data, err := io.ReadAll(io.LimitReader(os.Stdin, MaxLine+1))
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s adapter: cannot read the spec: %v\n", a.Name, err)
		return 2
	}
	s, _, err := parse(data)
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s adapter: %v\n", a.Name, err)
		return 2
	}
	if err := write(bufio.NewWriter(os.Stdout), run(&a, s)); err != nil {
		fmt.Fprintf(os.Stderr, "%s adapter: cannot write the result: %v\n", a.Name, err)
		return 3
	}
	return 0
}
