-- https through the binding (no LuaSec): lua test-tls.lua
-- Needs HTTPREF_TLS_GOOD / HTTPREF_TLS_WRONG (https://127.0.0.1:PORT) and
-- HTTPREF_TLS_CA (the throw-away CA) from tls_server.py (run-tls-tests.sh).
local tap = require("tap")
local http = require("httpref")

local GOOD, WRONG, CA = os.getenv("HTTPREF_TLS_GOOD"), os.getenv("HTTPREF_TLS_WRONG"), os.getenv("HTTPREF_TLS_CA")
assert(GOOD and WRONG and CA, "run through run-tls-tests.sh")
http.TIMEOUT = 10

tap.test("https with cafile: body, code, headers", function()
  local body, code, headers = http.request{ url = GOOD .. "/hello", cafile = CA,
    sink = nil }
  tap.eq(body, 1, "generic form returns 1")
  tap.eq(code, 200, "code")
  tap.eq(headers["content-type"], "text/plain", "headers")
end)

tap.test("https simple form with CAFILE set on the module", function()
  http.CAFILE = CA
  local body, code = http.request(GOOD .. "/hello")
  http.CAFILE = nil
  tap.eq(body, "hello", "body")
  tap.eq(code, 200, "code")
end)

tap.test("https from the URL parts: scheme = \"https\"", function()
  local port = GOOD:match(":(%d+)$")
  local parts = {}
  local ok, code = http.request{ scheme = "https", host = "localhost", port = port, path = "/hello",
    cafile = CA, sink = function(c) if c then parts[#parts + 1] = c end return 1 end }
  tap.eq(ok, 1, "ok")
  tap.eq(code, 200, "code")
  tap.eq(table.concat(parts), "hello", "body")
end)

tap.test("https without the CA: nil, message, TLS_VERIFY, detail", function()
  local r, msg, name, detail = http.request(GOOD .. "/hello")
  tap.eq(r, nil, "nil")
  tap.eq(msg, http.strerror(http.errors.TLS_VERIFY), "message")
  tap.eq(name, "TLS_VERIFY", "name")
  tap.ok(tostring(detail):find("is not trusted", 1, true), "detail says why: " .. tostring(detail))
end)

tap.test("https to a certificate for another name: TLS_VERIFY", function()
  local r, _, name, detail = http.request{ url = WRONG:gsub("127.0.0.1", "localhost") .. "/hello", cafile = CA }
  tap.eq(r, nil, "nil")
  tap.eq(name, "TLS_VERIFY", "name")
  tap.ok(tostring(detail):find("does not name it", 1, true), "detail says why: " .. tostring(detail))
end)

tap.test("verify = \"none\" skips the checks", function()
  local r, code = http.request{ url = WRONG .. "/hello", verify = "none" }
  tap.eq(r, 1, "ok")
  tap.eq(code, 200, "code")
end)

tap.test("verify other than peer/none raises", function()
  local ok = pcall(http.request, { url = GOOD, verify = "maybe" })
  tap.eq(ok, false, "raised")
end)

local has_socket, socket = pcall(require, "socket")
if has_socket then
  tap.test("https over a create() LuaSocket socket: TLS runs inside the binding", function()
    local r, code = http.request{ url = GOOD .. "/hello", cafile = CA, create = socket.tcp }
    tap.eq(r, 1, "ok")
    tap.eq(code, 200, "code")
  end)
else
  tap.skip("https over a create() LuaSocket socket: TLS runs inside the binding", "no LuaSocket")
end

tap.run()
