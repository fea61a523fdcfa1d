#!/usr/bin/env bash
# Writes what `v6diag analyze` makes of every capture the tests hold, under
# several option sets, into one folder, so that two builds can be compared
# with `diff -r` (issue 12: a refactoring changes no output).
#
#   scripts/golden-reports.sh OUTDIR [CAPTURE...]
#
# Captures (default): diag/testdata, diag/testdata/real, ../shared/captures
# and, when present, $V6DIAG_EXTRA_CAPTURES (a folder). Per capture and
# option set OUTDIR/<capture>/<set>/ holds report.{json,txt,md,html},
# network.suggested and network.diff when written, stdout (the verdict
# lines), the exit code and the names of report.tar.gz's members. The run's
# own start time and duration are masked: they differ from run to run.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/usr/local/go/bin:$PATH"

if [[ $# -lt 1 ]]; then
	echo "usage: scripts/golden-reports.sh OUTDIR [CAPTURE...]" >&2
	exit 2
fi
out="$1"
shift
mkdir -p "$out"
bin="$(mktemp -d)"
trap 'rm -rf "$bin"' EXIT
go build -o "$bin/v6diag" ./cmd/v6diag

captures=("$@")
if ((${#captures[@]} == 0)); then
	for dir in diag/testdata diag/testdata/real ../shared/captures "${V6DIAG_EXTRA_CAPTURES:-}"; do
		[[ -n "$dir" && -d "$dir" ]] || continue
		for f in "$dir"/*.pcap "$dir"/*.pcapng; do
			[[ -f "$f" ]] && captures+=("$f")
		done
	done
fi

# name|arguments (split on spaces; "~" stands for a space inside one).
# --redact is left out: its keyed hashes change from run to run.
sets=(
	"default|"
	"prefix48|--prefix-len 48"
	"force-p48|--client-args=-Nforce~-P48"
	"config-23.05|--config uciconfig/testdata/openwrt_23.05_dsa.network"
	"config-15.05|--config uciconfig/testdata/chaos_calmer_15.05.network"
)

mask() {
	# The run's own clock: "started", its duration, and where the text,
	# markdown and HTML reports print them.
	sed -E -i \
		-e 's/("started": )"[^"]*"/\1"STARTED"/' \
		-e 's/("duration_seconds": )[0-9.e+-]+/\1DURATION/' \
		-e 's/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z \(UTC\), [0-9.]+ s/STARTED (UTC), DURATION s/' \
		-e 's/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z \([0-9.]+ s, (analyze|run)\)/STARTED (DURATION s, \1)/' \
		"$@"
}

n=0
for f in "${captures[@]}"; do
	name="$(basename "$f")"
	for s in "${sets[@]}"; do
		set_name="${s%%|*}"
		args_text="${s#*|}"
		read -r -a args <<<"$args_text"
		for i in "${!args[@]}"; do
			args[i]="${args[i]//\~/ }"
		done
		dir="$out/$name/$set_name"
		rm -rf "$dir"
		mkdir -p "$dir"
		rc=0
		"$bin/v6diag" analyze --out "$dir/report" "${args[@]}" "$f" >"$dir/stdout" 2>"$dir/stderr" || rc=$?
		echo "$rc" >"$dir/exit"
		sed -i -e "s|$dir/report|OUT|g" "$dir/stdout" "$dir/stderr"
		if [[ -d "$dir/report" ]]; then
			if [[ -f "$dir/report/report.tar.gz" ]]; then
				tar -tzf "$dir/report/report.tar.gz" | sed -e "s|^[^/]*/||" | sort >"$dir/bundle-members"
				rm "$dir/report/report.tar.gz"
			fi
			for r in "$dir"/report/*; do
				mv "$r" "$dir/"
			done
			rmdir "$dir/report"
		fi
		mask "$dir"/*
		n=$((n + 1))
	done
done
echo "golden-reports: ${#captures[@]} captures × ${#sets[@]} option sets = $n runs in $out"
