#!/usr/bin/env bash
# rockspec_build.sh: `luarocks make` the rockspec for Lua 5.1, 5.3 and 5.4,
# each in a scratch copy of the sources (LuaRocks' builtin type writes .o
# files beside them), installed into a scratch tree, then loaded; the 5.1
# rock is also loaded by LuaJIT (same ABI). A version whose interpreter or
# headers are missing is skipped. Exit 77 (ctest: skipped) without luarocks.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
command -v luarocks >/dev/null || { echo "luarocks not installed: skipped"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# every library source is in the rockspec: a file added to client/src and not listed
# there builds here but leaves the rock with an undefined symbol at load time
missing=$(cd "$root" && for f in client/src/*.c; do grep -q "\"$f\"" lua/httpref-*.rockspec || echo "$f"; done)
[ -z "$missing" ] || { echo "rockspec does not list: $missing"; exit 1; }

# load the installed rock: module shape, the compat shim, a refused port
check='
  local http = require("httpref")
  assert(type(http.request) == "function" and http.TIMEOUT == 60, "module shape")
  assert(require("httpref.compat") == http and package.loaded["socket.http"] == http, "compat shim")
  local r, msg, name = http.request("http://127.0.0.1:1/")
  assert(r == nil and name == "CONNECT", "refused port gives nil, msg, CONNECT: " .. tostring(name))
  print("rockspec build ok: " .. http._VERSION .. " on " .. (jit and jit.version or _VERSION))'

built=0
for v in 5.1 5.3 5.4; do
  if ! command -v "lua$v" >/dev/null || [ ! -f "/usr/include/lua$v/lua.h" ]; then
    echo "Lua $v: no interpreter or headers, skipped"
    continue
  fi
  src=$tmp/src-$v
  mkdir -p "$src/client" "$src/lua"
  cp -r "$root/client/include" "$root/client/src" "$src/client/"
  cp -r "$root/lua/src" "$root/lua/httpref.lua" "$root/lua/httpref" "$root"/lua/*.rockspec "$src/lua/"
  (cd "$src" && luarocks --lua-version "$v" --tree "$tmp/tree" make lua/httpref-*.rockspec) \
    >"$tmp/build-$v.log" 2>&1 || { cat "$tmp/build-$v.log"; exit 1; }
  interps="lua$v"
  if [ "$v" = 5.1 ] && command -v luajit >/dev/null; then interps="$interps luajit"; fi
  for lua in $interps; do
    LUA_PATH="$tmp/tree/share/lua/$v/?.lua;;" LUA_CPATH="$tmp/tree/lib/lua/$v/?.so;;" "$lua" -e "$check"
  done
  built=$((built + 1))
done
[ "$built" -gt 0 ] || { echo "no Lua version to build for"; exit 1; }
