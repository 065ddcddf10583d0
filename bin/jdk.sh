# Sourced by bin/serve and bin/test: makes JAVA_HOME point at a JDK 21 or newer.
# Order: $JAVA_HOME if new enough, then `java` on the PATH, then the newest JDK under /usr/lib/jvm.
java_major() {
  "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p' | cut -d. -f1
}
herald_pick_jdk() {
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ] && [ "$(java_major "$JAVA_HOME/bin/java")" -ge 21 ]; then
    return 0
  fi
  if command -v java >/dev/null 2>&1 && [ "$(java_major java)" -ge 21 ]; then
    JAVA_HOME="$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")"
    export JAVA_HOME
    return 0
  fi
  best=""; best_major=0
  for home in /usr/lib/jvm/* /opt/java/* "$HOME"/.sdkman/candidates/java/*; do
    [ -x "$home/bin/javac" ] || continue
    major=$(java_major "$home/bin/java")
    if [ "${major:-0}" -ge 21 ] && [ "$major" -gt "$best_major" ]; then best="$home"; best_major=$major; fi
  done
  if [ -z "$best" ]; then
    echo "Herald needs a JDK 21 or newer; none found. Install one (for example Temurin 21 or 25) or set JAVA_HOME." >&2
    return 1
  fi
  export JAVA_HOME="$best"
}
herald_pick_jdk

# The JVM options bin/serve starts Herald with when HERALD_JAVA_OPTS is unset (docs/OPERATIONS.md
# and docs/BENCHMARKS.md explain the choice): the serial collector with a fixed 64 MiB young
# generation keeps memory per idle connection at a few KiB, where G1's growing young generation
# adds several KiB per connection; on JDK 25+, compact object headers save 4 bytes per object.
herald_default_java_opts() {
  local opts="-XX:+UseSerialGC -Xmn64m"
  if [ "$(java_major "$JAVA_HOME/bin/java")" -ge 25 ]; then
    opts="$opts -XX:+UseCompactObjectHeaders"
  fi
  echo "$opts"
}
HERALD_DEFAULT_JAVA_OPTS="$(herald_default_java_opts)"
