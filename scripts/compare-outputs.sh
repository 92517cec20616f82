#!/usr/bin/env bash
# Runs the default flow (as `npm start` does) and a queued run (3 shards, two worker job slots, a
# Redis of its own) with a given commit and with the working tree, fingerprints every file each
# wrote (scripts/fingerprint-run.ts) and prints the files whose bytes differ. An empty difference
# is what a pure restructuring must give.
#
#   bash scripts/compare-outputs.sh 790bbeb            # needs redis-server on PATH
#   bash scripts/compare-outputs.sh 790bbeb HEAD       # two commits (the second instead of the working tree)
#   KEEP=1 bash scripts/compare-outputs.sh HEAD~3      # keep the runs to look at them
set -euo pipefail
base=${1:?usage: compare-outputs.sh COMMIT [COMMIT]}
work=${2:-}
here=$(cd "$(dirname "$0")/.." && pwd)
root=$(mktemp -d /tmp/rafcast-compare.XXXXXX)
cleanup() {
  [ -n "${worker:-}" ] && kill "$worker" 2>/dev/null || true
  [ -n "${redis:-}" ] && kill "$redis" 2>/dev/null || true
  git -C "$here" worktree remove --force "$root/base-tree" 2>/dev/null || true
  [ -n "$work" ] && git -C "$here" worktree remove --force "$root/work-tree" 2>/dev/null || true
  [ -n "${KEEP:-}" ] || rm -rf "$root"
}
trap cleanup EXIT
git -C "$here" worktree add --detach "$root/base-tree" "$base" > /dev/null 2>&1
ln -s "$here/node_modules" "$root/base-tree/node_modules"
worktree=$here
if [ -n "$work" ]; then
  git -C "$here" worktree add --detach "$root/work-tree" "$work" > /dev/null 2>&1
  ln -s "$here/node_modules" "$root/work-tree/node_modules"
  worktree=$root/work-tree
fi

port=$((20000 + RANDOM % 20000))
redis-server --port "$port" --save '' --appendonly no > "$root/redis.log" 2>&1 &
redis=$!
sleep 0.5

fingerprint() { (cd "$here" && npx tsx scripts/fingerprint-run.ts "$@"); }

for side in base work; do
  mkdir -p "$root/$side"
  tree=$worktree; [ "$side" = base ] && tree=$root/base-tree
  (cd "$tree" && npm run build --if-present > /dev/null 2>&1 || true)
  echo "== $side: in process" >&2
  (cd "$tree" && node bin/rafcast.js run --data "$root/$side/data" --as-of 2024 --generate 20000 --out "$root/$side/run" > "$root/$side-run.log" 2>&1)
  echo "== $side: queued, 3 shards" >&2
  (cd "$tree" && exec node bin/rafcast.js worker --redis "redis://127.0.0.1:$port" --concurrency 2 > "$root/$side-worker.log" 2>&1) &
  worker=$!
  (cd "$tree" && node bin/rafcast.js run --data "$root/$side/data" --as-of 2024 --shards 3 --redis "redis://127.0.0.1:$port" --out "$root/$side/queued" > "$root/$side-queued.log" 2>&1)
  kill -INT "$worker"; wait "$worker" 2>/dev/null || true; worker=
  fingerprint "$root/$side/data" > "$root/$side-data.txt"
  fingerprint "$root/$side/run" "$root/$side/data" > "$root/$side-run.txt"
  # queued-run.json names the enqueue's run key, which holds the time.
  fingerprint "$root/$side/queued" "$root/$side/data" | grep -v ' queued-run.json$' > "$root/$side-queued.txt"
done

status=0
for part in data run queued; do
  if diff <(sed 's/  / /' "$root/base-$part.txt") <(sed 's/  / /' "$root/work-$part.txt") > "$root/$part.diff"; then
    echo "$part: $(wc -l < "$root/work-$part.txt") files, byte-identical"
  else
    status=1
    echo "$part: differs"
    grep '^[<>]' "$root/$part.diff" | awk '{print $1, $3}' | sort -k2 | uniq
  fi
done
exit $status
