-- One socket.http API suite for two modules: real LuaSocket and httpref.
--   lua test-api.lua MODULE        (MODULE = socket.http | httpref)
-- Needs HTTPREF_TEST_BASE=http://127.0.0.1:PORT from route_server.py
-- (run-api-tests.sh starts it). One test per clause of the socket.http manual
-- (/work/shared/seed/socket-http.txt); where the modules knowingly disagree the
-- test is listed below and asserts each module's own side.

-- test name -> what each module does. Only these tests look at MODULE.
local EXPECTED_DIFFERENCES = {
  ["redirect: 308 Permanent Redirect"] =
    "httpref: follows 308 like 301 (RFC 9110 15.4.9) / socket.http: returns the 308 " ..
    "itself, body read (3.1.0 follows only 301/302/303/307; luasocket-http.md 12.19)",
  ["REDIRECTERRORS: the hop limit and a loop as errors"] =
    "httpref: REDIRECTERRORS = true (or a request's redirecterrors = true) gives nil, msg, " ..
    "TOO_MANY_REDIRECTS / REDIRECT_LOOP / socket.http: no such field, the last 3xx",
  ["redirect: maxredirects = false stops at 1000 hops"] =
    "httpref: follows up to its ceiling of 1000 hops, then returns the last 3xx / " ..
    "socket.http: no bound at all (it lands after 1001 hops here)",
  ["redirect: a HEAD stays HEAD"] =
    "httpref: 301/302/307 keep the method (RFC 9110 15.4) / socket.http: the redirected " ..
    "request is a GET, its body downloaded (luasocket-http.md 12.19)",
  ["USERAGENT default"] =
    "httpref: \"httpref/0.1.0\" / socket.http: \"LuaSocket 3.0.0\" (Debian 3.1.0 never " ..
    "bumped socket._VERSION)",
  ["proxy: request-target is absolute-form"] =
    "httpref: GET http://example.invalid/x / socket.http: GET http://example.invalid:80/x " ..
    "(always adds the default port; luasocket-http.md 12.2)",
  ["KEEPALIVE: a second request to the same host reuses the connection"] =
    "httpref: KEEPALIVE (default false) keeps the connection for the next request / " ..
    "socket.http: no such field, one connection per request",
  ["KEEPALIVE: close() and keepalive = false open a new connection"] =
    "httpref: close() drops the kept connection, a request's keepalive = false overrides " ..
    "KEEPALIVE / socket.http: neither exists",
  ["error: third return value names the error"] =
    "httpref: nil, message, NAME (luv fail triple, NAME from the C enum) / socket.http: " ..
    "nil, message only",
}

local MODULE = arg[1]
assert(MODULE == "socket.http" or MODULE == "httpref",
  "usage: lua test-api.lua socket.http|httpref")
local BASE = assert(os.getenv("HTTPREF_TEST_BASE"), "HTTPREF_TEST_BASE is not set")
local HOSTPORT = assert(BASE:match("^http://([^/]+)$"), "HTTPREF_TEST_BASE: http://host:port")

-- tap.lua sits beside this file; find it whatever the working directory
local here = (arg[0] or ""):match("^(.*)[/\\]") or "."
package.path = here .. "/?.lua;" .. package.path

local tap = require("tap")
local test, skip, eq, ok, match = tap.test, tap.skip, tap.eq, tap.ok, tap.match
local http = require(MODULE)
local ltn12 = require("ltn12")
local has_socket, socket = pcall(require, "socket")

-- the default is checked by its own test; the suite runs with 10 s so a hang
-- in one test costs 10 s, not 60
local DEFAULT_TIMEOUT = http.TIMEOUT
local DEFAULT_USERAGENT = http.USERAGENT
local DEFAULT_PROXY = http.PROXY
local SUITE_TIMEOUT = 10
http.TIMEOUT = SUITE_TIMEOUT

local function url(path) return BASE .. path end

