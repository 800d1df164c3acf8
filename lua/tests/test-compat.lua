-- The httpref.compat shim under programs written for LuaSocket.
--   lua test-compat.lua MODULE      (MODULE = socket.http | httpref)
-- Runs the three examples of LuaSocket's manual (manual-example-*.lua, copied
-- verbatim from docs/http.html) as they are: each says require("socket.http").
-- With MODULE httpref the shim is required first, so they get httpref; with
-- socket.http they get LuaSocket, which shows the expectations are LuaSocket's
-- own. The only change is where the hosts they name point: at route_server.py
-- (HTTPREF_TEST_BASE), and wrong.host at a name that cannot resolve.
local MODULE = arg[1]
assert(MODULE == "socket.http" or MODULE == "httpref", "usage: lua test-compat.lua socket.http|httpref")
local BASE = assert(os.getenv("HTTPREF_TEST_BASE"), "HTTPREF_TEST_BASE is not set")
local HOSTPORT = assert(BASE:match("^http://([^/]+)$"), "HTTPREF_TEST_BASE: http://host:port")

local here = (arg[0] or ""):match("^(.*)[/\\]") or "."
package.path = here .. "/?.lua;" .. package.path
local tap = require("tap")
local test, eq, ok, match = tap.test, tap.eq, tap.ok, tap.match

local expected -- the module table the programs must get
if MODULE == "httpref" then
  expected = require("httpref.compat")
  eq(expected, require("httpref"), "the shim returns the httpref module")
else
  expected = require("socket.http")
end
expected.TIMEOUT = 10

-- every call the programs make, counted on the module they should be using
local calls = 0
local real_request = expected.request
expected.request = function(...)
  calls = calls + 1
  return real_request(...)
end

-- run one example file in an environment of its own: its globals land there
local function run(file)
  local f = assert(io.open(here .. "/" .. file, "rb"))
  local text = f:read("*a")
  f:close()
  text = text:gsub("www%.cs%.princeton%.edu", HOSTPORT):gsub("www%.example%.com", HOSTPORT)
             :gsub("www%.tecgraf%.puc%-rio%.br", HOSTPORT):gsub("wrong%.host", "wrong.invalid")
  local env = setmetatable({}, { __index = _G })
  local chunk
  if setfenv then
    chunk = assert(loadstring(text, "@" .. file))
    setfenv(chunk, env)
  else
    chunk = assert(load(text, "@" .. file, "t", env))
  end
  local before = calls
  chunk()
  return env, calls - before
end

test("shim: require('socket.http') is the module under test", function()
  eq(require("socket.http"), expected, "package.loaded['socket.http']")
  if MODULE == "httpref" then
    local has_socket, socket = pcall(require, "socket")
    if has_socket then eq(socket.http, expected, "socket.http") end
  end
end)

test("manual example 1: the simple interface", function()
  -- its first request writes the page to io.stdout through ltn12.sink.file,
  -- which closes the file at the end: a named file stands in for stdout
  local name = os.tmpname()
  local out = assert(io.open(name, "wb"))
  local stdout = io.stdout
  io.stdout = out
  local okp, env, n = pcall(run, "manual-example-1.lua")
  io.stdout = stdout
  ok(okp, "the program raised: " .. tostring(env))
  eq(n, 3, "requests made through " .. MODULE)
  local rf = assert(io.open(name, "rb"))
  local page = rf:read("*a")
  rf:close()
  os.remove(name)
  match(page, "LuaSocket: HTTP support", "the manual page reached stdout")
  eq(env.c, 401, "c returns with value 401 (Authentication Required)")
  match(env.b, "401", "b returns some useless page telling about the denied access")
  match(env.h["www-authenticate"], "^Basic", "h returns authentication information")
  eq(env.r, nil, "r is nil")
  ok(env.e == "host or service not provided, or not known" or env.e == "temporary failure in name resolution",
    "e names the missing host as LuaSocket does, got " .. tap.show(env.e))
end)

test("manual example 2: HEAD through the generic interface", function()
  local env, n = run("manual-example-2.lua")
  eq(n, 1, "requests made through " .. MODULE)
  eq(env.r, 1, "r is 1")
  eq(env.c, 200, "c is 200")
  eq(env.h["content-length"], "15652", "the size of the document in advance")
  eq(env.h["content-type"], "text/html", "content-type")
end)

test("manual example 3: Basic authentication, from the URL and by header", function()
  local env, n = run("manual-example-3.lua")
  eq(n, 2, "requests made through " .. MODULE)
  match(env.b, "private index", "the URL's credentials were accepted")
  eq(env.r, 1, "r")
  eq(env.c, 200, "the header's credentials were accepted")
end)

tap.run()
