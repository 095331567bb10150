#!/usr/bin/env bash
# Builds and runs the libFuzzer targets (see fuzz.cmake).
#   run.sh build DIR                 configure DIR with clang + TRIPOD_FUZZ and build every target
#   run.sh run DIR SECONDS [T...]    run each target (default: all) for SECONDS on its committed
#                                    corpus; new inputs and crash artifacts go under DIR/work/
# Prints one "fuzz TARGET executions N" line per target; fails on the first crash.
set -euo pipefail

src="$(cd "$(dirname "$0")/.." && pwd)"
cmd="${1:?usage: run.sh build|run DIR ...}"
dir="${2:?build directory}"

if [ "$cmd" = build ]; then
  cmake -S "$src" -B "$dir" -DCMAKE_C_COMPILER=clang -DTRIPOD_FUZZ=ON \
        -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  exec cmake --build "$dir" -j "${JOBS:-2}" --target fuzz_all
fi

secs="${3:?seconds}"
shift 3
targets=("$@")
if [ "${#targets[@]}" -eq 0 ]; then
  for f in "$src"/fuzz/fuzz_*.c; do
    t="$(basename "$f" .c)"
    targets+=("${t#fuzz_}")
  done
fi

status=0
for t in "${targets[@]}"; do
  work="$dir/work/$t"
  mkdir -p "$work/new" "$work/crashes"
  log="$work/log.txt"
  # The first corpus directory receives new inputs, so the committed one stays as is.
  if "$dir/fuzz/fuzz_$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
       -print_final_stats=1 -artifact_prefix="$work/crashes/" \
       "$work/new" "$src/fuzz/corpus/$t" >"$log" 2>&1; then
    execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")"
    echo "fuzz $t executions ${execs:-?} seconds $secs corpus $(ls "$src/fuzz/corpus/$t" | wc -l)"
  else
    echo "fuzz $t FAILED; crash inputs in $work/crashes/, log:"
    tail -n 60 "$log"
    status=1
  fi
done
exit $status
