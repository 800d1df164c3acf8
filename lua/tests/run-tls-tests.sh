#!/usr/bin/env bash
# run-tls-tests.sh LUA_BINARY [LUA_CPATH_PREFIX]: starts tls_server.py (a
# throw-away CA, two loopback TLS servers), runs test-tls.lua against them.
set -u
lua_bin=$1
cpath_prefix=${2:-}
here=$(cd "$(dirname "$0")" && pwd)
lua_dir=$(cd "$here/.." && pwd)

coproc SERVER { exec /usr/bin/python3 "$here/tls_server.py"; }
server_pid=$SERVER_PID
cleanup() {
  exec {SERVER[1]}>&- 2>/dev/null || true
  kill "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
}
trap cleanup EXIT
line=
if ! read -t 60 -r line <&"${SERVER[0]}" || [ "${line%% *}" != PORTS ]; then
  echo "run-tls-tests: tls_server.py gave no PORTS line within 60 s (got: '$line')" >&2
  exit 1
fi
set -- $line
export HTTPREF_TLS_GOOD="https://127.0.0.1:$2" HTTPREF_TLS_WRONG="https://127.0.0.1:$3" HTTPREF_TLS_CA="$4"
export LUA_PATH="$here/?.lua;$lua_dir/?.lua;;"
export LUA_CPATH="$cpath_prefix;;"
# HTTPREF_LUA_PRELOAD (the asan build's sanitizer runtimes) goes to Lua only, not the server
if [ -n "${HTTPREF_LUA_PRELOAD:-}" ]; then
  LD_PRELOAD=$HTTPREF_LUA_PRELOAD timeout 120 "$lua_bin" "$here/test-tls.lua" </dev/null
else
  timeout 120 "$lua_bin" "$here/test-tls.lua" </dev/null
fi
