#!/usr/bin/env bash
# JDBC drivers come from Debian packages (jars under /usr/share/java). Installs only what is missing.
set -euo pipefail
missing=()
[ -f /usr/share/java/postgresql.jar ] || missing+=(libpostgresql-jdbc-java)
[ -f /usr/share/java/mariadb-java-client.jar ] || missing+=(libmariadb-java)
[ -f /usr/share/java/sqlite-jdbc.jar ] || [ -f /usr/share/java/xerial-sqlite-jdbc.jar ] || missing+=(libxerial-sqlite-jdbc-java)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing JDBC drivers: ${missing[*]}" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
else
  echo "error: missing JDBC driver packages: ${missing[*]} (sudo apt-get install ${missing[*]}," \
       "or point GLUEFORGE_JDBC_DRIVER_DIRS at a folder with the jars)" >&2
  exit 2
fi
