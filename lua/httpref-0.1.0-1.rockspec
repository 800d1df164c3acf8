-- LuaRocks build of the Lua binding: `luarocks make lua/httpref-0.1.0-1.rockspec`
-- from the repository root. The C client is compiled into the module, so the
-- rock needs nothing installed besides a C compiler and the Lua headers.
rockspec_format = "3.0"
package = "httpref"
version = "0.1.0-1"
source = {
  url = "git+https://example.invalid/httpref.git",  -- replace with the published repository
  tag = "v0.1.0",
}
description = {
  summary = "LuaSocket's socket.http API on a strict HTTP/1.1 client",
  detailed = [[
require("httpref") instead of require("socket.http"): the same request(url [, body])
and request{...} forms, LTN12 sinks and sources, TIMEOUT/USERAGENT/PROXY, on the
strict reference client libhttpref (RFC 9110/9112). require("httpref.compat") makes
require("socket.http") return it. Differences: lua/COMPATIBILITY.md.
]],
  license = "MIT",
}
dependencies = {
  "lua >= 5.1",
}
build = {
  type = "builtin",
  modules = {
    httpref = "lua/httpref.lua",
    ["httpref.compat"] = "lua/httpref/compat.lua",
    ["httpref.core"] = {
      sources = {
        "lua/src/httpref_core.c",
        "client/src/auth_digest.c", "client/src/auth_parse.c", "client/src/hx_hash.c",
        "client/src/client.c", "client/src/conn.c", "client/src/deadline.c", "client/src/errors.c",
        "client/src/h1_body.c", "client/src/h1_chunked.c", "client/src/h1_framing.c",
        "client/src/h1_head.c", "client/src/h1_reader.c", "client/src/h1_section.c",
        "client/src/handle.c", "client/src/hx.c", "client/src/receive.c", "client/src/redirect.c",
        "client/src/request.c", "client/src/response.c", "client/src/send.c",
        "client/src/transport_tcp.c", "client/src/transport_tls.c", "client/src/tunnel.c",
        "client/src/url.c",
      },
      -- built without HTTPREF_HAVE_TLS: no libssl needed, an https URL is a numbered error
      -- saying so (the CMake build links OpenSSL when it finds it)
      incdirs = { "client/include", "client/src", "lua/src" },
      libraries = { "m" },
    },
  },
}
