#!/usr/bin/env bash
# rockspec_build.sh: `luarocks make` the rockspec in a scratch copy of the
# sources (LuaRocks' builtin type writes .o files beside them), install into a
# scratch tree and load the result. Exit 77 (ctest: skipped) without luarocks.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
command -v luarocks >/dev/null || { echo "luarocks not installed: skipped"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/src/client" "$tmp/src/lua"
cp -r "$root/client/include" "$root/client/src" "$tmp/src/client/"
cp -r "$root/lua/src" "$root/lua/httpref.lua" "$root"/lua/*.rockspec "$tmp/src/lua/"
cd "$tmp/src"
luarocks --lua-version 5.4 --tree "$tmp/tree" make lua/httpref-*.rockspec >"$tmp/build.log" 2>&1 \
  || { cat "$tmp/build.log"; exit 1; }
LUA_PATH="$tmp/tree/share/lua/5.4/?.lua;;" LUA_CPATH="$tmp/tree/lib/lua/5.4/?.so;;" lua5.4 -e '
  local http = require("httpref")
  assert(type(http.request) == "function" and http.TIMEOUT == 60, "module shape")
  local r, msg, name = http.request("http://127.0.0.1:1/")
  assert(r == nil and name == "CONNECT", "refused port gives nil, msg, CONNECT: " .. tostring(name))
  print("rockspec build ok: " .. http._VERSION)'
