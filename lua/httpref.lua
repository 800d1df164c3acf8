-- httpref: LuaSocket's socket.http API on the strict C client libhttpref.
--
--   local http = require("httpref")      -- instead of require("socket.http")
--   local body, code, headers, status = http.request("http://example.org/")
--   local ok, code, headers, status = http.request{ url = ..., sink = ... }
--
-- This file holds the socket.http policy (call forms, module constants read
-- at call time, `create` sockets); httpref.core does the HTTP. Where LuaSocket
-- is lenient or wrong the strict client wins: see lua/COMPATIBILITY.md.
local core = require("httpref.core")

local M = {
  _NAME = "httpref",
  _VERSION = "httpref " .. core._VERSION,
  TIMEOUT = 60,                               -- seconds per connect/send/receive, as LuaSocket
  USERAGENT = "httpref/" .. core._VERSION,
  PROXY = nil,                                -- "http://[user:pass@]host:port"
  PORT = 80,                                  -- default port of an http URL without one
  TLS = core.tls,                             -- httpref's own: true when this build speaks https
  CAFILE = nil,                               -- httpref's own: https trust store (PEM file), nil =
  CAPATH = nil,                               -- the system's; per request `cafile`/`capath` (LuaSec's
                                              -- names) and `verify = "none"` (no checks: a risk)
  DEADLINE = nil,                             -- httpref's own: seconds for a whole request, redirects
                                              -- included (TIMEOUT alone lets a trickling server go on)
  KEEPALIVE = false,                          -- httpref's own: true keeps the connection for the next
                                              -- request to the same host (LuaSocket: one per request)
  REDIRECTERRORS = false,                     -- httpref's own: true makes a redirect chain over the
                                              -- limit, or a loop, an error (nil, msg, NAME); false
                                              -- returns its last 3xx, as LuaSocket does
  errors = core.errors,                       -- NAME -> number, the third return value's table
  strerror = core.strerror,                   -- number -> message, NAME, class
}

-- a LuaSocket-style socket (connect/send/receive/settimeout/close), made by
-- the caller's create(), carries the bytes instead of libhttpref's own TCP
local function socket_transport(create)
  local sock, eof
  local t = {}
  function t.connect(host, port, timeout)
    local s, err = create()
    if not s then return nil, err end
    sock, eof = s, false
    sock:settimeout(timeout)
    local ok, cerr = sock:connect(host, tonumber(port) or port)
    if not ok then return nil, cerr end
    return true
  end
  function t.send(data, _, timeout)
    sock:settimeout(timeout)
    local i = 1
    while i <= #data do
      local last, err = sock:send(data, i)
      if not last then return nil, err end
      i = last + 1
    end
    return true
  end
  -- whatever has arrived, at most cap bytes: block for one byte, then take
  -- what is already there without waiting ("" means the peer closed)
  function t.recv(cap, _, timeout)
    if eof then return "" end
    sock:settimeout(timeout)
    local first, err = sock:receive(1)
    if not first then
      if err == "closed" then eof = true; return "" end
      return nil, err
    end
    if cap <= 1 then return first end
    sock:settimeout(0)
    local rest, rerr, partial = sock:receive(cap - 1)
    if rerr == "closed" then eof = true end
    return first .. (rest or partial or "")
  end
  function t.close()
    if sock then sock:close(); sock = nil end
  end
  return t
end

-- socket.http lets a request table replace any part of its url
local PARTS = { "scheme", "user", "password", "host", "port", "path", "params", "query", "fragment" }

local function split_url(u)
  local t, rest = {}, u
  rest = rest:gsub("#(.*)$", function(f) t.fragment = f; return "" end)
  rest = rest:gsub("^([%a][%w%+%-%.]*):", function(s) t.scheme = s; return "" end)
  rest = rest:gsub("^//([^/%?;]*)", function(a)
    a = a:gsub("^(.*)@", function(ui)
      t.user, t.password = ui:match("^([^:]*):?(.*)$")
      if not ui:find(":", 1, true) then t.password = nil end
      return ""
    end)
    a = a:gsub(":(%d*)$", function(p) t.port = p; return "" end)
    t.host = a:match("^%[(.*)%]$") or a
    return ""
  end)
  rest = rest:gsub("%?(.*)$", function(q) t.query = q; return "" end)
  rest = rest:gsub(";(.*)$", function(p) t.params = p; return "" end)
  t.path = rest
  return t
end

-- the characters of RFC 3986 userinfo (no ':'), and any other
local USERINFO = "[%w%-%._~%%!%$&'%(%)%*%+,;=]"
local NOT_USERINFO = "[^" .. USERINFO:sub(2)

local function build_url(t)
  local host = t.host or ""
  if host:find(":", 1, true) then host = "[" .. host .. "]" end
  local s = (t.scheme or "http") .. "://"
  if t.user and t.password then
    s = s .. t.user .. ":" .. t.password .. "@"
  elseif t.user and t.user:find(NOT_USERINFO) then -- kept, for the C client to refuse
    s = s .. t.user .. "@"
  end
  s = s .. host .. (t.port and t.port ~= "" and (":" .. t.port) or "")
  s = s .. ((t.path and t.path ~= "") and t.path or "/")
  if t.params then s = s .. ";" .. t.params end
  if t.query then s = s .. "?" .. t.query end
  if t.fragment then s = s .. "#" .. t.fragment end
  return s
