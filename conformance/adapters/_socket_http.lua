-- Shared adapter body for modules with socket.http's API: real LuaSocket
-- ("luasocket") and this project's binding ("httpref-lua"). Usage:
--   lua5.4 _socket_http.lua luasocket|httpref-lua [--describe]
-- LuaSocket opens one connection per request, so its `then` follow-ups would run
-- without reuse: no `sequence` capability. httpref-lua runs a sequence with
-- KEEPALIVE on, its `then` follow-ups on the same client (as the CLI adapter
-- does). A response is reported exactly as the module hands it to a program.
-- a library that is not installed: exit 4 naming its Debian package (the
-- runner scores an optional peer skipped_dependency, and stops for a required one)
local function need(module, package)
  local ok, m = pcall(require, module)
  if ok then return m end
  io.stderr:write(module .. " is not installed here (Debian package " .. package
                  .. "; tools/setup installs it): " .. tostring(m):match("^[^\n]*") .. "\n")
  os.exit(4)
end
local cjson = need("cjson", "lua-cjson")
local NAME = arg[1]
local http, VERSION, classify

-- base64 with Lua 5.4's integer operators (this body runs on lua5.4 only);
-- three bytes at a time into a table, so an 8 MiB body takes about a second
local B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
local ENC, DEC = {}, {}
local b64, unb64
for i = 0, 63 do
  ENC[i] = B64:sub(i + 1, i + 1)
  DEC[B64:byte(i + 1)] = i
