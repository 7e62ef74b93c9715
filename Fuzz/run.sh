#!/usr/bin/env bash
# Builds the fuzz targets (libFuzzer + AddressSanitizer) and runs each for SECONDS (default 60),
# starting from the seeds in corpus/<target>/. Prints the executions run per target; exits 1 if
# any target found a crash, a hang (-timeout), or an oversized allocation (-malloc_limit_mb),
# leaving the input that did it in .build/fuzz/artifacts/.
#   Fuzz/run.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:-60}
shift || true

# Longest input per target, a few times the seeds: enough for every header and field, short
# enough that each run explores the format rather than big data.
declare -A max_len=(
  [idx]=1024 [idx-dataset]=1024 [csv-dataset]=2048 [csv-features]=2048
  [training-case]=8192 [safetensors]=4096 [saved-model]=4096 [checkpoint]=8192
  [npy]=1024 [npz]=4096
)
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(idx idx-dataset csv-dataset csv-features training-case safetensors saved-model checkpoint npy npz)

# The toolset links with lld: gold fails on libFuzzer's main next to SwiftPM's entry-point symbol.
build=(swift build -c release --toolset "$PWD/toolset.json" -Xswiftc -sanitize=fuzzer,address)
"${build[@]}"
bin=$("${build[@]}" --show-bin-path)

work=.build/fuzz
mkdir -p "$work/artifacts"
# Crashes go to libFuzzer and ASan, not to Swift's interactive backtracer.
export SWIFT_BACKTRACE=enable=no
# Leaks reported inside Foundation and XCTest are not ours (see the file).
export LSAN_OPTIONS="suppressions=$PWD/../scripts/lsan.supp ${LSAN_OPTIONS:-}"
failed=()
for target in "${targets[@]}"; do
  # New inputs go to a scratch corpus; the seeds in the repository stay as they are.
  mkdir -p "$work/corpus/$target"
  log="$work/$target.log"
  status=0
  "$bin/fuzz-$target" "$work/corpus/$target" "corpus/$target" \
    -max_total_time="$seconds" -max_len="${max_len[$target]}" -timeout=10 -rss_limit_mb=2048 \
    -malloc_limit_mb=256 -print_final_stats=1 -artifact_prefix="$work/artifacts/$target-" >"$log" 2>&1 || status=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
  units=$(ls "$work/corpus/$target" | wc -l)
  if [ "$status" = 0 ]; then
    printf '%-14s %10s executions  %6s/s  %5s corpus units  ok\n' "$target" "${runs:-?}" "${rate:-?}" "$units"
  else
    printf '%-14s %10s executions  FAILED (exit %s): see %s\n' "$target" "${runs:-?}" "$status" "$log"
    grep -E '^==[0-9]+==ERROR|^SUMMARY|Test unit written|Fatal error|ALARM|out-of-memory|malloc\(' "$log" | head -5
    failed+=("$target")
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: ${#failed[@]} target(s) failed: ${failed[*]}" >&2
  exit 1
fi
