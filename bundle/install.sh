#!/usr/bin/env bash
# Installs jcnn's command line as a self-contained tree that needs no Java on the machine:
#
#   PREFIX/runtime/     a Java runtime trimmed by jlink to the modules jcnn uses
#   PREFIX/lib/jcnn.jar the runnable jar (jcnn with JCuda and its Linux x86-64 natives, picocli, XChart, ...)
#   PREFIX/jcnn         the launcher: runs the jar on that runtime with the Vector API module
#
#   bundle/install.sh PREFIX [JAR]
#
# JAR defaults to the newest src/target/jcnn-*-all.jar (mvn -B -DskipTests package -pl src -am builds it). Needs a
# JDK 17+ for jlink (JAVA_HOME's, or the PATH's javac's). The Docker image (Dockerfile) and the portable GPU bundle
# (bundle/build.sh) are both made by this script, and a test runs it and the installed launcher during mvn verify.
set -euo pipefail

fail() {
    echo "install: $*" >&2
    exit 1
}

[ $# -ge 1 ] && [ $# -le 2 ] || fail "usage: bundle/install.sh PREFIX [JAR]"
root=$(cd "$(dirname "$0")/.." && pwd)
prefix=$1
jar=${2:-$(ls -t "$root"/src/target/jcnn-*-all.jar 2>/dev/null | head -n 1 || true)}
[ -n "$jar" ] && [ -f "$jar" ] \
    || fail "no jcnn jar ${2:-in $root/src/target}: build it first (mvn -B -DskipTests package -pl src -am)"

if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/jlink" ]; then
    jlink=$JAVA_HOME/bin/jlink
elif command -v javac >/dev/null 2>&1; then
    jlink=$(dirname "$(readlink -f "$(command -v javac)")")/jlink
fi
[ -x "${jlink:-}" ] || fail "jlink not found: install a JDK 17+ or set JAVA_HOME"

[ ! -e "$prefix/runtime" ] || fail "$prefix/runtime already exists: install into a new or empty folder"
mkdir -p "$prefix/lib"

# The modules jdeps reports for the jar (XChart and image reading need java.desktop), plus what the bundle's JUnit
# console and JCuda's native loading use (the console scans the tests jar through the zip file system) and what the
# benchmarks' machine description reads (jdk.management: the physical memory).
modules=java.base,java.desktop,java.logging,java.net.http,java.management,jdk.management,jdk.unsupported,jdk.zipfs
modules=$modules,jdk.incubator.vector
# jlink's output is only a warning about the incubator module, unless it fails.
if ! log=$("$jlink" --add-modules "$modules" --strip-debug --no-header-files --no-man-pages --compress=2 \
        --output "$prefix/runtime" 2>&1); then
    fail "jlink failed: $log"
fi
cp "$jar" "$prefix/lib/jcnn.jar"

cat > "$prefix/jcnn" <<'LAUNCHER'
#!/bin/sh
# jcnn's command line on the runtime beside it. JCNN_JAVA_OPTS passes options to the JVM (for example -Xmx8g).
here=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
exec "$here/runtime/bin/java" --add-modules jdk.incubator.vector ${JCNN_JAVA_OPTS:-} -jar "$here/lib/jcnn.jar" "$@"
LAUNCHER
chmod +x "$prefix/jcnn"
