#!/usr/bin/env bash
# Debian packages glueforge needs at run time: the JDBC drivers (jars under /usr/share/java) and Graphviz
# (`dot`, which draws the migrator's DAG pictures). Installs only what is missing.
set -euo pipefail
missing=()
[ -f /usr/share/java/postgresql.jar ] || missing+=(libpostgresql-jdbc-java)
[ -f /usr/share/java/mariadb-java-client.jar ] || missing+=(libmariadb-java)
[ -f /usr/share/java/sqlite-jdbc.jar ] || [ -f /usr/share/java/xerial-sqlite-jdbc.jar ] || missing+=(libxerial-sqlite-jdbc-java)
command -v dot >/dev/null 2>&1 || missing+=(graphviz)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing Debian packages: ${missing[*]}" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "error: missing Debian packages: ${missing[*]} (sudo apt-get install ${missing[*]};" \
       "JDBC jars may instead come from a folder named by GLUEFORGE_JDBC_DRIVER_DIRS)" >&2
  exit 2
fi
