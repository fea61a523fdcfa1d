#!/usr/bin/env bash
# Runs every fuzz target of the module, one after another, for DURATION each
# (default 60s), and prints a table: target, time, execs, new crashers.
#
#   scripts/fuzz.sh            # 60 s per target (the issue's bar)
#   scripts/fuzz.sh 3s         # a smoke pass over every target
#   FUZZ_PARALLEL=1 scripts/fuzz.sh 60s
#   FUZZ_MINIMIZE=60s scripts/fuzz.sh   # go test's own minimizing budget
#   FUZZ_SHARE=1/3 FUZZ_LONG=30s scripts/fuzz.sh 3s
#                              # what CI runs: every third target (the
#                              # second third here) for 30 s, the rest 3 s
#
# FUZZ_SHARE=K/N gives targets K, K+N, K+2N, … (in the order of the table,
# counted from 0) FUZZ_LONG each instead of DURATION. 30 s per target is
# what it took to find uciconfig's two failures of issue 13, which a 3 s
# pass never reached; every target for 30 s would add about 9 minutes to
# CI, so CI rotates K with the commit count and fuzzes each target for
# 30 s in one run of every N.
#
# Targets are discovered with `go test -list 'Fuzz.*'` in every package
# whose tests declare one, so a new FuzzXxx is fuzzed without editing this
# script. A crasher is written by `go test` to the package's
# testdata/fuzz/FuzzXxx/ (where it then runs as a regression case with the
# plain `go test`); the script exits 1 when any target found one or failed.
set -euo pipefail

export PATH="/usr/local/go/bin:$PATH"
cd "$(dirname "$0")/.."

duration="${1:-60s}"
if ! [[ "$duration" =~ ^[0-9]+(ms|s|m|h|x)$ ]]; then
	echo "usage: $0 [DURATION]   e.g. 60s, 3s, 2m, or 10000x for a count of runs" >&2
	exit 2
fi
# Minimizing each new interesting input gets at most FUZZ_MINIMIZE (go
# test's default is 60 s, a whole run's worth): Go's minimizer tries every
# run of bytes to remove, n²/2 calls for an n-byte input, and counts none
# of them until it ends. With the default, one input of 1 KB found early
# (ndp.FuzzParseRouterSolicitation) left 54,587 execs counted in 60 s,
# though the workers never stopped; minimizing only keeps the cached
# corpus small.
minimize="${FUZZ_MINIMIZE:-5s}"
share_k=0 share_n=0
long="${FUZZ_LONG:-$duration}"
if [[ -n "${FUZZ_SHARE:-}" ]]; then
	if ! [[ "$FUZZ_SHARE" =~ ^([0-9]+)/([1-9][0-9]*)$ ]] || ! [[ "$long" =~ ^[0-9]+(ms|s|m|h|x)$ ]]; then
		echo "fuzz.sh: FUZZ_SHARE must be K/N and FUZZ_LONG a duration" >&2
		exit 2
	fi
	share_k=$(( ${FUZZ_SHARE%/*} % ${FUZZ_SHARE#*/} )) share_n=${FUZZ_SHARE#*/}
fi
# Workers per target: go test's default is GOMAXPROCS; FUZZ_PARALLEL=1
# leaves the other cores to whoever shares the machine.
parallel=()
if [[ -n "${FUZZ_PARALLEL:-}" ]]; then
	parallel=(-parallel "$FUZZ_PARALLEL")
fi

log_dir="$(mktemp -d "${TMPDIR:-/tmp}/v6diag-fuzz.XXXXXX")"
trap 'rm -rf "$log_dir"' EXIT

# Packages whose test files declare a fuzz target; -list then names them.
mapfile -t pkgs < <(grep -rl --include='*_test.go' -E '^func Fuzz[A-Z0-9_a-z]*\(' . |
	xargs -r -n1 dirname | sort -u)
targets=()
for dir in "${pkgs[@]}"; do
	while read -r name; do
		[[ "$name" =~ ^Fuzz ]] && targets+=("$dir $name")
	done < <(go test -list 'Fuzz.*' "$dir")
done
if ((${#targets[@]} == 0)); then
	echo "fuzz.sh: no fuzz targets found" >&2
	exit 1
fi

printf '%-40s %8s %14s %9s\n' TARGET TIME EXECS CRASHERS
failed=0
total_execs=0
start_all=$SECONDS
for i in "${!targets[@]}"; do
	read -r dir name <<<"${targets[$i]}"
	fuzztime="$duration"
	if ((share_n > 0 && i % share_n == share_k)); then
		fuzztime="$long"
	fi
	log="$log_dir/$(echo "$dir-$name" | tr '/.' '__').log"
	start=$SECONDS
	status=0
	# -run '^$': only fuzz, the package's other tests run in go test ./...
	go test -run '^$' -fuzz "^${name}\$" -fuzztime "$fuzztime" -fuzzminimizetime "$minimize" "${parallel[@]}" "$dir" >"$log" 2>&1 || status=$?
	elapsed=$((SECONDS - start))
	# The last progress line holds the cumulative count of executions.
	execs="$(grep -oE 'execs: [0-9]+' "$log" | tail -1 | awk '{print $2}')"
	execs="${execs:-0}"
	crashers="$(grep -c 'Failing input written to' "$log" || true)"
	total_execs=$((total_execs + execs))
	note=""
	# Go 1.26's fuzz coordinator can fail a target with a bare "context
	# deadline exceeded" when -fuzztime ends while a worker is busy
	# (go.dev/issue/75804, fixed in Go 1.27): no input failed, none was
	# written. Reported, not counted as a failure.
	if ((status != 0 && crashers == 0)) && grep -q '^    context deadline exceeded$' "$log"; then
		note="  (deadline race, go.dev/issue/75804; no input failed)"
		status=0
	fi
	printf '%-40s %7ss %14s %9s%s\n' "${dir#./}.${name}" "$elapsed" "$execs" "$crashers" "$note"
	if ((status != 0 || crashers > 0)); then
		failed=1
		echo "---- $dir $name failed (exit $status); log:" >&2
		tail -n 40 "$log" >&2
	fi
done
printf '%-40s %7ss %14s\n' "total (${#targets[@]} targets)" "$((SECONDS - start_all))" "$total_execs"
if ((failed)); then
	echo "fuzz.sh: a target failed or found a crasher; it is in that package's testdata/fuzz/ — make it a regression case" >&2
	exit 1
fi
