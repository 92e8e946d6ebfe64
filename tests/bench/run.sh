#!/bin/sh
# run.sh: benchmark stird's sign and verify ops against raw GnuTLS in one run.
#   tests/bench/run.sh [SECONDS]      (from a built tree; SECONDS per phase;
#                                     MODES="process" runs one signer mode,
#                                     MODES="" none: the fleet phases only)
# Two configurations on this 2-vCPU machine:
#   pinned:   stird (threads = 1) on CPU 0, the clients (and the raw GnuTLS
#             rates, measured while the daemon is idle) on the last CPU:
#             per-core comparison.
#   unpinned: stird (threads = 2) and clients share both CPUs; the daemon's
#             CPU time gives the cores it used.
# x5u is served over HTTPS by tests/https-server.py (on the last CPU) with
# the test web PKI: sp-chain.pem (max-age=3600) for the credential, and
# hang.pem, which never answers, for the hanging-fetch phase.
set -eu
secs=${1:-3}
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
STIRD=${STIRD:-$top_builddir/stird}
STIRCTL=${STIRCTL:-$top_builddir/stirctl}
BENCH=${BENCH:-$top_builddir/tests/bench/stir-bench}
PYTHON=${PYTHON:-python3}
dir=$(mktemp -d /tmp/stird-bench.XXXXXX)
pid=
wpid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null
	[ -n "$wpid" ] && kill "$wpid" 2>/dev/null
	wait 2>/dev/null || true
	rm -rf "$dir"
}
trap cleanup EXIT INT TERM

sh "$top_srcdir/scripts/mkpki.sh" "$dir/pki"
mkdir -m 0700 "$dir/keys"
mkdir "$dir/www"
ncpu=$(nproc)
last=$((ncpu - 1))

# the x5u server
cp "$dir/pki/sp-chain.pem" "$dir/www/sp-chain.pem"
echo '{"headers":{"Cache-Control":"max-age=3600"}}' > "$dir/www/sp-chain.pem.meta"
echo '{"hang":true}' > "$dir/www/hang.pem.meta"
taskset -c "$last" "$PYTHON" "$top_srcdir/tests/https-server.py" --dir "$dir/www" \
	--cert "$dir/pki/web.pem" --key "$dir/pki/web.key" --port 0 \
	>"$dir/web.port" 2>"$dir/web.log" &
wpid=$!
i=0
until [ -s "$dir/web.port" ]; do
	i=$((i + 1)); [ $i -lt 200 ] || { echo "https-server.py did not start"; cat "$dir/web.log"; exit 1; }
	kill -0 "$wpid" 2>/dev/null || { echo "https-server.py exited"; cat "$dir/web.log"; exit 1; }
	sleep 0.05
done
port=$(head -n 1 "$dir/web.port")
base=https://127.0.0.1:$port