end

-- socket.http sends Basic credentials only when it has a user and a password
-- ("u@host" and a lone user field send none, for a proxy too); the C client
-- would send "u:". Only a user of RFC 3986 userinfo characters goes: anything
-- else (a backslash, SEC-19) stays for the C client to refuse.
local function without_lone_user(u)
  return u and (u:gsub("^(%a[%w%+%-%.]*://)" .. USERINFO .. "+@", "%1"))
end

local function effective_url(reqt)
  local given = false
  for _, k in ipairs(PARTS) do given = given or reqt[k] ~= nil end
  if not given then return without_lone_user(reqt.url) end
  local t = split_url(reqt.url or "")
  for _, k in ipairs(PARTS) do
    if reqt[k] ~= nil then t[k] = tostring(reqt[k]) end
  end
  return build_url(t)
end

local function check(cond, n, msg)
  if not cond then error("bad argument #" .. n .. " to 'request' (" .. msg .. ")", 3) end
end

-- maxredirects = false: LuaSocket follows without end; httpref stops at this
-- many hops (a loop ends sooner: it is detected) and returns the last 3xx
local REDIRECT_CEILING = 1000

-- LuaSocket's words for getaddrinfo's failures (its pierror.h); the C client
-- keeps glibc's gai_strerror text in the detail
local GAI_WORDS = {
  ["Name or service not known"] = "host or service not provided, or not known",
  ["Temporary failure in name resolution"] = "temporary failure in name resolution",
  ["Non-recoverable failure in name resolution"] = "non-recoverable failure in name resolution",
  ["Memory allocation failure"] = "memory allocation failure",
  ["Servname not supported for ai_socktype"] = "service not supported for socket type",
}

-- LuaSocket 3.1.0's own words for the two malformations it reports too (its
-- typo included: that is the string a program may test); the C client's text
-- stays in the fourth value
local LUASOCKET_WORDS = {
  BAD_CHUNK_SIZE = "invalid chunk size",
  BAD_FIELD_LINE = "malformed reponse headers",
}

local function dns_message(detail)
  local gai = tostring(detail):match("%(([^()]*)%)$")
  return gai and (GAI_WORDS[gai] or gai) or "host or service not provided, or not known"
end

-- the generic form: returns 1, code, headers, status or nil, message, NAME, detail
local function generic(reqt, body)
  check(type(reqt.url) == "string" or (reqt.url == nil and reqt.host ~= nil), 1,
        "field 'url' must be a string")
  check(reqt.create == nil or type(reqt.create) == "function", 1, "field 'create' must be a function")
  local keepalive = reqt.keepalive
  if keepalive == nil then keepalive = M.KEEPALIVE end
  local strict = reqt.redirecterrors
  if strict == nil then strict = M.REDIRECTERRORS end
  local maxredirects = reqt.maxredirects
  if maxredirects == false then maxredirects = REDIRECT_CEILING end
  local code, headers, status, detail = core.perform{
    url = effective_url(reqt), method = reqt.method, headers = reqt.headers,
    body = body, source = reqt.source, step = reqt.step, sink = reqt.sink,
    redirect = reqt.redirect, maxredirects = maxredirects, redirectlast = not strict,
    proxy = without_lone_user(reqt.proxy or M.PROXY), timeout = M.TIMEOUT, deadline = M.DEADLINE,
    useragent = M.USERAGENT, port = M.PORT, keepalive = keepalive,
    cafile = reqt.cafile or M.CAFILE, capath = reqt.capath or M.CAPATH, verify = reqt.verify,
    transport = reqt.create and socket_transport(reqt.create) or nil,
  }
  if not code then
    -- a `create` socket's own words came through as they are
    if status == "DNS" and not reqt.create then headers = dns_message(detail) end
    headers = LUASOCKET_WORDS[status] or headers
    return nil, headers, status, detail
  end
  return 1, code, headers, status
end

-- request(url [, body]) -> body, code, headers, status   (simple form)
-- request{...}          -> 1, code, headers, status      (generic form)
function M.request(reqt, body)
  if type(reqt) == "table" then return generic(reqt) end
  check(type(reqt) == "string", 1, "string or table expected, got " .. type(reqt))
  check(body == nil or type(body) == "string", 2, "string expected, got " .. type(body))
  local parts = {}
  local t = {
    url = reqt,
    sink = function(chunk)
      if chunk then parts[#parts + 1] = chunk end
      return 1
    end,
  }
  if body then -- a body makes it a form POST, as in socket.http
    t.method = "POST"
    t.headers = { ["content-type"] = "application/x-www-form-urlencoded" }
  end
  local ok, code, headers, status = generic(t, body)
  if not ok then return nil, code, headers, status end
  return table.concat(parts), code, headers, status
end

-- close() drops the connection KEEPALIVE kept, if any (the next request opens a new one)
function M.close()
  core.closeidle()
end

return M
