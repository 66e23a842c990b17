#!/usr/bin/env bash
# The container test (issues 45 and 55): build the desk's image, start compose.yaml's stack with podman, and use it
# as a team would, on the demo's network (DESK_DEMO_REPLAY and seed_demo, as `make run` has them): /health/
# answers; a plain `up -d` starts no profile-only service; an advocate signs in and a signed webhook becomes a
# ticket; a channel is polled by the worker (ingest) and its tickets judged (meaning); our docs are indexed
# (knowledge); the release story's replies are sent from the desk (sends); a job queued while the worker is
# stopped runs when it is back; two workers share jobs; docs/operations.md's backup and restore blocks run as
# written; and once the run settles every list in Redis is empty. Everything of the run is torn down at the end,
# whatever happened. `make container-test` runs it; it prints each step's time and the image's size.
#
# No image registry is reachable here, so the base is made from Debian's packages (mmdebstrap, cached in
# var/container/), and PostgreSQL and Redis run from images built on it (services.Containerfile) in place of
# postgres:15 and redis:7: the compose file is the one a team uses, with its images substituted by variables.
# Podman's settings for this machine (runc, cgroupfs, ulimits of 4096) come from containers.conf beside this file.
set -euo pipefail
# A command that stops the run says which it was (a silent exit once left only the containers' logs to guess from).
trap 'echo "stopped at line $LINENO: $BASH_COMMAND (exit $?)" >&2' ERR
cd "$(dirname "$0")/../.."
ROOT=$PWD
HERE=tests/container
CACHE=var/container
mkdir -p "$CACHE"
export CONTAINERS_CONF="$ROOT/$HERE/containers.conf"

# A project of its own: two runs on one host (two worktrees, CI beside a developer) never stop, remove or reuse each
# other's containers, volumes, network or port. Its files (env, logs, the dump) live in a directory of its own.
export COMPOSE_PROJECT_NAME="desk-ct-$$-$(python3 -c 'import secrets; print(secrets.token_hex(3))')"
RUN="$ROOT/$CACHE/runs/$COMPOSE_PROJECT_NAME"
mkdir -p "$RUN"
echo "compose project $COMPOSE_PROJECT_NAME (files in ${RUN#"$ROOT"/})"

started=$(date +%s)
step_started=$started
step() {  # step NAME: print how long the previous step took, then announce the next
    local now
    now=$(date +%s)
    printf '    (%ss)\n== %s\n' "$((now - step_started))" "$1"
    step_started=$now
}

# --- tools: Debian's podman and mmdebstrap; podman-compose 1.6 from PyPI in its own venv, as docs/operations.md
# tells the operator (Debian's 1.0.3 starts profile-only services, ignores --scale and writes into exec's output) ---
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
export PATH="$ROOT/$COMPOSE_VENV/bin:$PATH"
podman-compose version | head -n1

# --- the base: Debian bookworm's python3, with this machine's certificate authorities (pip reaches PyPI through
# them from inside a build as it does from the host) ----------------------------------------------------------------
step "base image"
BASE_TAR="$CACHE/base-bookworm.tar"
if [ ! -s "$BASE_TAR" ]; then
    mmdebstrap --quiet --variant=minbase --include=python3,python3-venv,python3-pip,ca-certificates \
        --customize-hook='copy-in /usr/local/share/ca-certificates /usr/local/share' \
        --customize-hook='chroot "$1" update-ca-certificates' \
        bookworm "$BASE_TAR.$$.tar"
    mv "$BASE_TAR.$$.tar" "$BASE_TAR"
fi
BASE=localhost/desk-test-base:bookworm
podman image exists "$BASE" || podman import --quiet "$BASE_TAR" "$BASE" >/dev/null

step "postgres and redis images (Debian's packages)"
podman build --quiet --build-arg BASE_IMAGE="$BASE" --target postgres -t localhost/desk-test-postgres:15 \
    -f "$HERE/services.Containerfile" "$HERE" >/dev/null
podman build --quiet --build-arg BASE_IMAGE="$BASE" --target redis -t localhost/desk-test-redis:7 \
    -f "$HERE/services.Containerfile" "$HERE" >/dev/null

step "the desk's image (Containerfile)"
IMAGE=localhost/triage-desk:$COMPOSE_PROJECT_NAME
build_started=$(date +%s)
podman build --format docker --build-arg BASE_IMAGE="$BASE" -t "$IMAGE" -f Containerfile . >"$RUN/build.log" 2>&1 \
    || { tail -30 "$RUN/build.log"; exit 1; }
