#!/usr/bin/env bash
# Coverage-guided fuzzing of the kenpo-formats readers (cargo-fuzz / libFuzzer).
#
#   scripts/fuzz.sh [TARGET...] [-n RUNS] [-t SECONDS]
#
#   TARGET      uke, checkup_archive, roster, benefits (default: all four, one after another)
#   -n RUNS     executions per target (default 10000000; 0 = no limit)
#   -t SECONDS  wall-clock limit per target (default 1800; 0 = no limit); whichever of -n / -t
#               comes first ends the target
#   --no-build  run the binaries already built
#   --asan      build with AddressSanitizer (cargo fuzz's default; about 2x slower, and its
#               quarantine is counted in -rss_limit_mb, so it is shrunk to 16 MiB here). The
#               default is no sanitizer: the readers and their dependencies are safe Rust, and
#               what is looked for is a panic, an overflow, a hang or the reader's own memory.
#
# Needs cargo-fuzz (`cargo install cargo-fuzz`) and a stable toolchain: RUSTC_BOOTSTRAP=1 lets
# it pass its nightly-only flags (-Zsanitizer=…, when --asan). Builds go to $CARGO_TARGET_DIR (default
# /work/fuzz-target), never to the workspace's target/. Everything runs under `nice -n 19` and
# one libFuzzer process at a time. Limits: -timeout=1 -rss_limit_mb=256 -malloc_limit_mb=256.
#
# Corpus: fuzz/corpus/<target> (scratch, git-ignored) starts from fuzz/corpus-seed/<target>.
# Findings: fuzz/artifacts/<target>/{crash,timeout,oom,leak}-*; minimise one with
#   fuzz/target/.../<target> -minimize_crash=1 -runs=100000 <file>   (see the printed command).
# A reproducer worth keeping goes to crates/formats/tests/fuzz-regressions/<target>/, which
# crates/formats/tests/fuzz_regressions.rs replays under `cargo test -p kenpo-formats`.
# Logs: fuzz/artifacts/<target>/fuzz.log. Exit status 1 if any target found something.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
FUZZ="$ROOT/fuzz"
ALL_TARGETS=(uke checkup_archive roster benefits)
RUNS=10000000
SECONDS_LIMIT=1800
BUILD=1
SANITIZER=none
TARGETS=()
while [[ $# -gt 0 ]]; do
    case "$1" in
        -n|--runs) RUNS="$2"; shift 2 ;;
        -t|--time) SECONDS_LIMIT="$2"; shift 2 ;;
        --no-build) BUILD=0; shift ;;
        --asan) SANITIZER=address; shift ;;
        -h|--help) sed -n '2,28p' "$0"; exit 0 ;;
        -*) echo "unknown option $1" >&2; exit 2 ;;
        *) TARGETS+=("$1"); shift ;;
    esac
done
[[ ${#TARGETS[@]} -eq 0 ]] && TARGETS=("${ALL_TARGETS[@]}")
for t in "${TARGETS[@]}"; do
    [[ -f "$FUZZ/fuzz_targets/$t.rs" ]] || { echo "no fuzz target $t (have: ${ALL_TARGETS[*]})" >&2; exit 2; }
done

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/work/fuzz-target}"
export RUSTC_BOOTSTRAP=1
TRIPLE="$(rustc -vV | sed -n 's/^host: //p')"
BIN_DIR="$CARGO_TARGET_DIR/$TRIPLE/release"

if [[ $BUILD -eq 1 ]]; then
    # cargo fuzz's default: optimised, with debug assertions and overflow checks (an arithmetic
    # overflow panics here as it would under `cargo test` and in the workspace's release profile).
    build_log="$(mktemp)"
    if [[ ${#TARGETS[@]} -eq 1 ]]; then what=("${TARGETS[0]}"); else what=(); fi
    if ! (cd "$FUZZ" && nice -n 19 cargo fuzz build --debug-assertions --sanitizer "$SANITIZER" "${what[@]}") >"$build_log" 2>&1; then
        cat "$build_log" >&2; echo "build failed" >&2; exit 2
    fi
    tail -n 1 "$build_log"; rm -f "$build_log"
fi

# Only matters with --asan: keep its quarantine from looking like the reader's memory.
export ASAN_OPTIONS="${ASAN_OPTIONS:-quarantine_size_mb=16:malloc_context_size=5}"
found=0
summary=()
for t in "${TARGETS[@]}"; do
    corpus="$FUZZ/corpus/$t"
    artifacts="$FUZZ/artifacts/$t"
    mkdir -p "$corpus" "$artifacts"
    seeds=()
    [[ -d "$FUZZ/corpus-seed/$t" ]] && seeds=("$FUZZ/corpus-seed/$t")
    dict=()
    [[ -f "$FUZZ/dict/$t.dict" ]] && dict=("-dict=$FUZZ/dict/$t.dict")
    log="$artifacts/fuzz.log"
    runs="$RUNS"; [[ $runs -eq 0 ]] && runs=-1   # libFuzzer: -runs=-1 is unlimited, 0 is none
    before="$(ls "$artifacts" | grep -cE '^(crash|timeout|oom|leak|slow-unit)-' || true)"
    echo "== $t: runs=$RUNS max_total_time=${SECONDS_LIMIT}s (log: $log)"
    start=$(date +%s)
    set +e
    nice -n 19 "$BIN_DIR/$t" \
        -runs="$runs" -max_total_time="$SECONDS_LIMIT" \
        -timeout=1 -rss_limit_mb=256 -malloc_limit_mb=256 \
        -print_final_stats=1 \
        -artifact_prefix="$artifacts/" "${dict[@]}" \
        "$corpus" "${seeds[@]}" >"$log" 2>&1
    rc=$?
    set -e
    elapsed=$(( $(date +%s) - start ))
    count() { ls "$artifacts" | grep -cE "^$1-" || true; }
    crashes=$(count crash); timeouts=$(count timeout); ooms=$(count oom); leaks=$(count leak)
    after=$((crashes + timeouts + ooms + leaks))
    final="$(grep -E '^#[0-9]+' "$log" | tail -n 1)"
    execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)"
    rate="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)"
    rss="$(sed -n 's/^stat::peak_rss_mb: *//p' "$log" | tail -n 1)"
    cov="$(grep -oE 'cov: [0-9]+' <<<"$final" | cut -d' ' -f2)"
    ft="$(grep -oE 'ft: [0-9]+' <<<"$final" | cut -d' ' -f2)"
    line="$t: execs=${execs:-?} exec/s=${rate:-?} time=${elapsed}s peak_rss=${rss:-?}MB cov=${cov:-?} ft=${ft:-?} crashes=$crashes timeouts=$timeouts ooms=$ooms leaks=$leaks exit=$rc"
    echo "   final: $final"
    echo "   $line"
    summary+=("$line")
    if [[ $rc -ne 0 || $after -gt $before ]]; then
        found=1
        grep -E 'ERROR: libFuzzer|^SUMMARY|panicked at|Test unit written' "$log" | head -n 5 | sed 's/^/   /'
        newest="$(ls -t "$artifacts" | grep -E '^(crash|timeout|oom|leak)-' | head -n 1 || true)"
        [[ -n $newest ]] && echo "   minimise: nice -n 19 $BIN_DIR/$t -minimize_crash=1 -runs=100000 -timeout=1 -rss_limit_mb=256 -malloc_limit_mb=256 -exact_artifact_path=$artifacts/minimized-$newest $artifacts/$newest"
    fi
done
echo
echo "== summary"
printf '%s\n' "${summary[@]}"
exit $found
