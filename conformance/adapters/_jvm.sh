# Shared by the JVM adapter wrappers (sourced, POSIX sh): run CLASS from the
# classes the build put in $build/adapters/jvm/classes, or say why it cannot.
#   jvm_run NAME CLASS -- ARGS...
# C1 only and the serial collector: a short-lived JVM starts fastest so, and a
# serve-mode one spends its time waiting on sockets, not computing. The opened
# package lets java-urlconnection empty the JVM-wide keep-alive cache between specs.
. "$(dirname "$0")/_compiled.sh"
jvm_run() {
  classes=$build/adapters/jvm/classes
  compiled_check "$1" "$classes/httpref/adapters/$2.class" "command -v java >/dev/null" openjdk-17-jdk-headless
  class=$2
  shift 3
  exec java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xshare:auto -Xmx1g \
    --add-opens java.base/sun.net.www.http=ALL-UNNAMED -cp "$classes" "httpref.adapters.$class" "$@"
}