end
b64 = function(s)
  local out, n = {}, #s
  for i = 1, n - 2, 3 do
    local a, b, c = s:byte(i, i + 2)
    local v = a << 16 | b << 8 | c
    out[#out + 1] = ENC[v >> 18] .. ENC[v >> 12 & 63] .. ENC[v >> 6 & 63] .. ENC[v & 63]
  end
  local r = n % 3
  if r == 1 then
    local v = s:byte(n) << 16
    out[#out + 1] = ENC[v >> 18] .. ENC[v >> 12 & 63] .. "=="
  elseif r == 2 then
    local a, b = s:byte(n - 1, n)
    local v = a << 16 | b << 8
    out[#out + 1] = ENC[v >> 18] .. ENC[v >> 12 & 63] .. ENC[v >> 6 & 63] .. "="
  end
  return table.concat(out)
end
unb64 = function(s)
  s = s:gsub("[^%w%+/]", "")
  local out, n = {}, #s
  for i = 1, n, 4 do
    local a, b, c, d = s:byte(i, i + 3)
    local v = DEC[a] << 18 | (b and DEC[b] or 0) << 12 | (c and DEC[c] or 0) << 6 | (d and DEC[d] or 0)
    local k = (c and 1 or 0) + (d and 1 or 0)
    out[#out + 1] = string.char(v >> 16 & 255) .. (k >= 1 and string.char(v >> 8 & 255) or "")
                    .. (k == 2 and string.char(v & 255) or "")
  end
  return table.concat(out)
end

-- LuaSocket's C base64 (mime) when installed: harness plumbing, not the client under test
local has_mime, mime = pcall(require, "mime")
if has_mime then
  b64 = function(s) return (mime.b64(s)) or "" end
  unb64 = function(s) return (mime.unb64(s)) or "" end
end

if NAME == "luasocket" then
  http = need("socket.http", "lua-socket")
  local socket = require "socket"
  -- socket._VERSION says 3.0.0 in Debian's 3.1.0 package: report the package version beside it
  local p = io.popen("dpkg-query -W -f='${Version}' lua-socket 2>/dev/null")
  local v = p and p:read("a") or ""
  if p then p:close() end
  VERSION = "Debian lua-socket " .. (v ~= "" and v or "unknown") .. " (" .. socket._VERSION .. ")"
  -- LuaSocket's error strings, mapped to the shared classes
  classify = function(msg)
    local m = tostring(msg):lower()
    if m:find("host not found") or m:find("name or service") or m:find("not known") then return "dns" end
    if m:find("connection refused") then return "connect" end
    if m:find("timeout") then return "timeout" end
    if m:find("certificate") or m:find("handshake") or m:find("ssl") then return "tls" end -- LuaSec's words
    if m:find("^proxy not supported") or m:find("^redirect not supported") then return "unsupported" end -- LuaSec
    if m:find("closed") or m:find("unexpected eof") then return "closed" end
    if m:find("unknown scheme") or m:find("invalid url") then return "invalid_request" end
    if m:find("malformed") or m:find("invalid") or m:find("status") then return "protocol" end
    return "unclassified"
  end
elseif NAME == "httpref-lua" then
  http = require "httpref"
  VERSION = http._VERSION .. " (" .. _VERSION .. ")"
  -- the binding's third return value names the error; its class comes with it
  classify = function(_, name)
    local n = name and http.errors[name]
    if not n then return "unclassified" end
    return select(3, http.strerror(n))
  end
else
  io.stderr:write("_socket_http.lua: unknown module " .. tostring(NAME) .. "\n")
  os.exit(2)
end
-- both honour a request's maxredirects (LuaSocket 3.1.0's http.lua reads it too)
local CAPS = { "simple-form", "generic-form", "proxy", "redirect-control", "request-body", "timeouts",
               "custom-headers", "head", "max-redirects" }
if NAME == "httpref-lua" then
  CAPS[#CAPS + 1] = "sequence"
  if http.TLS then -- https in the binding itself, no LuaSec; through a proxy by CONNECT (libhttpref's tunnel.c)
    CAPS[#CAPS + 1] = "tls"; CAPS[#CAPS + 1] = "connect"
  end
end
-- LuaSocket users get https from LuaSec's ssl.https (same request table, no proxy);
-- without LuaSec the tls capability is absent and those scenarios are unsupported
local has_https, https = false, nil
if NAME == "luasocket" then
  has_https, https = pcall(require, "ssl.https")
  if has_https then CAPS[#CAPS + 1] = "tls" end
end

local function string_source(s)
  local done = false
  return function()
    if done then return nil end
    done = true
    return s
  end
end

-- past this, the adapter reads on but keeps nothing: the client's own bounds
-- decide how an endless body ends (the CLI adapter has the same cap)
local MAX_BODY = 64 * 1024 * 1024

local function perform(spec)
  local null = cjson.null
  local body = (spec.body ~= nil and spec.body ~= null) and unb64(spec.body) or nil
  local method = (spec.method ~= nil and spec.method ~= null) and spec.method or nil
  if NAME == "httpref-lua" then -- the harness's per-run CA (verification stays on), or the system's
    http.CAFILE = (spec.ca_file ~= nil and spec.ca_file ~= null) and spec.ca_file or nil
  end
  if spec.timeout_s and spec.timeout_s ~= null then
    http.TIMEOUT = spec.timeout_s
    -- the binding can also bound the whole request, as the spec's limit means
    if NAME == "httpref-lua" then http.DEADLINE = spec.timeout_s end
  end
  -- small pieces are joined every 4096, so a flood of tiny chunks does not
  -- become millions of strings for the collector
  local chunks, small, kept, over = {}, {}, 0, false
  local function sink(chunk)
    if chunk and not over then
      if kept + #chunk > MAX_BODY then
        over = true
      else
        small[#small + 1] = chunk
        kept = kept + #chunk
        if #small >= 4096 then chunks[#chunks + 1] = table.concat(small); small = {} end
      end
    elseif not chunk and #small > 0 then
      chunks[#chunks + 1] = table.concat(small); small = {}
    end
    return 1
  end
  local ok, code, headers, status, name
  if spec.form == "simple" and not method and (spec.headers == nil or spec.headers == null) then
    -- the simple form: a string body makes it a POST with the form content type
    local b
    b, code, headers, status = http.request(spec.url, body)
    ok, name = b, headers
    if b then chunks = { b } end
  else
    local h = {}
    for _, pair in ipairs((spec.headers ~= nil and spec.headers ~= null) and spec.headers or {}) do
      -- a header table is a map: the API cannot send one field name twice
      if h[pair[1]:lower()] then
        return { outcome = "error", error = { class = "unsupported",
                 message = "socket.http's header table cannot send " .. pair[1] .. " twice" } }
      end
      h[pair[1]:lower()] = pair[2]
    end
    if spec.form == "simple" and body and not h["content-type"] then
      h["content-type"] = "application/x-www-form-urlencoded"
    end
    if body and not h["content-length"] then h["content-length"] = tostring(#body) end
    local req = { url = spec.url, method = method or (body and "POST" or "GET"), headers = h,
                  sink = sink,
                  source = body and string_source(body) or nil }
    if spec.redirect ~= nil and spec.redirect ~= null then req.redirect = spec.redirect end
    if spec.max_redirects ~= nil and spec.max_redirects ~= null then req.maxredirects = spec.max_redirects end
    if spec.proxy ~= nil and spec.proxy ~= null then req.proxy = spec.proxy end
    local request = http.request
    if has_https and spec.url:match("^[Hh][Tt][Tt][Pp][Ss]:") then
      -- LuaSec verifies only when asked: the spec's CA, peer verification on
      req.cafile, req.verify = spec.ca_file ~= null and spec.ca_file or nil, { "peer", "fail_if_no_peer_cert" }
      if req.redirect then -- LuaSec refuses the key: it never follows a redirect
        return { outcome = "error", error = { class = "unsupported",
                 message = "LuaSec's ssl.https does not follow redirects" } }
      end
      https.TIMEOUT = (spec.timeout_s ~= nil and spec.timeout_s ~= null) and spec.timeout_s or 60
      request = https.request
    end
    ok, code, headers, status = request(req)
    name = headers
  end
  if not ok then
    return { outcome = "error", error = { class = classify(code, name), message = tostring(code) } }
  end
  if over then
    return { outcome = "error", error = { class = "other",
             message = "response body larger than the adapter's 64 MiB cap (read to its end, not kept)" } }
  end
  local hs = {}
  for k, v in pairs(headers or {}) do hs[#hs + 1] = { k, v } end
  table.sort(hs, function(a, b) return a[1] < b[1] end)
  local version, reason = tostring(status or ""):match("^(HTTP/%S+)%s+%d+%s*(.*)$")
  return { outcome = "response", status = tonumber(code), reason = reason or null, version = version or null,
           headers = hs, body = b64(table.concat(chunks)) }
end

local function safe(spec)
  local ok, res = pcall(perform, spec)
  if not ok then res = { outcome = "error", error = { class = classify(res), message = tostring(res) } } end
  res.implementation = { name = NAME, version = VERSION }
  return res
end

-- the module's settings as it loaded: every spec starts from them (a spec's
-- TIMEOUT or KEEPALIVE must not reach the next spec in serve mode)
-- (every upper-case scalar setting, and the two whose default is nil)
local SETTINGS, DEFAULTS = { "PROXY", "DEADLINE" }, {}
for k, v in pairs(http) do
  if type(k) == "string" and k:match("^%u[%u_]*$") and type(v) ~= "table" and type(v) ~= "function" then
    SETTINGS[#SETTINGS + 1] = k
  end
end
for _, k in ipairs(SETTINGS) do DEFAULTS[k] = http[k] end

-- one spec as a fresh client: the defaults back, its `then` on the same
-- client, and any connection KEEPALIVE kept dropped before the answer
local function serve_one(spec)
  for _, k in ipairs(SETTINGS) do http[k] = DEFAULTS[k] end
  if NAME == "httpref-lua" and type(spec["then"]) == "table" then http.KEEPALIVE = true end
  local result = safe(spec)
  if type(spec["then"]) == "table" then
    result["then"] = {}
    for i, sub in ipairs(spec["then"]) do
      if sub.timeout_s == nil then sub.timeout_s = spec.timeout_s end
      result["then"][i] = safe(sub)
    end
  end
  if http.close then http.close() end
  return result
end

local function check_spec(text)
  local ok, spec = pcall(cjson.decode, text)
  if not ok then return nil, tostring(spec) end
  if type(spec) ~= "table" then return nil, "spec is not an object" end
  if type(spec.url) ~= "string" then return nil, "spec has no string url", spec end
  return spec
end

if arg[2] == "--describe" then
  CAPS[#CAPS + 1] = "serve"
  io.write(cjson.encode({ name = NAME, version = VERSION, capabilities = CAPS }), "\n")
  os.exit(0)
end
if arg[2] == "--serve" then
  -- a spec per line until EOF; stdout carries answers only (print goes to stderr)
  print = function(...) io.stderr:write(table.concat({ ... }, "\t"), "\n") end
  for line in io.lines() do
    if line:find("%S") then
      local spec, err, partial = check_spec(line)
      local result
      if spec then
        result = serve_one(spec)
      else
        result = { outcome = "error", error = { class = "other", message = "bad request spec: " .. err },
                   implementation = { name = NAME, version = VERSION } }
      end
      local seq = (spec or partial or {}).serve_seq
      if seq ~= nil then result.serve_seq = seq end
      io.stdout:write(cjson.encode(result), "\n")
      io.stdout:flush()
    end
  end
  os.exit(0)
end
local spec, err = check_spec(io.read("a"))
if not spec then
  io.stderr:write(NAME .. " adapter: bad request spec: " .. err .. "\n")
  os.exit(2)
end
io.write(cjson.encode(serve_one(spec)), "\n")