build_seconds=$(($(date +%s) - build_started))
# (--format docker: the OCI image format has no HEALTHCHECK, and podman builds OCI unless told.)
image_bytes=$(podman image inspect --format '{{.Size}}' "$IMAGE")
echo "image $IMAGE: $((image_bytes / 1024 / 1024)) MiB, built in ${build_seconds}s"
# The final stage has no compiler and runs as the desk user.
if podman run --rm "$IMAGE" sh -c 'command -v gcc || command -v cc'; then echo "a compiler is in the image" >&2; exit 1; fi
[ "$(podman run --rm "$IMAGE" id -un)" = desk ] || { echo "the image does not run as desk" >&2; exit 1; }

# --- the stack: compose.yaml as shipped, with this run's images, env file, port and project name ------------------
export DESK_IMAGE="$IMAGE" DESK_POSTGRES_IMAGE=localhost/desk-test-postgres:15 DESK_REDIS_IMAGE=localhost/desk-test-redis:7
DESK_PORT=${DESK_TEST_PORT:-$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
export DESK_PORT DESK_BIND=127.0.0.1
export POSTGRES_PASSWORD
POSTGRES_PASSWORD=$(python3 -c 'import secrets; print(secrets.token_hex(16))')
export DESK_ENV_FILE="$RUN/test.env"
# The demo's network: every platform the desk polls or posts to is answered inside the containers
# (channels.demo.replay); any other host is refused.
# DESK_FETCH_ALLOWED_NETWORKS: the docs server this test runs on the worker container's loopback is the team's own
# server, listed as an operator lists theirs (docs/configuration.md); everything else stays refused by the fetch guard.
cat >"$DESK_ENV_FILE" <<ENV
SECRET_KEY=$(python3 -c 'import secrets; print(secrets.token_hex(32))')
DESK_ENCRYPTION_KEY=$(python3 -c 'import secrets; print(secrets.token_hex(32))')
ALLOWED_HOSTS=127.0.0.1
SITE_URL=https://127.0.0.1:$DESK_PORT
BEHIND_TLS_PROXY=true
DESK_PROXY_HOPS=1
WEB_CONCURRENCY=2
DESK_DEMO_REPLAY=true
DESK_FETCH_ALLOWED_NETWORKS=127.0.0.1/32
ENV
export COMPOSE_FILE="$ROOT/compose.yaml"
# podman 4.3 (Debian 12) has no `podman compose` subcommand (4.7 and later run this same provider from it).
compose() { podman-compose "$@"; }
containers() {  # containers SERVICE: this project's running containers of SERVICE
    podman ps --filter "label=com.docker.compose.project=$COMPOSE_PROJECT_NAME" \
        --filter "label=com.docker.compose.service=$1" --format '{{.Names}}'
}
teardown() {
    local status=$?
    if [ "$status" != 0 ]; then  # what the desk's processes said, for the failure above
        for service in migrate web worker meaning; do
            echo "--- $service's log (last 40 lines)"
            podman logs --tail 40 "${COMPOSE_PROJECT_NAME}_${service}_1" 2>&1 || true
        done
    fi
    echo "== tear down $COMPOSE_PROJECT_NAME"
    compose down --volumes --timeout 20 >"$RUN/down.log" 2>&1 || cat "$RUN/down.log"
    # And whatever of the project compose no longer lists (a replica started with --scale), by the project's label.
    podman ps -aq --filter "label=com.docker.compose.project=$COMPOSE_PROJECT_NAME" | xargs -r podman rm -f >/dev/null
    podman volume ls -q --filter "label=com.docker.compose.project=$COMPOSE_PROJECT_NAME" \
        | xargs -r podman volume rm -f >/dev/null
    podman network ls -q --filter "label=com.docker.compose.project=$COMPOSE_PROJECT_NAME" \
        | xargs -r podman network rm -f >/dev/null 2>&1 || true
    podman rmi "$IMAGE" >/dev/null 2>&1 || true  # the tag only: the layers stay cached for the next run
    rm -rf "$RUN"
}
trap teardown EXIT
# What an earlier run left when it could not tear down (killed with SIGKILL, the machine restarted): a project whose
# run's process is gone. A project whose run is still going, here or in another worktree, is left alone.
for stale in $(podman ps -a --format '{{index .Labels "com.docker.compose.project"}}' | grep -E '^desk-ct-[0-9]+-' | sort -u); do
    pid=${stale#desk-ct-}
    pid=${pid%%-*}
    ! kill -0 "$pid" 2>/dev/null || continue
    echo "removing $stale, left by a run that is gone"
    podman ps -aq --filter "label=com.docker.compose.project=$stale" | xargs -r podman rm -f >/dev/null
    podman volume ls -q --filter "label=com.docker.compose.project=$stale" | xargs -r podman volume rm -f >/dev/null
    podman network ls -q --filter "label=com.docker.compose.project=$stale" | xargs -r podman network rm -f >/dev/null 2>&1 || true
done
inside() {  # inside STEP [-e VAR=value...]: tests/container/inside.py's STEP in the web container, its JSON line
    local step=$1
    shift
    compose exec -T -e DESK_TEST_STEP="$step" "$@" web python manage.py shell -c "$(cat "$HERE/inside.py")" \
        2>>"$RUN/inside.err" | tail -n1
}
field() { python3 -c 'import json, sys; print(eval("j" + sys.argv[1], {"j": json.loads(sys.stdin.read())}))' "$1"; }
health() {
    for _ in $(seq 120); do
        python3 -c "import urllib.request,sys; urllib.request.urlopen(sys.argv[1], timeout=2)" "$BASE_URL/health/" \
            >/dev/null 2>&1 && break
        sleep 1
    done
    python3 -c "import urllib.request,sys; print(urllib.request.urlopen(sys.argv[1], timeout=5).read().decode())" \
        "$BASE_URL/health/"
}
BASE_URL="http://127.0.0.1:$DESK_PORT"
empty() { [ "$(echo "$1" | field '["lists"] and not any(j["lists"].values())')" = True ]; }
settle() {  # settle: wait (3 minutes at most) until every list in Redis is empty; the last reading in $queues
    queues=""
    for _ in $(seq 60); do
        # A reading that failed is read again: once, right after the second worker was removed, the containers'
        # names did not resolve for a moment ("could not translate host name"), and the run stopped there.
        queues=$(inside queues) || { sleep 2; continue; }
        empty "$queues" && return 0
        sleep 2
    done
}

step "podman-compose up: migrate, web, the demo, then the desk's workers"
up_started=$(date +%s)
# podman 4.3 cannot create a container that requires one which has exited (the finished migrate: "depends on
# container ... not found in input list"), so the migrations are run and waited for first, then the rest is started
# without dependencies, as docs/operations.md says for podman 4.3. The demo is seeded before the workers and beat
# start, as `make run` seeds it before honcho starts them (its first reads are its own, not raced by beat's polls).
compose up -d migrate >"$RUN/up.log" 2>&1 || { tail -30 "$RUN/up.log"; exit 1; }
migrated=$(podman wait "${COMPOSE_PROJECT_NAME}_migrate_1")
[ "$migrated" = 0 ] || { echo "migrate exited $migrated" >&2; podman logs --tail 30 "${COMPOSE_PROJECT_NAME}_migrate_1"; exit 1; }
echo "migrations applied after $(($(date +%s) - up_started))s"
compose up -d --no-deps web >>"$RUN/up.log" 2>&1 || { tail -30 "$RUN/up.log"; exit 1; }
echo "/health/ after $(($(date +%s) - up_started))s: $(health)"
# seed_demo prints the demo users' new passwords: kept out of the output and the run's files.
compose exec -T web python manage.py seed_demo 2>&1 | grep -E '^(Demo|Stories|Answers)' || { echo "seed_demo failed" >&2; exit 1; }
PASSWORD=$(python3 -c 'import secrets; print(secrets.token_urlsafe(16))')
SECRET=$(python3 -c 'import secrets; print(secrets.token_hex(16))')
DOCS_PORT=18080
setup=$(inside setup -e DESK_TEST_PASSWORD="$PASSWORD" -e DESK_TEST_SECRET="$SECRET" -e DESK_TEST_DOCS_PORT="$DOCS_PORT")
echo "set up: $setup"
STORY=$(echo "$setup" | field '["story"]')
compose up -d --no-deps worker meaning beat >>"$RUN/up.log" 2>&1 || { tail -30 "$RUN/up.log"; exit 1; }
compose ps --format '{{.Names}} {{.Status}}' 2>/dev/null || compose ps

# The image's own HEALTHCHECK, run by hand (podman runs healthchecks on a timer only under systemd).
web=$(containers web | head -n1)
podman healthcheck run "$web" && echo "HEALTHCHECK of $web: healthy"

step "a plain up -d (the documented command) starts no profile-only service"
compose up -d >>"$RUN/up.log" 2>&1 || { tail -30 "$RUN/up.log"; exit 1; }
profiled=$(podman ps -a --filter "label=com.docker.compose.project=$COMPOSE_PROJECT_NAME" --format '{{.Names}}' \
    | grep -E '_(slack|discord)_' || true)
[ -z "$profiled" ] || { echo "up -d started profile-only services: $profiled" >&2; exit 1; }
echo "after up -d: $(podman ps --filter "label=com.docker.compose.project=$COMPOSE_PROJECT_NAME" --format '{{.Names}}' \
    | sed "s/^${COMPOSE_PROJECT_NAME}_//" | sort | tr '\n' ' ')running; no slack, no discord"

step "sign in, post a signed webhook, see the ticket on the queue"
python3 "$HERE/smoke.py" webhook "$BASE_URL" advocate "$PASSWORD" container-relay "$SECRET"

step "every queue at work: a poll (ingest), its judgement (meaning), our docs (knowledge), the story's replies (sends)"
worker=$(containers worker | head -n1)
# Our docs, on the worker container's own loopback; the hourly index queued now, as beat would queue it.
podman exec -d "$worker" python "$HERE/docs_server.py" "$DOCS_PORT" >/dev/null
compose exec -T web python manage.py shell -c 'from answers.tasks import index_docs; print(index_docs.delay().id)' \
    >/dev/null 2>>"$RUN/inside.err"
python3 "$HERE/smoke.py" story-send "$BASE_URL" advocate "$PASSWORD" "$STORY"
for _ in $(seq 90); do
    status=$(inside status)
    if [ "$(echo "$status" | field '["polled_tickets"] > 0 and j["polled_judged"] == j["polled_tickets"] and j["docs_indexed"] > 0 and j["sent_messages"] > 0 and set(j["replies"]) == {"sent"}')" = True ]; then
        break
    fi
    sleep 2
done
echo "the desk's state: $status"
polled=$(podman logs "$worker" 2>&1 | grep -m1 -E "poll: channel=container-mastodon \{'received': [1-9]" || true)
[ -n "$polled" ] || { echo "the worker's log shows no poll of container-mastodon that received anything" >&2; exit 1; }
echo "worker: $polled"
[ "$(echo "$status" | field '["polled_tickets"]')" -gt 0 ] || { echo "the poll stored no ticket" >&2; exit 1; }
[ "$(echo "$status" | field '["polled_judged"] == j["polled_tickets"]')" = True ] \
    || { echo "meaning: not every polled ticket was judged" >&2; exit 1; }
echo "meaning: $(echo "$status" | field '["polled_judged"]') of $(echo "$status" | field '["polled_tickets"]') polled tickets judged; $(echo "$status" | field '["unjudged"]') of $(echo "$status" | field '["tickets"]') tickets unjudged in all"
[ "$(echo "$status" | field '["docs_indexed"]')" -gt 0 ] || { echo "knowledge: no docs page indexed" >&2; exit 1; }
echo "worker: $(podman logs "$worker" 2>&1 | grep -m1 -E 'Task answers.docs_index\[.*succeeded')"
[ "$(echo "$status" | field '["replies"] == {"sent": j["sent_messages"]}')" = True ] \
    || { echo "sends: the story's replies are $(echo "$status" | field '["replies"]')" >&2; exit 1; }
echo "worker: $(podman logs "$worker" 2>&1 | grep -m1 -E 'Task stories.answer_send\[.*succeeded')"
echo "sends: $(echo "$status" | field '["sent_messages"]') replies posted by our accounts, e.g. $(echo "$status" | field '["sent_sample"]')"

step "a worker task"
enqueue() {  # enqueue: queue mentions.sla_sweep from the web container, print its task id
    # Retried: podman 4.3's DNS (aardvark-dns 1.4) answers "Name or service not known" for a moment after a
    # container of the network stops, and the connection fails before anything is sent.
    local id
    for _ in 1 2 3 4 5; do
        if id=$(compose exec -T web python manage.py shell -c \
            'from mentions.tasks import sla_sweep; print(sla_sweep.delay().id)' 2>"$RUN/enqueue.err" | tail -n1) \
            && [ -n "$id" ]; then
            echo "$id"
            return 0
        fi
        sleep 2
    done
    tail -5 "$RUN/enqueue.err" >&2
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

step "two workers (--scale worker=2, podman 4.3's form in docs/operations.md)"
compose up -d --no-deps --scale worker=2 worker >>"$RUN/up.log" 2>&1 || { tail -30 "$RUN/up.log"; exit 1; }
workers=$(containers worker)
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

step "back up and restore: docs/operations.md's blocks, as written"
doc_block() {  # doc_block NAME: the sh block after docs/operations.md's "<!-- container-test: NAME ..." line
    awk -v mark="<!-- container-test: $1 " '
        index($0, mark) == 1 { found = 1; next }
        found && $0 == "```sh" { inside = 1; next }
        inside && $0 == "```" { exit }
        inside { print }
    ' docs/operations.md
}
backup=$(doc_block backup)
restore=$(doc_block restore)
[ -n "$backup" ] && [ -n "$restore" ] || { echo "docs/operations.md has no backup or restore block" >&2; exit 1; }
# Beat stopped first, and its last work let finish: a poll storing a ticket between the dump and the restore would
# make the counts below differ for a reason of the test's own (the restore block starts beat again).
compose stop beat >/dev/null 2>&1
settle
tickets_before=$(compose exec -T postgres psql -U desk -d desk -tAc 'select count(*) from mentions_ticket' | tr -d '\r')
(
    # Run where an operator would, in a directory of their own with the compose file named by COMPOSE_FILE. `podman
    # compose` is podman-compose 1.6 here, as podman 4.7 and later would run it; every other word is the docs'.
    cd "$RUN"
    podman() { if [ "${1:-}" = compose ]; then shift; podman-compose "$@"; else command podman "$@"; fi; }
    printf '$ %s\n' "$backup"
    eval "$backup"
    bytes=$(stat -c %s "$dump")
    [ "$(head -c 5 "$dump")" = PGDMP ] || { echo "$dump does not start as pg_dump's custom format" >&2; exit 1; }
    if grep -qaF "$POSTGRES_PASSWORD" "$dump"; then echo "$dump holds POSTGRES_PASSWORD" >&2; exit 1; fi
    command podman cp "$dump" "$postgres":/tmp/desk-count.dump
    tables=$(command podman exec "$postgres" pg_restore --list /tmp/desk-count.dump | grep -c ' TABLE DATA ' || true)
    command podman exec "$postgres" rm /tmp/desk-count.dump
    expected=$(compose exec -T postgres psql -U desk -d desk -tAc \
        "select count(*) from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'public' and c.relkind = 'r'" | tr -d '\r')
    [ "$tables" = "$expected" ] || { echo "$dump lists $tables tables' data, the database has $expected" >&2; exit 1; }
    echo "$dump: $bytes bytes, pg_dump's custom format ($tables tables' data listed by pg_restore --list), without POSTGRES_PASSWORD"
    printf '$ %s\n' "$restore"
    eval "$restore" >"$RUN/restore.log" 2>&1 || { cat "$RUN/restore.log"; exit 1; }
)
tickets_after=$(compose exec -T postgres psql -U desk -d desk -tAc 'select count(*) from mentions_ticket' | tr -d '\r')
[ "$tickets_after" = "$tickets_before" ] || { echo "after the restore: $tickets_after tickets, not $tickets_before" >&2; exit 1; }
echo "restored: $tickets_after tickets, as before; /health/ $(health)"

step "the run settles: beat stopped, every list in Redis empty"
compose stop beat >/dev/null 2>&1
settle
echo "$queues" | field '["lists"]' | python3 -c 'import ast, sys; [print(f"  queue {k}: {v} message(s)") for k, v in ast.literal_eval(sys.stdin.read()).items()]'
echo "  taken, not yet acknowledged: $(echo "$queues" | field '["unacked"]')"
empty "$queues" || { echo "messages are left in Redis: a queue no process serves, or one that never drains" >&2; exit 1; }
echo "every queue empty"

step "done"
echo "image size: $((image_bytes / 1024 / 1024)) MiB; build: ${build_seconds}s; total: $(($(date +%s) - started))s"
