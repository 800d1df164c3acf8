#!/usr/bin/env bash
# run-api-tests.sh LUA_BINARY MODULE [LUA_CPATH_PREFIX]
# Starts route_server.py, points test-api.lua (or $SUITE, a file beside it:
# test-luasocket.lua, test-compat.lua) at it, exits with the suite's status.
#   bash lua/tests/run-api-tests.sh lua5.4 socket.http
#   bash lua/tests/run-api-tests.sh lua5.4 httpref '/work/main/build/lua/5.4/?.so;'
# Needs no terminal: the server's stdin is our coprocess pipe, so it also exits
# when this script dies.
set -u

if [ $# -lt 2 ] || [ $# -gt 3 ]; then
  echo "usage: $0 LUA_BINARY MODULE [LUA_CPATH_PREFIX]" >&2
  exit 2
fi
lua_bin=$1
module=$2
cpath_prefix=${3:-}

here=$(cd "$(dirname "$0")" && pwd)
suite=$here/${SUITE:-test-api.lua}
lua_dir=$(cd "$here/.." && pwd)

coproc SERVER { exec /usr/bin/python3 "$here/route_server.py"; }
server_pid=$SERVER_PID
cleanup() {
  # close our end of its stdin (EOF stops it), then make sure
  exec {SERVER[1]}>&- 2>/dev/null || true
  kill "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
}
trap cleanup EXIT

line=
if ! read -t 10 -r line <&"${SERVER[0]}" || [ "${line%% *}" != PORT ]; then
  echo "run-api-tests: route_server.py gave no PORT line within 10 s (got: '$line')" >&2
  exit 1
fi
export HTTPREF_TEST_BASE="http://127.0.0.1:${line#PORT }"

# ';;' keeps Lua's default search path after ours
export LUA_PATH="$lua_dir/?.lua;${LUA_PATH:-;}"
export LUA_CPATH="$cpath_prefix${LUA_CPATH:-;;}"
case "${LUA_PATH}" in *';;'*) ;; *) LUA_PATH="$LUA_PATH;;" ;; esac
case "${LUA_CPATH}" in *';;'*) ;; *) LUA_CPATH="$LUA_CPATH;;" ;; esac

# the suite bounds each request (TIMEOUT 10); this bounds the whole run
# HTTPREF_LUA_PRELOAD (the asan build's sanitizer runtimes) goes to Lua only, not the server
if [ -n "${HTTPREF_LUA_PRELOAD:-}" ]; then
  LD_PRELOAD=$HTTPREF_LUA_PRELOAD timeout 300 "$lua_bin" "$suite" "$module" </dev/null
else
  timeout 300 "$lua_bin" "$suite" "$module" </dev/null
fi
status=$?
exit $status
