#!/bin/sh
# run.sh: benchmark stird against raw GnuTLS in one run.
#   tests/bench/run.sh [SECONDS]      (from a built tree)
# Two configurations on this 2-vCPU machine:
#   pinned:   stird (threads = 1) on CPU 0, the clients on CPU 1;
#             the raw rate is measured on CPU 0 too: per-core comparison.
#   unpinned: stird (threads = 2) and clients share both CPUs; the daemon's
#             CPU time gives the cores it used.
set -eu
secs=${1:-3}
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
STIRD=${STIRD:-$top_builddir/stird}
STIRCTL=${STIRCTL:-$top_builddir/stirctl}
BENCH=${BENCH:-$top_builddir/tests/bench/stir-bench}
dir=$(mktemp -d /tmp/stird-bench.XXXXXX)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$dir"; }
trap cleanup EXIT INT TERM

sh "$top_srcdir/scripts/mkpki.sh" "$dir/pki"
mkdir -m 0700 "$dir/keys"
ncpu=$(nproc)

start() { # threads cpulist
	cat > "$dir/stird.conf" <<CONF
socket = $dir/stird.sock
admin_socket = $dir/admin.sock
database = $dir/stird.db
key_dir = $dir/keys
log_level = warning
threads = $1
max_inflight = 256
CONF
	taskset -c "$2" "$STIRD" -c "$dir/stird.conf" 2>"$dir/stird.log" &
	pid=$!
	i=0
	until "$STIRCTL" -c "$dir/stird.conf" ping >/dev/null 2>&1; do
		i=$((i + 1)); [ $i -lt 200 ] || { cat "$dir/stird.log"; exit 1; }
		sleep 0.05
	done
}
stop() { kill "$pid"; wait "$pid" || true; pid=; }

start 1 0
"$STIRCTL" -c "$dir/stird.conf" trust add "$dir/pki/ca.pem" >/dev/null
"$STIRCTL" -c "$dir/stird.conf" cred add sp --key "$dir/pki/sp.key" \
	--chain "$dir/pki/sp-chain.pem" --x5u https://cert.example.org/sp.pem >/dev/null

echo "== pinned: stird threads=1 on CPU 0, clients on CPU ${ncpu:+$((ncpu - 1))}"
taskset -c 0 "$BENCH" --socket "$dir/stird.sock" --key "$dir/pki/sp.key" --seconds 0.5 \
	--clients 1 --depth 1 >/dev/null 2>&1 || true	# warm up
# raw on CPU 0 alone; then the clients move to the other CPU
taskset -c 0 "$BENCH" --socket "$dir/stird.sock" --key "$dir/pki/sp.key" --pid "$pid" \
	--seconds "$secs" --clients 4 --depth 16 --raw-threads 1 | sed 's/^/  /' &
bp=$!
sleep 0.2
taskset -a -p -c "$((ncpu - 1))" "$bp" >/dev/null 2>&1 || true
wait "$bp"
stop

echo "== unpinned: stird threads=$ncpu, clients and daemon share $ncpu CPUs"
start "$ncpu" "0-$((ncpu - 1))"
"$BENCH" --socket "$dir/stird.sock" --key "$dir/pki/sp.key" --pid "$pid" \
	--seconds "$secs" --clients 8 --depth 16 --raw-threads "$ncpu" | sed 's/^/  /'
stop
