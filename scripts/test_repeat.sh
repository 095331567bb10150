#!/usr/bin/env bash
# `make test-repeat N=5`: `make test` N times in a row in one fresh clone of
# this repository's HEAD (what is committed: uncommitted changes are not
# tested), tests two at a time as CI runs them, stopping at the first failed
# run and saying which. BUSY=1 also keeps every core busy with other work
# for the whole time, as a shared machine is. Each run's output is kept in
# the clone's directory, printed at the end only for a failed run.
set -euo pipefail
N=${1:-5}
BUSY=${BUSY:-0}
here=$(cd "$(dirname "$0")/.." && pwd)
dir=$(mktemp -d /tmp/tripod-repeat-XXXXXX)
chmod 755 "$dir" # the PostgreSQL tests run initdb as the postgres user inside it
hogs=()
stop_hogs() {
    for pid in "${hogs[@]}"; do kill "$pid" 2>/dev/null || true; done
}
trap stop_hogs EXIT
git clone -q "$here" "$dir/tripod"
echo "test-repeat: $N runs of make test in $dir/tripod ($(git -C "$dir/tripod" log -1 --format='%h %s'))"
if [ "$BUSY" = 1 ]; then
    for _ in $(seq "$(nproc)"); do
        sh -c 'while :; do :; done' &
        hogs+=($!)
    done
    echo "test-repeat: $(nproc) busy loops compete for the cores"
fi
for i in $(seq "$N"); do
    log="$dir/run-$i.log"
    start=$(date +%s)
    if make -C "$dir/tripod" test JOBS=2 >"$log" 2>&1; then
        echo "test-repeat: run $i/$N passed in $(( $(date +%s) - start )) s: $(grep -E 'tests passed' "$log" | tr '\n' ';')"
    else
        echo "test-repeat: run $i/$N FAILED after $(( $(date +%s) - start )) s; its log: $log"
        grep -E "^\s+[0-9]+ - |Failed|\*\*\*" "$log" | tail -20 || true
        exit 1
    fi
done
echo "test-repeat: all $N runs passed"
rm -rf "$dir"
