#!/usr/bin/env bash
# The judgement by time (issue 68), before and after in one run: `manage.py judgement_evaluate` (by time, through
# the desk's own path) on the labelled sets, for an earlier revision and for this tree, side by side.
#
#   bench/judgement_by_time.sh BEFORE_REV [SET.json ...]      # default: every set, the held-out ones first
#
# The earlier revision is checked out in a worktree under /tmp and given this tree's evaluation harness
# (mentions/judgement/by_time.py, evaluation.py, the command) and sets, so both sides are measured the same way;
# each side runs on its own fresh PostgreSQL database (by-time needs a desk with no labelled tickets of its own),
# both at once (two processes on two cores). Prints each side's report, before first.
set -euo pipefail
cd "$(dirname "$0")/.."
BEFORE=${1:?a revision to compare with, e.g. main or 8d388094}
shift || true
HERE=$(pwd)
PY=${PY:-$HERE/.venv/bin/python}
PG=${PG:-postgres://postgres@127.0.0.1:5432}
WT=/tmp/judgement-before-$(git rev-parse --short "$BEFORE")
[ -d "$WT" ] || git worktree add -f -q --detach "$WT" "$BEFORE"
for f in mentions/judgement/by_time.py mentions/judgement/evaluation.py \
  mentions/management/commands/judgement_evaluate.py mentions/judgement/eval/*.json; do
  cp "$f" "$WT/$f"
done
SETS=()
for s in "$@"; do SETS+=(--dataset "$s"); done
run() {  # side, tree
  local db="judgement_by_time_$1"
  psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null
  (cd "$2" && DATABASE_URL="$PG/$db" "$PY" manage.py migrate -v0 &&
    DATABASE_URL="$PG/$db" "$PY" manage.py judgement_evaluate "${SETS[@]}") >"/tmp/judgement-by-time-$1.txt" 2>&1
}
date -u +"started %Y-%m-%d %H:%M UTC"
run before "$WT" &
run after "$HERE" &
wait
date -u +"ended %Y-%m-%d %H:%M UTC"
echo "### before ($BEFORE)"; cat /tmp/judgement-by-time-before.txt
echo "### after ($(git rev-parse --short HEAD))"; cat /tmp/judgement-by-time-after.txt
