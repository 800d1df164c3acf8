#!/usr/bin/env bash
# ctest: an installed libhttpref is usable through pkg-config and find_package(httpref).
set -euo pipefail
build=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
cat > "$tmp/use.c" <<'C'
#include <httpref.h>
#include <string.h>
int main(void) { return strcmp(httpref_code_name(HTTPREF_E_BAD_CHUNK_SIZE), "BAD_CHUNK_SIZE") != 0; }
C
cc "$tmp/use.c" $(PKG_CONFIG_PATH="$tmp/prefix/lib/pkgconfig" pkg-config --cflags --libs httpref) \
   -Wl,-rpath,"$tmp/prefix/lib" -o "$tmp/use-pc"
"$tmp/use-pc"
mkdir "$tmp/proj"
printf 'cmake_minimum_required(VERSION 3.20)\nproject(use C)\nfind_package(httpref REQUIRED)\nadd_executable(use %s)\ntarget_link_libraries(use PRIVATE httpref::httpref)\n' "$tmp/use.c" > "$tmp/proj/CMakeLists.txt"
cmake -S "$tmp/proj" -B "$tmp/proj/b" -DCMAKE_PREFIX_PATH="$tmp/prefix" >/dev/null
cmake --build "$tmp/proj/b" >/dev/null
"$tmp/proj/b/use"
echo "install tree usable through pkg-config and find_package(httpref)"
