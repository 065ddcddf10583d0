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