-- the only way a test may branch on MODULE: its name must be in the table
local function difference(name, fns)
  assert(EXPECTED_DIFFERENCES[name], "not in EXPECTED_DIFFERENCES: " .. name)
  test(name, function()
    tap.diag(name .. ": " .. EXPECTED_DIFFERENCES[name])
    return assert(fns[MODULE], "no branch for " .. MODULE)()
  end)
end

-- generic form into a table sink; returns r, code, headers, status, body
local function fetch(reqt)
  local t = {}
  reqt.sink = reqt.sink or ltn12.sink.table(t)
  local r, c, h, s = http.request(reqt)
  return r, c, h, s, table.concat(t)
end

-- /echo returns the raw request: split it into request line, fields, body
local function parse_echo(raw)
  ok(type(raw) == "string", "echo body is a string")
  local head, body = raw:match("^(.-)\r\n\r\n(.*)$")
  ok(head, "echo has a complete head: " .. tap.show(raw))
  local req = { fields = {}, body = body }
  for line in (head .. "\r\n"):gmatch("(.-)\r\n") do
    if not req.line then
      req.line = line
    else
      local name, value = line:match("^([^:]+):%s*(.-)%s*$")
      ok(name, "field line has a colon: " .. tap.show(line))
      req.fields[#req.fields + 1] = { name:lower(), value }
    end
  end
  -- every value of a field, names compared case-insensitively
  function req.all(name)
    local out = {}
    for _, f in ipairs(req.fields) do
      if f[1] == name:lower() then out[#out + 1] = f[2] end
    end
    return out
  end
  function req.one(name)
    local v = req.all(name)
    eq(#v, 1, "number of " .. name .. " fields sent")
    return v[1]
  end
  return req
end

-- decode a chunked request body as the server received it
local function dechunk(s)
  local out, pos = {}, 1
  while true do
    local size, nxt = s:match("^(%x+)[^\r\n]*\r\n()", pos)
    ok(size, "chunk-size line at byte " .. pos .. " of " .. tap.show(s))
    size = tonumber(size, 16)
    if size == 0 then break end
    out[#out + 1] = s:sub(nxt, nxt + size - 1)
    eq(s:sub(nxt + size, nxt + size + 1), "\r\n", "CRLF after chunk data")
    pos = nxt + size + 2
  end
  return table.concat(out)
end

-- failures are nil, non-empty message (a third value is httpref's, tested apart)
local function check_fail(r, e, what)
  eq(r, nil, what .. ": first value")
  ok(type(e) == "string" and #e > 0, what .. ": message is a non-empty string, got " ..
    tap.show(e))
  return e
end

local function refused_url()  -- a port that was just free: bind, read it, close
  if has_socket and socket.bind then
    local s = socket.bind("127.0.0.1", 0)
    local _, port = s:getsockname()
    s:close()
    return "http://127.0.0.1:" .. port .. "/"
  end
  return "http://127.0.0.1:1/"
end

local BIG = string.rep("0123456789", 30000)

---------------------------------------------------------------- module shape
test("module: require returns a table with request", function()
  eq(type(http), "table", "module type")
  eq(type(http.request), "function", "request type")
end)

---------------------------------------------------------------- simple form
test("simple GET returns body, code, headers, status", function()
  local b, c, h, s = http.request(url("/hello"))
  eq(b, "hello world", "body")
  eq(c, 200, "code")
  eq(type(c), "number", "code type")
  eq(type(h), "table", "headers type")
  eq(h["content-type"], "text/plain", "content-type")
  eq(h["content-length"], "11", "content-length is the field's string")
  match(s, "^HTTP/1%.1 200", "status line")
end)

test("simple GET: response header names are lowercase", function()
  local _, _, h = http.request(url("/hello"))
  local n = 0
  for k in pairs(h) do
    eq(k, k:lower(), "header name")
    n = n + 1
  end
  ok(n >= 3, "at least content-type, x-dup, content-length")
end)

test("simple GET: repeated fields are joined with ', '", function()
  local _, _, h = http.request(url("/hello"))
  eq(h["x-dup"], "a, b", "x-dup")
end)

test("simple POST: method, content-type, content-length and body on the wire", function()
  local body = "a=1&b=two+words"
  local b, c = http.request(url("/echo"), body)
  eq(c, 200, "code")
  local req = parse_echo(b)
  match(req.line, "^POST /echo HTTP/1%.1$", "request line")
  eq(req.one("content-type"), "application/x-www-form-urlencoded", "content-type")
  eq(req.one("content-length"), tostring(#body), "content-length")
  eq(#req.all("transfer-encoding"), 0, "no transfer-encoding with a known length")
  eq(req.body, body, "body")
end)

test("simple POST: an empty body is still a POST", function()
  local b = http.request(url("/echo"), "")
  local req = parse_echo(b)
  match(req.line, "^POST ", "request line")
  eq(req.one("content-length"), "0", "content-length")
  eq(req.body, "", "body")
end)

test("simple GET: a 404 page is a response, not an error", function()
  local b, c, h = http.request(url("/status/404"))
  eq(b, "status 404", "body")
  eq(c, 404, "code")
  eq(type(h), "table", "headers")
end)

test("simple GET: chunked response is decoded", function()
  local b, c, h = http.request(url("/chunked"))
  eq(c, 200, "code")
  eq(b, "hello world", "body")
  match(h["transfer-encoding"], "chunked", "transfer-encoding header kept")
end)

test("simple GET: 300000-byte body delivered whole", function()
  local b, c = http.request(url("/big"))
  eq(c, 200, "code")
  eq(#b, 300000, "length")
  ok(b == BIG, "content matches the pattern")
end)

---------------------------------------------------------------- generic form
test("generic GET returns 1, code, headers, status", function()
  local r, c, h, s, body = fetch({ url = url("/hello") })
  eq(r, 1, "first value")
  eq(c, 200, "code")
  eq(h["x-dup"], "a, b", "headers")
  match(s, "^HTTP/1%.1 200", "status line")
  eq(body, "hello world", "sink got the body")
end)

test("generic without sink: body discarded, still 1, 200", function()
  local r, c = http.request({ url = url("/hello") })
  eq(r, 1, "first value")
  eq(c, 200, "code")
end)

test("generic: method given verbatim (DELETE)", function()
  local r, c, _, _, body = fetch({ url = url("/echo"), method = "DELETE" })
  eq(r, 1, "first value"); eq(c, 200, "code")
  match(parse_echo(body).line, "^DELETE /echo HTTP/1%.1$", "request line")
end)

test("generic: a path field overrides the url's path", function()
  local _, c, _, _, body = fetch({ url = url("/hello"), path = "/echo" })
  eq(c, 200, "code")
  match(parse_echo(body).line, "^GET /echo HTTP/1%.1$", "request line")
end)

test("generic HEAD: no body delivered, code and headers present", function()
  local chunks = {}
  local r, c, h = http.request({ url = url("/hello"), method = "HEAD",
    sink = function(chunk) if chunk then chunks[#chunks + 1] = chunk end return 1 end })
  eq(r, 1, "first value")
  eq(c, 200, "code")
  eq(h["content-length"], "11", "content-length of the GET body")
  eq(table.concat(chunks), "", "sink got no data")
end)

test("generic: 204 has no body", function()
  local r, c, _, _, body = fetch({ url = url("/status/204") })
  eq(r, 1, "first value"); eq(c, 204, "code")
  eq(body, "", "body")
end)

---------------------------------------------------------------- sinks
test("sink: ltn12.sink.table", function()
  local t = {}
  local r, c = http.request({ url = url("/big"), sink = ltn12.sink.table(t) })
  eq(r, 1, "first value"); eq(c, 200, "code")
  ok(table.concat(t) == BIG, "300000 bytes in order")
end)

test("sink: ltn12.sink.file writes the body then closes the file", function()
  -- a named temp file, not io.tmpfile(): sink.file closes its handle at the
  -- end of the body, and a closed tmpfile cannot be read back
  local name = os.tmpname()
  local f = assert(io.open(name, "wb"))
  local r, c = http.request({ url = url("/hello"), sink = ltn12.sink.file(f) })
  eq(r, 1, "first value")
  eq(c, 200, "code")
  eq(io.type(f), "closed file", "sink got end-of-body and closed the file")
  local rf = assert(io.open(name, "rb"))
  local data = rf:read("*a")
  rf:close()
  os.remove(name)
  eq(data, "hello world", "file content")
end)

test("sink: ltn12.sink.file(io.tmpfile())", function()
  local f = io.tmpfile()
  local r, c = http.request({ url = url("/big"), sink = ltn12.sink.file(f) })
  eq(r, 1, "first value"); eq(c, 200, "code")
  eq(io.type(f), "closed file", "closed at end of body")
end)

test("sink: ltn12.sink.null()", function()
  local r, c, h = http.request({ url = url("/big"), sink = ltn12.sink.null() })
  eq(r, 1, "first value"); eq(c, 200, "code")
  eq(h["content-length"], "300000", "content-length")
end)

test("sink: ltn12.sink.chain with an upper-casing filter", function()
  local t = {}
  local upper = function(chunk) return chunk and chunk:upper() end
  local r, c = http.request({ url = url("/hello"),
    -- parentheses: sink.table returns (sink, t) and chain would take t as a sink
    sink = ltn12.sink.chain(upper, (ltn12.sink.table(t))) })
  eq(r, 1, "first value"); eq(c, 200, "code")
  eq(table.concat(t), "HELLO WORLD", "filtered body")
end)

test("sink: a plain function gets the chunks, then nil once", function()
  local chunks, ends, after_end = {}, 0, 0
  local r, c = http.request({ url = url("/big"), sink = function(chunk, err)
    if ends > 0 then after_end = after_end + 1 end
    if chunk == nil then ends = ends + 1 else chunks[#chunks + 1] = chunk end
    return 1
  end })
  eq(r, 1, "first value")
  eq(c, 200, "code")
  ok(table.concat(chunks) == BIG, "chunks concatenate to the body")
  eq(ends, 1, "nil calls")
  eq(after_end, 0, "calls after nil")
end)

test("sink: a request made from inside a sink works (re-entrant)", function()
  local inner_body, inner_code, chunks = nil, nil, {}
  local r, c = http.request({ url = url("/big"), sink = function(chunk)
    if chunk and not inner_body then inner_body, inner_code = http.request(url("/hello")) end
    if chunk then chunks[#chunks + 1] = chunk end
    return 1
  end })
  eq(r, 1, "outer first value")
  eq(c, 200, "outer code")
  ok(table.concat(chunks) == BIG, "outer body intact")
  eq(inner_body, "hello world", "inner body")
  eq(inner_code, 200, "inner code")
  -- and the module still works afterwards
  eq((http.request(url("/hello"))), "hello world", "a later request")
end)

test("sink: returning nil, err aborts the request with nil, err", function()
  local r, e = http.request({ url = url("/big"),
    sink = function(chunk) if chunk then return nil, "sink says stop" end return 1 end })
  check_fail(r, e, "aborted by the sink")
end)

---------------------------------------------------------------- sources and step
test("source: ltn12.source.string with an explicit content-length", function()
  local text = string.rep("source-body ", 500)  -- several 2048-byte source chunks
  local r, c, _, _, body = fetch({ url = url("/echo"), method = "POST",
    source = ltn12.source.string(text),
    headers = { ["content-length"] = #text, ["content-type"] = "text/plain" } })
  eq(r, 1, "first value")
  eq(c, 200, "code")
  local req = parse_echo(body)
  eq(req.one("content-length"), tostring(#text), "content-length")
  eq(#req.all("transfer-encoding"), 0, "no transfer-encoding")
  eq(req.one("content-type"), "text/plain", "content-type")
  ok(req.body == text, "body arrived intact")
end)

test("source: without content-length the body is sent chunked", function()
  local text = string.rep("no length ", 600)
  local r, c, _, _, body = fetch({ url = url("/echo"), method = "PUT",
    source = ltn12.source.string(text) })
  eq(r, 1, "first value")
  eq(c, 200, "code")
  local req = parse_echo(body)
  eq(#req.all("content-length"), 0, "no content-length")
  match(req.one("transfer-encoding"), "chunked", "transfer-encoding")
  ok(dechunk(req.body) == text, "chunked body decodes to the source text")
end)

test("step: ltn12.pump.step given explicitly", function()
  local t = {}
  local r, c = http.request({ url = url("/echo"), method = "POST",
    source = ltn12.source.string("stepped"), headers = { ["content-length"] = 7 },
    sink = ltn12.sink.table(t), step = ltn12.pump.step })
  eq(r, 1, "first value"); eq(c, 200, "code")
  eq(parse_echo(table.concat(t)).body, "stepped", "body")
end)

test("step: a custom step function is the one called", function()
  local calls = 0
  local step = function(src, snk) calls = calls + 1 return ltn12.pump.step(src, snk) end
  local r, _, _, _, body = fetch({ url = url("/hello"), step = step })
  eq(r, 1, "first value")
  eq(body, "hello world", "body")
  ok(calls > 0, "step was called")
end)

---------------------------------------------------------------- redirects
test("redirect: /redirect/3 followed by default", function()
  local b, c = http.request(url("/redirect/3"))
  eq(c, 200, "code")
  eq(b, "landed", "body")
end)

test("redirect: absolute Location followed", function()
  local b, c = http.request(url("/redirect-abs"))
  eq(c, 200, "code")
  eq(b, "hello world", "body")
end)

test("redirect = false returns the 302 itself", function()
  local r, c, h, _, body = fetch({ url = url("/redirect/3"), redirect = false })
  eq(r, 1, "first value")
  eq(c, 302, "code")
  eq(h.location, "/redirect/2", "location")
  eq(body, "moving", "the 302's body")
end)

test("redirect: maxredirects exceeded returns the last 3xx", function()
  local r, c, h, s, body = fetch({ url = url("/redirect/3"), maxredirects = 1 })
  eq(r, 1, "first value")
  eq(c, 302, "code of the last hop")
  eq(h.location, "/redirect/1", "stopped after one hop")
  match(s, "^HTTP/1%.1 302", "status line")
  eq(body, "moving", "the last 302's body went to the sink")
end)

test("redirect: the simple form past the default limit of 5", function()
  local b, c, h = http.request(url("/redirect/6"))
  eq(c, 302, "code")
  eq(h.location, "/redirect/0", "five hops followed")
  eq(b, "moving", "the last 302's body")
end)

test("redirect: maxredirects = 0 returns the first 3xx", function()
  local r, c, h = fetch({ url = url("/redirect/3"), maxredirects = 0 })
  eq(r, 1, "first value")
  eq(c, 302, "code")
  eq(h.location, "/redirect/2", "no hop followed")
end)

test("redirect: maxredirects = false follows past the default limit", function()
  local r, c, _, _, body = fetch({ url = url("/redirect/12"), maxredirects = false })
  eq(r, 1, "first value")
  eq(c, 200, "code")
  eq(body, "landed", "body")
end)

test("redirect: a loop returns the last 302", function()
  local r, c, h, _, body = fetch({ url = url("/loop") })
  eq(r, 1, "first value")
  eq(c, 302, "code")
  eq(h.location, "/loop", "location")
  eq(body, "round again", "the 302's body")
end)

test("redirect: a followed response carries the last hop's Location", function()
  local _, c, h = http.request(url("/redirect/2"))
  eq(c, 200, "code")
  eq(h.location, "/redirect/0", "the last Location, as sent")
  local _, c2, h2 = http.request(url("/redirect-abs"))
  eq(c2, 200, "code")
  eq(h2.location, BASE .. "/hello", "an absolute Location, as sent")
end)

difference("redirect: a HEAD stays HEAD", {
  httpref = function()
    local r, c, h, _, body = fetch({ url = url("/to-method"), method = "HEAD" })
    eq(r, 1, "first value"); eq(c, 200, "code")
    eq(h["x-method"], "HEAD", "method of the second request")
    eq(body, "", "no body")
  end,
  ["socket.http"] = function()
    local r, c, h, _, body = fetch({ url = url("/to-method"), method = "HEAD" })
    eq(r, 1, "first value"); eq(c, 200, "code")
    eq(h["x-method"], "GET", "method of the second request")
    eq(body, "method GET", "the GET's body")
  end,
})

difference("REDIRECTERRORS: the hop limit and a loop as errors", {
  httpref = function()
    eq(http.REDIRECTERRORS, false, "default")
    http.REDIRECTERRORS = true
    local okp, r, e, name = pcall(http.request, { url = url("/redirect/3"), maxredirects = 1 })
    http.REDIRECTERRORS = false
    ok(okp, "request raised: " .. tostring(r))
    check_fail(r, e, "hop limit")
    eq(name, "TOO_MANY_REDIRECTS", "name")
    r, e, name = http.request({ url = url("/loop"), redirecterrors = true })
    check_fail(r, e, "loop")
    eq(name, "REDIRECT_LOOP", "name")
  end,
  ["socket.http"] = function()
    eq(http.REDIRECTERRORS, nil, "no such field")
    local r, c = fetch({ url = url("/loop"), redirecterrors = true })
    eq(r, 1, "first value")
    eq(c, 302, "the field is ignored")
  end,
})

difference("redirect: maxredirects = false stops at 1000 hops", {
  httpref = function()
    local r, c, h = fetch({ url = url("/redirect/1001"), maxredirects = false })
    eq(r, 1, "first value")
    eq(c, 302, "code")
    eq(h.location, "/redirect/0", "1000 hops followed, the 1001st 302 returned")
  end,
  ["socket.http"] = function()
    local r, c, _, _, body = fetch({ url = url("/redirect/1001"), maxredirects = false })
    eq(r, 1, "first value")
    eq(c, 200, "code")
    eq(body, "landed", "every hop followed")
  end,
})

difference("redirect: 308 Permanent Redirect", {
  httpref = function()
    local b, c = http.request(url("/redirect308"))
    eq(c, 200, "code")
    eq(b, "hello world", "body")
  end,
  ["socket.http"] = function()
    local b, c, h = http.request(url("/redirect308"))
    eq(c, 308, "code")
    eq(b, "permanent", "the 308's body")
    eq(h.location, "/hello", "location")
  end,
})

---------------------------------------------------------------- proxy
difference("proxy: request-target is absolute-form", {
  httpref = function()
    local r, c, _, _, body = fetch({ url = "http://example.invalid/x", proxy = BASE })
    eq(r, 1, "first value")
    eq(c, 200, "code")
    eq(body, "proxied http://example.invalid/x", "what the proxy was asked")
  end,
  ["socket.http"] = function()
    local r, c, _, _, body = fetch({ url = "http://example.invalid/x", proxy = BASE })
    eq(r, 1, "first value")
    eq(c, 200, "code")
    eq(body, "proxied http://example.invalid:80/x", "what the proxy was asked")
  end,
})

test("PROXY module field used when proxy is absent", function()
  http.PROXY = BASE
  local ok_, b, c = pcall(http.request, "http://example.invalid/x")
  http.PROXY = nil  -- reset before any assertion can fail
  ok(ok_, "request raised: " .. tostring(b))
  eq(c, 200, "code")
  match(b, "^proxied http://example%.invalid", "went through the proxy")
end)

test("PROXY default is nil", function()
  eq(DEFAULT_PROXY, nil, "PROXY")
end)

---------------------------------------------------------------- authentication
test("auth: URL userinfo sends Basic credentials", function()
  local b, c = http.request("http://user:pass@" .. HOSTPORT .. "/auth")
  eq(c, 200, "code")
  eq(b, "welcome", "body")
end)

test("auth: user and password fields override the url", function()
  local r, c, _, _, body = fetch({ url = url("/auth"), user = "user", password = "pass" })
  eq(r, 1, "first value")
  eq(c, 200, "code")
  eq(body, "welcome", "body")
end)

test("auth: a user without a password sends no credentials", function()
  local b = http.request("http://user@" .. HOSTPORT .. "/echo")
  eq(#parse_echo(b).all("authorization"), 0, "authorization fields from the url")
  local _, _, _, _, body = fetch({ url = url("/echo"), user = "user" })
  eq(#parse_echo(body).all("authorization"), 0, "authorization fields from a user field")
  local _, _, _, _, body2 = fetch({ url = "http://example.invalid/x", proxy = "http://pu@" .. HOSTPORT })
  match(body2, "^proxied http://example%.invalid", "a proxy URL with a user alone still works")
end)

test("auth: explicit authorization header", function()
  local r, c, _, _, body = fetch({ url = url("/auth"),
    headers = { authorization = "Basic dXNlcjpwYXNz" } })
  eq(r, 1, "first value")
  eq(c, 200, "code")
  eq(body, "welcome", "body")
end)

test("auth: no credentials gives the 401 page as a response", function()
  local b, c, h = http.request(url("/auth"))
  eq(c, 401, "code")
  match(b, "401 Unauthorized", "body")
  eq(h["www-authenticate"], 'Basic realm="x"', "challenge")
end)

---------------------------------------------------------------- constants
test("TIMEOUT default is 60", function()
  eq(DEFAULT_TIMEOUT, 60, "TIMEOUT")
end)

test("TIMEOUT = 1: a stalled body fails with nil, 'timeout'", function()
  http.TIMEOUT = 1
  local t0 = os.time()
  local okp, r, e = pcall(http.request, url("/slow"))
  http.TIMEOUT = SUITE_TIMEOUT
  ok(okp, "request raised: " .. tostring(r))
  check_fail(r, e, "slow body")
  eq(e, "timeout", "message")
  ok(os.time() - t0 <= 3, "gave up before the server's 3 s pause ended")
end)

difference("USERAGENT default", {
  httpref = function() eq(DEFAULT_USERAGENT, "httpref/0.1.0", "USERAGENT") end,
  ["socket.http"] = function() eq(DEFAULT_USERAGENT, "LuaSocket 3.0.0", "USERAGENT") end,
})

test("USERAGENT is sent as User-Agent", function()
  http.USERAGENT = "ua-test/1"
  local okp, b = pcall(http.request, url("/echo"))
  http.USERAGENT = DEFAULT_USERAGENT
  ok(okp, "request raised: " .. tostring(b))
  eq(parse_echo(b).one("user-agent"), "ua-test/1", "user-agent")
end)

if http.PORT ~= nil then
  test("PORT default is 80", function() eq(http.PORT, 80, "PORT") end)
else
  skip("PORT default is 80", MODULE .. " has no PORT field (LuaSocket 3.x removed it)")
end

---------------------------------------------------------------- errors
test("error: host not found", function()
  local r, e = http.request("http://nonexistent.invalid/")
  check_fail(r, e, "host not found")
  -- LuaSocket's words for EAI_NONAME, or EAI_AGAIN where no resolver answers
  ok(e == "host or service not provided, or not known"
    or e == "temporary failure in name resolution", "getaddrinfo message, got " .. e)
end)

test("error: connection refused", function()
  local r, e = http.request(refused_url())
  check_fail(r, e, "refused")
  eq(e, "connection refused", "message")
end)

test("error: body shorter than Content-Length", function()
  local r, e = http.request(url("/close-early"))
  check_fail(r, e, "close-early")
end)

test("error: invalid chunk size line", function()
  local r, e = http.request(url("/bad-chunk"))
  check_fail(r, e, "bad-chunk")
  eq(e, "invalid chunk size", "LuaSocket's words")
end)

test("error: a field line without a colon", function()
  local r, e = http.request(url("/bad-header"))
  check_fail(r, e, "bad-header")
  eq(e, "malformed reponse headers", "LuaSocket 3.1.0's words, its typo included")
end)

difference("error: third return value names the error", {
  httpref = function()
    local r, e, name = http.request(refused_url())
    check_fail(r, e, "refused")
    eq(name, "CONNECT", "name for refused")
    http.TIMEOUT = 1
    local okp
    okp, r, e, name = pcall(http.request, url("/slow"))
    http.TIMEOUT = SUITE_TIMEOUT
    ok(okp, "request raised: " .. tostring(r))
    eq(name, "TIMEOUT", "name for timeout")
    for _, path in ipairs({ "/close-early", "/bad-chunk" }) do
      r, e, name = http.request(url(path))
      check_fail(r, e, path)
      match(name, "^[A-Z][A-Z0-9_]*$", "name for " .. path)
    end
    r, e, name = http.request("http://nonexistent.invalid/")
    match(name, "^[A-Z][A-Z0-9_]*$", "name for host not found")
  end,
  ["socket.http"] = function()
    local n = select("#", http.request(refused_url()))
    eq(n, 2, "number of values on failure")
  end,
})

---------------------------------------------------------------- create
if has_socket and socket.tcp then
  test("create: the generic form connects through the given create", function()
    local calls = 0
    local create = function() calls = calls + 1 return socket.tcp() end
    local r, c, _, _, body = fetch({ url = url("/hello"), create = create })
    eq(r, 1, "first value")
    eq(c, 200, "code")
    eq(body, "hello world", "body")
    eq(calls, 1, "create calls")
  end)
else
  skip("create: the generic form connects through the given create", "no LuaSocket core")
end

---------------------------------------------------------------- request headers
test("request headers given in mixed case are sent once", function()
  local r, _, _, _, body = fetch({ url = url("/echo"),
    headers = { ["X-Mixed-Case"] = "v1", ["User-Agent"] = "mixed/1" } })
  eq(r, 1, "first value")
  local req = parse_echo(body)
  eq(req.one("x-mixed-case"), "v1", "x-mixed-case")
  eq(req.one("user-agent"), "mixed/1", "user header replaces the default")
  eq(#req.all("host"), 1, "host fields")
end)

---------------------------------------------------------------- keep-alive (httpref's own)
-- /keepalive answers "connection N request K" and leaves the connection open
local function conn_of(reqt)
  local r, c, _, _, body = fetch(reqt)
  eq(r, 1, "first value")
  eq(c, 200, "code")
  local id, k = body:match("^connection (%d+) request (%d+)$")
  return tonumber(id), tonumber(k)
end

difference("KEEPALIVE: a second request to the same host reuses the connection", {
  httpref = function()
    eq(http.KEEPALIVE, false, "default")
    http.KEEPALIVE = true
    local id1, k1 = conn_of({ url = url("/keepalive") })
    local id2, k2 = conn_of({ url = url("/keepalive") })
    http.KEEPALIVE = false
    http.close()
    eq(id2, id1, "same connection")
    eq(k2, k1 + 1, "its next request")
  end,
  ["socket.http"] = function()
    eq(http.KEEPALIVE, nil, "no such field")
    http.KEEPALIVE = true
    local id1, k1 = conn_of({ url = url("/keepalive") })
    local id2, k2 = conn_of({ url = url("/keepalive") })
    http.KEEPALIVE = nil
    ok(id2 ~= id1, "a new connection")
    eq(k1, 1, "first request of its connection")
    eq(k2, 1, "first request of its connection")
  end,
})

difference("KEEPALIVE: close() and keepalive = false open a new connection", {
  httpref = function()
    http.KEEPALIVE = true
    local id1 = conn_of({ url = url("/keepalive") })
    http.close()
    local id2 = conn_of({ url = url("/keepalive") })
    local id3, k3 = conn_of({ url = url("/keepalive"), keepalive = false })
    local id4, k4 = conn_of({ url = url("/keepalive") })
    http.KEEPALIVE = false
    http.close()
    ok(id2 ~= id1, "close() dropped the connection")
    ok(id3 ~= id2, "keepalive = false: a connection of its own")
    eq(k3, 1, "first request of its connection")
    ok(id4 ~= id3 and id4 ~= id2, "closed after it: the next request opens another")
    eq(k4, 1, "first request of its connection")
  end,
  ["socket.http"] = function()
    eq(http.close, nil, "no close()")
  end,
})

---------------------------------------------------------------- the table itself
test("EXPECTED_DIFFERENCES names only tests that exist", function()
  for name in pairs(EXPECTED_DIFFERENCES) do
    ok(tap.has(name), "listed difference has a test: " .. name)
  end
end)

tap.run()
