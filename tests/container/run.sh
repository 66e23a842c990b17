#!/usr/bin/env bash
# The container test (issue 45): build the desk's image, start compose.yaml's stack with podman, and use it as a
# team would: /health/ answers, an advocate signs in, a signed webhook becomes a ticket in the queue, a worker runs
# a task, and a job queued while the worker container restarts is run once it is back. Everything is torn down at
# the end, whatever happened. `make container-test` runs it; it prints each step's time and the image's size.
#
# No image registry is reachable here, so the base is made from Debian's packages (mmdebstrap, cached in
# var/container/), and PostgreSQL and Redis run from images built on it (services.Containerfile) in place of
# postgres:15 and redis:7: the compose file is the one a team uses, with its images substituted by variables.
# Podman's settings for this machine (runc, cgroupfs, ulimits of 4096) come from containers.conf beside this file.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
HERE=tests/container
CACHE=var/container
mkdir -p "$CACHE"
export CONTAINERS_CONF="$ROOT/$HERE/containers.conf"

started=$(date +%s)
step_started=$started
step() {  # step NAME: print how long the previous step took, then announce the next
    local now
    now=$(date +%s)
    printf '    (%ss)\n== %s\n' "$((now - step_started))" "$1"
    step_started=$now
}

# --- tools: Debian's podman and mmdebstrap; podman-compose from PyPI in its own venv (Debian's 1.0.3 ignores
# depends_on conditions, which the migrate service relies on) ------------------------------------------------------
need=()
command -v podman >/dev/null || need+=(podman)
command -v mmdebstrap >/dev/null || need+=(mmdebstrap)
command -v runc >/dev/null || need+=(runc)
command -v newuidmap >/dev/null || need+=(uidmap)
if [ ${#need[@]} -gt 0 ]; then
    echo "installing ${need[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
COMPOSE_VENV="$CACHE/compose-venv"
if [ ! -x "$COMPOSE_VENV/bin/podman-compose" ]; then
    python3 -m venv "$COMPOSE_VENV"
    "$COMPOSE_VENV/bin/pip" install --quiet "podman-compose==1.6.0"
fi
# podman-compose from this venv.
export PATH="$ROOT/$COMPOSE_VENV/bin:$PATH"

# --- the base: Debian bookworm's python3, with this machine's certificate authorities (pip reaches PyPI through
# them from inside a build as it does from the host) ----------------------------------------------------------------
step "base image"
BASE_TAR="$CACHE/base-bookworm.tar"
if [ ! -s "$BASE_TAR" ]; then
    mmdebstrap --quiet --variant=minbase --include=python3,python3-venv,python3-pip,ca-certificates \
        --customize-hook='copy-in /usr/local/share/ca-certificates /usr/local/share' \
        --customize-hook='chroot "$1" update-ca-certificates' \
        bookworm "$BASE_TAR.tmp.tar"
    mv "$BASE_TAR.tmp.tar" "$BASE_TAR"
fi
BASE=localhost/desk-test-base:bookworm
podman image exists "$BASE" || podman import --quiet "$BASE_TAR" "$BASE" >/dev/null

step "postgres and redis images (Debian's packages)"
podman build --quiet --build-arg BASE_IMAGE="$BASE" --target postgres -t localhost/desk-test-postgres:15 \
    -f "$HERE/services.Containerfile" "$HERE" >/dev/null
podman build --quiet --build-arg BASE_IMAGE="$BASE" --target redis -t localhost/desk-test-redis:7 \
    -f "$HERE/services.Containerfile" "$HERE" >/dev/null

step "the desk's image (Containerfile)"
IMAGE=localhost/triage-desk:container-test
build_started=$(date +%s)
podman build --format docker --build-arg BASE_IMAGE="$BASE" -t "$IMAGE" -f Containerfile . >"$CACHE/build.log" 2>&1 \
    || { tail -30 "$CACHE/build.log"; exit 1; }
build_seconds=$(($(date +%s) - build_started))
# (--format docker: the OCI image format has no HEALTHCHECK, and podman builds OCI unless told.)
image_bytes=$(podman image inspect --format '{{.Size}}' "$IMAGE")
echo "image $IMAGE: $((image_bytes / 1024 / 1024)) MiB, built in ${build_seconds}s"
# The final stage has no compiler and runs as the desk user.
if podman run --rm "$IMAGE" sh -c 'command -v gcc || command -v cc'; then echo "a compiler is in the image" >&2; exit 1; fi
[ "$(podman run --rm "$IMAGE" id -un)" = desk ] || { echo "the image does not run as desk" >&2; exit 1; }

# --- the stack: compose.yaml as shipped, with this test's images, env file, port and project name -----------------
export COMPOSE_PROJECT_NAME=desk-container-test
export DESK_IMAGE="$IMAGE" DESK_POSTGRES_IMAGE=localhost/desk-test-postgres:15 DESK_REDIS_IMAGE=localhost/desk-test-redis:7
export DESK_PORT=${DESK_TEST_PORT:-18765} DESK_BIND=127.0.0.1
export POSTGRES_PASSWORD
POSTGRES_PASSWORD=$(python3 -c 'import secrets; print(secrets.token_hex(16))')
export DESK_ENV_FILE="$ROOT/$CACHE/test.env"
cat >"$DESK_ENV_FILE" <<ENV
SECRET_KEY=$(python3 -c 'import secrets; print(secrets.token_hex(32))')
DESK_ENCRYPTION_KEY=$(python3 -c 'import secrets; print(secrets.token_hex(32))')
ALLOWED_HOSTS=127.0.0.1
SITE_URL=https://127.0.0.1:$DESK_PORT
BEHIND_TLS_PROXY=true
DESK_PROXY_HOPS=1
WEB_CONCURRENCY=2
ENV
# podman 4.3 (Debian 12) has no `podman compose` subcommand (4.7 and later run this same provider from it).
compose() { podman-compose -f "$ROOT/compose.yaml" "$@"; }
teardown() {
    local status=$?
    if [ "$status" != 0 ]; then  # what the desk's processes said, for the failure above
        for service in migrate web worker; do
            echo "--- $service's log (last 40 lines)"
            podman logs --tail 40 "${COMPOSE_PROJECT_NAME}_${service}_1" 2>&1 || true
        done
    fi
    echo "== tear down"
    compose down --volumes --timeout 20 >"$CACHE/down.log" 2>&1 || cat "$CACHE/down.log"
    # And any container of the project compose no longer lists (a replica started with --scale).
    podman ps -aq --filter "label=com.docker.compose.project=$COMPOSE_PROJECT_NAME" | xargs -r podman rm -f >/dev/null
    podman volume rm -f "${COMPOSE_PROJECT_NAME}_postgres-data" "${COMPOSE_PROJECT_NAME}_redis-data" >/dev/null 2>&1 || true
}
trap teardown EXIT
compose down --volumes >/dev/null 2>&1 || true  # a stack left by an interrupted run

step "podman-compose up -d"
up_started=$(date +%s)
# In two commands: podman 4.3 cannot start a container that requires one which has exited (the finished migrate:
# "depends on container ... not found in input list"), so the migrations are run and waited for first, then the
# rest is started without dependencies. docker compose and newer podman take the single `up -d` the docs show.
compose up -d migrate >"$CACHE/up.log" 2>&1 || { tail -30 "$CACHE/up.log"; exit 1; }
migrated=$(podman wait "${COMPOSE_PROJECT_NAME}_migrate_1")
[ "$migrated" = 0 ] || { echo "migrate exited $migrated" >&2; podman logs --tail 30 "${COMPOSE_PROJECT_NAME}_migrate_1"; exit 1; }
echo "migrations applied after $(($(date +%s) - up_started))s"
compose up -d --no-deps web worker meaning beat >>"$CACHE/up.log" 2>&1 || { tail -30 "$CACHE/up.log"; exit 1; }
BASE_URL="http://127.0.0.1:$DESK_PORT"
for _ in $(seq 120); do
    python3 -c "import urllib.request,sys; urllib.request.urlopen(sys.argv[1], timeout=2)" "$BASE_URL/health/" \
        >/dev/null 2>&1 && break
    sleep 1
done
curl_health=$(python3 -c "import urllib.request,sys; print(urllib.request.urlopen(sys.argv[1], timeout=5).read().decode())" "$BASE_URL/health/")
echo "/health/ after $(($(date +%s) - up_started))s: $curl_health"
compose ps

# The image's own HEALTHCHECK, run by hand (podman runs healthchecks on a timer only under systemd).
web=$(podman ps --filter "label=com.docker.compose.project=$COMPOSE_PROJECT_NAME" \
    --filter "label=com.docker.compose.service=web" --format '{{.Names}}' | head -n1)
podman healthcheck run "$web" && echo "HEALTHCHECK of $web: healthy"

step "an advocate, a webhook channel"
SECRET=$(python3 -c 'import secrets; print(secrets.token_hex(16))')
PASSWORD=$(python3 -c 'import secrets; print(secrets.token_urlsafe(16))')
compose exec -T -e DESK_TEST_PASSWORD="$PASSWORD" -e DESK_TEST_SECRET="$SECRET" web python manage.py shell -c '
import os
from django.contrib.auth.models import Group, User
from channels.models import Channel
user = User.objects.create_user("casey", password=os.environ["DESK_TEST_PASSWORD"])
user.groups.add(Group.objects.get_or_create(name="Advocates")[0])
channel = Channel(kind="webhook", name="Container relay", slug="container-relay", config={}, our_accounts=[])
channel.credentials = {"secret": os.environ["DESK_TEST_SECRET"]}
channel.save()
print("user", user.username, "channel", channel.slug)
'

step "sign in, post a signed webhook, see the ticket on the queue"
python3 "$HERE/smoke.py" "$BASE_URL" casey "$PASSWORD" container-relay "$SECRET"

step "a worker task"
worker=$(podman ps --filter "label=com.docker.compose.project=$COMPOSE_PROJECT_NAME" \
    --filter "label=com.docker.compose.service=worker" --format '{{.Names}}' | head -n1)
enqueue() {  # enqueue: queue mentions.sla_sweep from the web container, print its task id
    # Retried: podman 4.3's DNS (aardvark-dns 1.4) answers "Name or service not known" for a moment after a
    # container of the network stops, and the connection fails before anything is sent.
    local id
    for _ in 1 2 3 4 5; do
        if id=$(compose exec -T web python manage.py shell -c \
            'from mentions.tasks import sla_sweep; print(sla_sweep.delay().id)' 2>"$CACHE/enqueue.err" | tail -n1) \
            && [ -n "$id" ]; then
            echo "$id"
            return 0
        fi
        sleep 2
    done
    tail -5 "$CACHE/enqueue.err" >&2
    return 1
}
ran() {  # ran TASK_ID: wait until the worker's log says the task succeeded
    for _ in $(seq 60); do
        podman logs "$worker" 2>&1 | grep -q "Task mentions.sla_sweep\[$1\] succeeded" && return 0
        sleep 1
    done
    echo "task $1 did not run; the worker's log:" >&2
    podman logs --tail 30 "$worker" >&2
    return 1
}
task=$(enqueue)
ran "$task" && echo "worker ran mentions.sla_sweep[$task]"

step "restart the worker container with a job queued"
compose stop worker >/dev/null 2>&1
task=$(enqueue)
queued=$(compose exec -T redis redis-cli llen celery | tr -d '\r')
echo "worker stopped; mentions.sla_sweep[$task] queued ($queued message(s) waiting in the celery queue)"
[ "$queued" -ge 1 ] || { echo "the job is not waiting in Redis" >&2; exit 1; }
compose start worker >/dev/null 2>&1
ran "$task" && echo "worker back; it ran mentions.sla_sweep[$task]: nothing lost"

step "two workers (--scale worker=2, as docs/operations.md shows)"
compose up -d --no-deps --scale worker=2 worker >>"$CACHE/up.log" 2>&1 || { tail -30 "$CACHE/up.log"; exit 1; }
workers=$(podman ps --filter "label=com.docker.compose.project=$COMPOSE_PROJECT_NAME" \
    --filter "label=com.docker.compose.service=worker" --format '{{.Names}}')
echo "workers running: $(echo "$workers" | tr '\n' ' ')"
[ "$(echo "$workers" | wc -l)" = 2 ] || { echo "--scale worker=2 did not start two workers" >&2; exit 1; }
tasks=()
for _ in 1 2 3 4 5 6; do tasks+=("$(enqueue)"); done
for id in "${tasks[@]}"; do  # each job run by one of the two workers, once
    for _ in $(seq 60); do
        runs=0
        for name in $workers; do
            runs=$((runs + $(podman logs "$name" 2>&1 | grep -c "Task mentions.sla_sweep\[$id\] succeeded" || true)))
        done
        [ "$runs" -ge 1 ] && break
        sleep 1
    done
    [ "$runs" = 1 ] || { echo "mentions.sla_sweep[$id] ran $runs times across the two workers" >&2; exit 1; }
done
for name in $workers; do
    echo "$name ran $(podman logs "$name" 2>&1 | grep -c 'Task mentions.sla_sweep\[.*\] succeeded' || true) sweep(s)"
done
echo "6 jobs on two workers: each run once"
# Back to one worker. podman-compose 1.6 leaves the second running on `--scale worker=1`, so it is removed by name.
podman rm -f "${COMPOSE_PROJECT_NAME}_worker_2" >/dev/null

step "back up and restore (docs/operations.md's commands)"
compose exec -T postgres pg_dump -U desk -Fc desk >"$CACHE/backup.dump"
echo "pg_dump: $(stat -c %s "$CACHE/backup.dump") bytes"
compose stop web worker meaning beat >/dev/null 2>&1
compose exec -T postgres pg_restore -U desk -d desk --clean --if-exists <"$CACHE/backup.dump"
compose start web worker meaning beat >/dev/null 2>&1
tickets=$(compose exec -T postgres psql -U desk -d desk -tAc 'select count(*) from mentions_ticket' | tr -d '\r')
[ "$tickets" = 1 ] || { echo "after the restore: $tickets tickets, not 1" >&2; exit 1; }
for _ in $(seq 60); do
    python3 -c "import urllib.request,sys; urllib.request.urlopen(sys.argv[1], timeout=2)" "$BASE_URL/health/" \
        >/dev/null 2>&1 && break
    sleep 1
done
echo "restored: $tickets ticket, /health/ $(python3 -c "import urllib.request,sys; print(urllib.request.urlopen(sys.argv[1], timeout=5).status)" "$BASE_URL/health/")"
rm -f "$CACHE/backup.dump"

step "done"
echo "image size: $((image_bytes / 1024 / 1024)) MiB; build: ${build_seconds}s; total: $(($(date +%s) - started))s"
