# Shared by the wrappers of compiled adapters (sourced, POSIX sh): run the
# binary the build put in $build/adapters, or say why it cannot run.
#   compiled_run NAME BINARY-PATH PRESENT-TEST DEBIAN-PACKAGES -- ARGS...
# PRESENT-TEST is a shell condition telling whether the client is installed:
# false -> exit 4 (not installed), binary missing -> exit 3 (not built).
# compiled_check takes the same first four and only checks (for wrappers that
# run the build's output through an interpreter).
here=$(cd "$(dirname "$0")" && pwd)
build=${HTTPREF_BUILD_DIR:-$here/../../build}
compiled_check() {
  if ! eval "$3"; then
    echo "$1 adapter: not installed (Debian package $4)" >&2
    exit 4
  fi
  if [ ! -f "$2" ]; then
    echo "$1 adapter: $2 not built (cmake -S . -B build && cmake --build build)" >&2
    exit 3
  fi
}
compiled_run() {
  compiled_check "$1" "$2" "$3" "$4"
  bin=$2
  shift 5
  exec "$bin" "$@"
}
