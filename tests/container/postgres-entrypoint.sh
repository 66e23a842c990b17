#!/bin/sh
# The public postgres image's start, as much of it as compose.yaml relies on: a first start initialises PGDATA
# with POSTGRES_USER (password POSTGRES_PASSWORD, scram) in UTF8 and creates POSTGRES_DB; every start listens on all
# addresses of the container's network.
set -eu
if [ ! -s "$PGDATA/PG_VERSION" ]; then
    printf '%s' "$POSTGRES_PASSWORD" > /tmp/pwfile
    # UTF8, as the public image's initdb makes it (its locale is en_US.utf8): the minimal base has no locale, and
    # initdb would otherwise make an SQL_ASCII cluster that refuses the desk's non-ASCII text.
    initdb -D "$PGDATA" -U "$POSTGRES_USER" --pwfile=/tmp/pwfile --auth-local=trust --auth-host=scram-sha-256 \
        --encoding=UTF8 --locale=C.UTF-8 >/dev/null
    rm -f /tmp/pwfile
    echo "host all all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
    pg_ctl -D "$PGDATA" -o "-c listen_addresses=''" -w start >/dev/null
    createdb -U "$POSTGRES_USER" "${POSTGRES_DB:-$POSTGRES_USER}"
    pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null
fi
exec postgres -D "$PGDATA" -c listen_addresses='*'
