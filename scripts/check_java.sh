#!/usr/bin/env bash
# Spark 3.5 needs a JVM; glueforge is tested on Java 17.
set -euo pipefail
if ! command -v java >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    # the JDK, not only the JRE: make setup also compiles glueforge's local file system (glueforge/local_fs.py)
    echo "Java not found: installing openjdk-17-jdk-headless" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jdk-headless >/dev/null
  else
    echo "error: Java 17 is required (Debian/Ubuntu: sudo apt-get install openjdk-17-jre-headless; macOS: brew install openjdk@17)" >&2
    exit 2
  fi
fi
version=$(java -version 2>&1 | head -1)
case "$version" in
  *'"17'*|*' 17'*) ;;
  *) echo "warning: glueforge is tested with Java 17, found: $version" >&2 ;;
esac
