#!/usr/bin/env bash
# PostgreSQL (127.0.0.1:5432, trust, users postgres + root, database test) and
# MariaDB (127.0.0.1:3306, root with empty password, database test): start them, installing on Debian if absent.
set -uo pipefail
is_root() { [ "$(id -u)" = 0 ]; }
pg_up() { (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; }
my_up() { (exec 3<>/dev/tcp/127.0.0.1/3306) 2>/dev/null; }
wait_for() { for _ in $(seq 1 30); do "$1" && return 0; sleep 1; done; return 1; }

if ! pg_up; then
  if ! ls /etc/postgresql/*/main >/dev/null 2>&1 && is_root && command -v apt-get >/dev/null; then
    echo "installing PostgreSQL" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    v=$(ls /etc/postgresql | head -1)
    sed -i 's/^\(local\|host\)\(.*\)\(peer\|scram-sha-256\|md5\)$/\1\2trust/' /etc/postgresql/$v/main/pg_hba.conf
  fi
  if ls /etc/postgresql/*/main >/dev/null 2>&1; then
    pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql | head -1) main start 2>/dev/null || true
    wait_for pg_up || echo "warning: PostgreSQL did not come up" >&2
    if command -v psql >/dev/null && is_root; then
      su postgres -c "psql -qtAc \"SELECT 1 FROM pg_roles WHERE rolname='root'\"" 2>/dev/null | grep -q 1 \
        || su postgres -c "psql -qc 'CREATE ROLE root SUPERUSER LOGIN'" >/dev/null 2>&1 || true
      su postgres -c "psql -qtAc \"SELECT 1 FROM pg_database WHERE datname='test'\"" 2>/dev/null | grep -q 1 \
        || su postgres -c "psql -qc 'CREATE DATABASE test'" >/dev/null 2>&1 || true
    fi
  else
    echo "warning: PostgreSQL is not installed and cannot be installed here" >&2
  fi
fi

if ! my_up; then
  if [ ! -x /usr/sbin/mariadbd ] && is_root && command -v apt-get >/dev/null; then
    echo "installing MariaDB" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mariadb-server >/dev/null
  fi
  if [ -x /usr/sbin/mariadbd ]; then
    mkdir -p /run/mysqld && chown mysql:mysql /run/mysqld 2>/dev/null || true
    start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd 2>/dev/null || true
    wait_for my_up || echo "warning: MariaDB did not come up" >&2
    if command -v mariadb >/dev/null && is_root; then
      mariadb -uroot -e "CREATE DATABASE IF NOT EXISTS test" >/dev/null 2>&1 || true
    fi
  else
    echo "warning: MariaDB is not installed and cannot be installed here" >&2
  fi
fi
exit 0
