-- httpref.compat: for a program that cannot change its require. Loaded first,
--   require("httpref.compat")         -- or: lua -l httpref.compat program.lua
-- it makes every later require("socket.http") return the httpref module. If
-- LuaSocket's core is installed, socket.http names it too, as LuaSocket's own
-- http.lua does; ltn12, mime and socket.url stay LuaSocket's.
local http = require("httpref")
package.loaded["socket.http"] = http
local has_socket, socket = pcall(require, "socket")
if has_socket and type(socket) == "table" then socket.http = http end
return http