start() { # threads cpulist [signer mode]
	# iat_window: the identities are signed right before the verify phases,
	# but a slow machine should not turn them stale
	cat > "$dir/stird.conf" <<CONF
socket = $dir/stird.sock
admin_socket = $dir/admin.sock
database = $dir/stird.db
key_dir = $dir/keys
log_level = warning
threads = $1
max_inflight = 256
x5u_ca_file = $dir/pki/web-ca.pem
x5u_allow_private = yes
fetch_timeout_ms = 2000
iat_window = 600
signer = ${3:-process}
${EXTRA_CONF:-}
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
bench() { # name, then stir-bench arguments
	name=$1; shift
	rc=0
	"$@" --socket "$dir/stird.sock" --key "$dir/pki/sp.key" --pid "$pid" \
		--seconds "$secs" --hang-url "$base/hang.pem" >"$dir/$name.out" 2>"$dir/$name.err" || rc=$?
	sed 's/^/  /' "$dir/$name.out" | grep -v '^  SUMMARY'
	sed 's/^/  stderr: /' "$dir/$name.err"
	[ $rc -eq 0 ] || { echo "  stir-bench exited with $rc"; status=1; }
}
status=0

start 1 0
"$STIRCTL" -c "$dir/stird.conf" trust add "$dir/pki/ca.pem" >/dev/null
"$STIRCTL" -c "$dir/stird.conf" cred add sp --key "$dir/pki/sp.key" \
	--chain "$dir/pki/sp-chain.pem" --x5u "$base/sp-chain.pem" >/dev/null
# a signature of stird's must verify through the x5u server
id=$("$STIRCTL" -c "$dir/stird.conf" sign --orig 12155551212 --dest 12125551213 --attest A | tail -n 1)
"$STIRCTL" -c "$dir/stird.conf" verify --identity "$id" --from tel:+12155551212 \
	--to tel:+12125551213 >"$dir/verify.out" 2>&1 || {
	echo "stird's signature does not verify:"; cat "$dir/verify.out"; exit 1
}

load() { uptime | sed 's/.*load average/load average/'; }
# each configuration with the keys in the signer process (the default) and
# in stird itself (signer = in-process): the cost of the separation
for mode in ${MODES-process in-process}; do
	tag=$( [ "$mode" = process ] && echo proc || echo inproc )
	echo "== pinned, signer=$mode: stird threads=1 on CPU 0, clients on CPU $last ($(load))"
	[ -n "$pid" ] || start 1 0 "$mode"
	taskset -c "$last" "$BENCH" --socket "$dir/stird.sock" --key "$dir/pki/sp.key" \
		--seconds 0.5 --clients 1 --depth 1 --verify no >/dev/null 2>&1 || true	# warm up
	bench "pinned-$tag" taskset -c "$last" "$BENCH" --clients 4 --depth 16 --raw-threads 1
	stop

	echo "== unpinned, signer=$mode: stird threads=$ncpu, clients and daemon share $ncpu CPUs ($(load))"
	start "$ncpu" "0-$last" "$mode"
	bench "unpinned-$tag" "$BENCH" --clients 8 --depth 16 --raw-threads "$ncpu"
	stop
done

# the peer: libsecsipid signing in its own process, as a caller links it
peer=${SECSIPID_SIGN:-$top_builddir/tests/bench/secsipid-sign}
if [ -x "$peer" ]; then
	echo "== peer: libsecsipid in-process signing ($(load))"
	"$peer" "$dir/pki/sp.key" "$base/sp-chain.pem" "$secs" >"$dir/peer.out" 2>&1 ||
		{ echo "  secsipid-sign failed:"; status=1; }
	sed 's/^/  /' "$dir/peer.out" | grep -v '^  SUMMARY'
else
	echo "== peer: libsecsipid is not built (libsecsipid-dev, scripts/deps.sh; then configure)"
fi

# fleet mode (doc/fleet.md): replay detection shared on Redis against the
# local window alone, in the same run, with fresh identities made by the
# benchmark (each verified once: a repeat would be a local replay and
# never reach Redis)
fleet=
if command -v redis-server >/dev/null 2>&1; then
	rport=$("$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	redis-server --port "$rport" --bind 127.0.0.1 --save '' --appendonly no --dir "$dir" \
		--logfile "$dir/redis.log" &
	rpid=$!
	i=0
	until redis-cli -p "$rport" ping >/dev/null 2>&1; do
		i=$((i + 1)); [ $i -lt 200 ] || { echo "redis-server did not start"; exit 1; }
		sleep 0.05
	done
	[ -z "$pid" ] || stop		# the provisioning daemon (MODES="")
	for fleet in local shared; do
		EXTRA_CONF="replay_window = 60"
		[ $fleet = shared ] && EXTRA_CONF="$EXTRA_CONF
redis = 127.0.0.1:$rport"
		echo "== fleet, replay_window = 60, $fleet: stird threads=$ncpu unpinned ($(load))"
		start "$ncpu" "0-$last" process
		redis-cli -p "$rport" config resetstat >/dev/null
		rc=0
		"$BENCH" --socket "$dir/stird.sock" --key "$dir/pki/sp.key" --pid "$pid" \
			--seconds "$secs" --clients 8 --depth 16 --raw-threads "$ncpu" --sign no \
			--fresh "$base/sp-chain.pem" --ids 60000 >"$dir/fleet-$fleet.out" \
			2>"$dir/fleet-$fleet.err" || rc=$?
		sed 's/^/  /' "$dir/fleet-$fleet.out" | grep -v '^  SUMMARY'
		sed 's/^/  stderr: /' "$dir/fleet-$fleet.err"
		[ $rc -eq 0 ] || { echo "  stir-bench exited with $rc"; status=1; }
		if [ $fleet = shared ]; then
			redis-cli -p "$rport" info commandstats | tr -d '\r' |
				sed -n 's/^cmdstat_set:calls=\([0-9]*\),usec=[0-9]*,usec_per_call=\([0-9.]*\).*/  redis: \1 SET, \2 us of Redis CPU each/p'
			"$STIRCTL" -c "$dir/stird.conf" --json stats | "$PYTHON" -c '
import json, sys
m = {f["name"]: f["samples"] for f in json.load(sys.stdin)["metrics"]}
c = {s["labels"].get("outcome"): s["value"] for s in m["stird_replay_shared_total"]}
a = sum(s["value"] for s in m["stird_redis_commands_total"] if s["labels"]["outcome"] == "answered")
rtt = m["stird_redis_round_trip_seconds_total"][0]["value"]
print("  stird: replay checks asked %d, unanswered %d; Redis round trip mean %.0f us" % (c["asked"], c["unanswered"], rtt / a * 1e6 if a else 0))'
		fi
		stop
	done
	kill "$rpid" 2>/dev/null; wait "$rpid" 2>/dev/null || true
	fleet=yes
else
	echo "== fleet: redis-server is not installed (scripts/deps.sh)"
fi

echo "== summary ($secs s per phase; rates per second, latencies in ms; 1 client, 1 in flight:"
echo "   back to back, paced at 50/s and at 500/s;"
echo "   raw@50 and raw@500: p50 of the GnuTLS operation alone in the bench process, paced)"
printf '%-15s %-6s %7s %7s %5s %5s %6s %6s %6s %6s %6s %6s %6s %6s %8s\n' config op raw daemon \
	ratio "/core" "p50" "p99" "p50@50" "p99@50" "p50@500" "p99@500" "raw@50" "raw@500" \
	"p99+hang"
for name in pinned-proc pinned-inproc unpinned-proc unpinned-inproc fleet-local fleet-shared; do
	[ -f "$dir/$name.out" ] || continue
	grep '^SUMMARY ' "$dir/$name.out" | while read -r _ op rest; do
		eval "$rest"	# raw= daemon= ratio= percore= p50= p99= p50_50= ... hangp99=
		case $percore in -*) percore=- ;; esac
		printf '%-15s %-6s %7s %7s %5s %5s %6s %6s %6s %6s %6s %6s %6s %6s %8s\n' \
			"$name" "$op" "$raw" "$daemon" "$ratio" "$percore" "$p50" "$p99" \
			"$p50_50" "$p99_50" "$p50_500" "$p99_500" "$raw50" "$raw500" "$hangp99"
	done
done
# what sharing the replay window costs a verification, from the same run
if [ -n "$fleet" ] && [ -f "$dir/fleet-local.out" ] && [ -f "$dir/fleet-shared.out" ]; then
	l=$(sed -n 's/.*per core used: \([0-9]*\) verifies.*/\1/p' "$dir/fleet-local.out")
	r=$(sed -n 's/.*per core used: \([0-9]*\) verifies.*/\1/p' "$dir/fleet-shared.out")
	eval "$(grep '^SUMMARY verify' "$dir/fleet-local.out" | sed 's/^SUMMARY verify //; s/\([a-z0-9_]*\)=/l_\1=/g')"
	eval "$(grep '^SUMMARY verify' "$dir/fleet-shared.out" | sed 's/^SUMMARY verify //; s/\([a-z0-9_]*\)=/s_\1=/g')"
	"$PYTHON" -c "
l, r = $l, $r
print('== fleet: stird CPU per verify %.1f us with the local window, %.1f us shared (%+.1f us; %d -> %d verifies per CPU-second);' % (1e6 / l, 1e6 / r, 1e6 / r - 1e6 / l, l, r))
print('   latency back to back p50 %+.3f ms, p99 %+.3f ms; throughput %s -> %s verifies/s' % ($s_p50 - $l_p50, $s_p99 - $l_p99, '$l_daemon', '$s_daemon'))"
fi
# signs per CPU-second: stird's (its CPU and its signer's) against the peer's
if [ -f "$dir/peer.out" ]; then
	eval "$(grep '^SUMMARY secsipid-sign ' "$dir/peer.out" | cut -d' ' -f3-)"
	echo "== signs per CPU-second: libsecsipid in-process ${percpu:-?}; stird, per configuration:"
	for name in pinned-proc pinned-inproc unpinned-proc unpinned-inproc; do
		[ -f "$dir/$name.out" ] || continue
		grep 'daemon CPU: .* signs/s' "$dir/$name.out" |
			sed "s/^ *daemon CPU: \([0-9.]*\) cores; per core used: \([0-9]*\) signs.*/  $name: \2 (\1 cores)/"
	done
fi
exit $status
