# Sourced by every script: finds a JDK 25+ and exports JAVA_HOME, or stops with a clear message.
_pt_java_ok() { [[ -x "$1/bin/java" ]] && "$1/bin/java" -version 2>&1 | head -1 | grep -Eq 'version "(2[5-9]|[3-9][0-9])'; }
if [[ -d /usr/lib/jvm/temurin-25-jdk-amd64 ]] && _pt_java_ok /usr/lib/jvm/temurin-25-jdk-amd64; then
  export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
elif [[ -n "${JAVA_HOME:-}" ]] && _pt_java_ok "$JAVA_HOME"; then
  export JAVA_HOME
elif command -v java >/dev/null && _pt_java_ok "$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")"; then
  export JAVA_HOME="$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")"
else
  echo "Promptune needs JDK 25 or newer: none found at /usr/lib/jvm/temurin-25-jdk-amd64, in JAVA_HOME or on the PATH." >&2
  echo "Install Temurin 25 (e.g. apt-get install temurin-25-jdk from Adoptium's repository) and try again." >&2
  exit 3
fi
export PATH="$JAVA_HOME/bin:$PATH"

# Maven, quiet, with the stray colour-reset codes Maven 3.8 prints on JDK 25 (even in batch mode) and the
# JVM's per-fork incubator warning dropped; returns Maven's own exit status.
pt_mvn() {
  mvn -q "$@" 2>&1 | sed -u -e 's/\x1b\[0m//g' -e '/^WARNING: Using incubator modules/d'
  return "${PIPESTATUS[0]}"
}
