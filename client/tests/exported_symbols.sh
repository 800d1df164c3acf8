#!/usr/bin/env bash
# exported_symbols.sh LIB HEADER: the dynamic symbols LIB defines are exactly the
# functions HEADER declares with HTTPREF_API (nm -D), nothing internal leaks.
set -euo pipefail
lib=$1 header=$2
# a --coverage build links libgcov's runtime in, which exports __gcov_* and mangle_path
got=$(nm -D --defined-only "$lib" | awk '$2 ~ /[TDBRW]/ {print $3}' | grep -Ev '^(__gcov_|mangle_path$)' | sort)
want=$(grep -o '^HTTPREF_API [^(]*(' "$header" | sed 's/($//; s/.*[ *]//' | sort)
if [[ "$got" != "$want" ]]; then
  echo "exported symbols differ from httpref.h's HTTPREF_API functions:" >&2
  diff <(echo "$want") <(echo "$got") >&2 || true
  exit 1
fi
echo "libhttpref exports $(echo "$got" | wc -l) symbols, all declared in httpref.h"
