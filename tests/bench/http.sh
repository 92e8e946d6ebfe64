#!/bin/sh
# http.sh: the HTTP front door against the socket path and secsipidx,
# in one run (make bench runs it after run.sh).
#   tests/bench/http.sh [SECONDS]     (from a built tree; SECONDS per phase)
#
# Phases, each with the same number of keep-alive connections (CONNS,
# default 16) from wrk (HTTP) or stir-bench (stird's socket):
#   socket-verify  stir-bench: verify over stird's socket (the baseline)
#   http-verify    wrk: POST /stir/v1/verification through stird-http
#   native-verify  wrk: POST /v1/verify through stird-http
#   http-sign      wrk: POST /stir/v1/signing through stird-http
#   secsipidx-x5u  wrk: POST /v1/check to `secsipidx -http-srv` doing
#                  stird's job: the key from the x5u certificate (its file
#                  cache), the chain checked against root and intermediate
#   secsipidx-key  the same given the public key (-fpubkey: no certificate
#                  work at all, its fastest mode)
# CPU seconds per request are each process's utime+stime over the phase
# (from /proc) divided by the requests answered: stird and stird-http are
# added up for the door; the door's overhead is that against the socket
# path's stird alone.  Every phase must answer only 2xx (checked), and a
# sample reply is checked for TN-Validation-Passed.
set -eu
secs=${1:-3}
conns=${CONNS:-16}
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
STIRD=${STIRD:-$top_builddir/stird}
STIRCTL=${STIRCTL:-$top_builddir/stirctl}
DOOR=${DOOR:-$top_builddir/stird-http}
BENCH=${BENCH:-$top_builddir/tests/bench/stir-bench}
PYTHON=${PYTHON:-python3}
for t in wrk curl secsipidx; do
	command -v $t >/dev/null 2>&1 || { echo "http.sh: $t is not installed (scripts/deps.sh)"; exit 1; }
done
dir=$(mktemp -d /tmp/stird-hbench.XXXXXX)
pids=
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$dir"
}
trap cleanup EXIT INT TERM

free_port() {
	"$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
wait_for() { # what command...
	what=$1; shift
	i=0
	until "$@" >/dev/null 2>&1; do
		i=$((i + 1)); [ $i -lt 200 ] || { echo "http.sh: $what did not start"; exit 1; }
		sleep 0.05
	done
}
cpu() { # pid: utime+stime in clock ticks
	awk '{ print $14 + $15 }' "/proc/$1/stat"
}

sh "$top_srcdir/scripts/mkpki.sh" "$dir/pki" >/dev/null
mkdir -m 0700 "$dir/keys"
mkdir "$dir/www"
cp "$dir/pki/sp-chain.pem" "$dir/www/sp-chain.pem"
echo '{"headers":{"Cache-Control":"max-age=3600"}}' > "$dir/www/sp-chain.pem.meta"
"$PYTHON" "$top_srcdir/tests/https-server.py" --dir "$dir/www" \
	--cert "$dir/pki/web.pem" --key "$dir/pki/web.key" --port 0 \
	>"$dir/web.port" 2>"$dir/web.log" &
pids="$pids $!"
wait_for https-server.py test -s "$dir/web.port"
base=https://127.0.0.1:$(head -n 1 "$dir/web.port")

cat > "$dir/stird.conf" <<CONF
socket = $dir/stird.sock
admin_socket = $dir/admin.sock
database = $dir/stird.db
key_dir = $dir/keys
log_level = warning
max_inflight = 256
x5u_ca_file = $dir/pki/web-ca.pem
x5u_allow_private = yes
iat_window = 3600
CONF
"$STIRD" -c "$dir/stird.conf" 2>"$dir/stird.log" &
spid=$!
pids="$pids $spid"
wait_for stird "$STIRCTL" -c "$dir/stird.conf" ping
"$STIRCTL" -c "$dir/stird.conf" trust add "$dir/pki/ca.pem" >/dev/null
"$STIRCTL" -c "$dir/stird.conf" cred add sp --key "$dir/pki/sp.key" \
	--chain "$dir/pki/sp-chain.pem" --x5u "$base/sp-chain.pem" >/dev/null

hport=$(free_port)
cat > "$dir/http.conf" <<CONF
listen = 127.0.0.1:$hport
stird_socket = $dir/stird.sock
max_connections = 1024
CONF
"$DOOR" -f -c "$dir/http.conf" 2>"$dir/http.log" &
hpid=$!
pids="$pids $hpid"
wait_for stird-http curl -sf "http://127.0.0.1:$hport/healthz"

xport=$(free_port)
openssl ec -in "$dir/pki/sp.key" -pubout -out "$dir/sp-pub.pem" 2>/dev/null
secsipidx -http-srv "127.0.0.1:$xport" -fpubkey "$dir/sp-pub.pem" -expire 3600 \
	>"$dir/secsipidx.log" 2>&1 &
xpid=$!
pids="$pids $xpid"
wait_for secsipidx curl -s -o /dev/null "http://127.0.0.1:$xport/"
# the same job as stird's: the key from the x5u (its file cache, as the
# Kamailio secsipid module runs it), the chain checked against the root
# and intermediate, and the validity times (cert-verify 1|4|8); Go trusts
# the x5u server's web CA through SSL_CERT_FILE
yport=$(free_port)
mkdir "$dir/xcache"
SSL_CERT_FILE=$dir/pki/web-ca.pem secsipidx -http-srv "127.0.0.1:$yport" -expire 3600 \
	-cache-dir "$dir/xcache" -cache-expire 3600 -cert-verify 13 \
	-ca-file "$dir/pki/ca.pem" -ca-inter "$dir/pki/inter.pem" \
	>"$dir/secsipidx-x5u.log" 2>&1 &
ypid=$!
pids="$pids $ypid"
wait_for secsipidx-x5u curl -s -o /dev/null "http://127.0.0.1:$yport/"

# one call, signed by stird, verified by everyone
now=$(date +%s)
id=$("$STIRCTL" -c "$dir/stird.conf" sign --orig 12155551212 --dest 12125551213 \
	--attest A --iat "$now" | tail -n 1)
printf '%s' "$id" > "$dir/identity.txt"
printf '{"verificationRequest":{"from":{"tn":"12155551212"},"to":{"tn":["12125551213"]},"time":%s,"identity":"%s"}}' \
	"$now" "$id" > "$dir/shaken-verify.json"
printf '{"identity":["%s"],"from":"tel:+12155551212","to":"tel:+12125551213"}' "$id" \
	> "$dir/native-verify.json"
printf '{"signingRequest":{"orig":{"tn":"12155551212"},"dest":{"tn":["12125551213"]},"iat":%s,"attest":"A","origid":"123e4567-e89b-12d3-a456-426655440000"}}' \
	"$now" > "$dir/shaken-sign.json"
cat > "$dir/post.lua" <<'LUA'
local f = assert(io.open(os.getenv("BODY"), "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = os.getenv("CTYPE") or "application/json"
LUA
check() { # what url body-file content-type want
	curl -s -H "Content-Type: $4" --data-binary "@$3" "$2" > "$dir/sample.out"
	grep -q "$5" "$dir/sample.out" || { echo "http.sh: $1 did not answer $5:"; cat "$dir/sample.out"; exit 1; }
}
check http-verify "http://127.0.0.1:$hport/stir/v1/verification" "$dir/shaken-verify.json" \
	application/json TN-Validation-Passed
check native-verify "http://127.0.0.1:$hport/v1/verify" "$dir/native-verify.json" \
	application/json TN-Validation-Passed
check http-sign "http://127.0.0.1:$hport/stir/v1/signing" "$dir/shaken-sign.json" \
	application/json signingResponse
# secsipidx answers its own text; a bad signature gets another
check secsipidx "http://127.0.0.1:$xport/v1/check" "$dir/identity.txt" text/plain "^OK"
check secsipidx-x5u "http://127.0.0.1:$yport/v1/check" "$dir/identity.txt" text/plain "^OK"

hz=$(getconf CLK_TCK)
results=$dir/results
: > "$results"
phase_wrk() { # name url body ctype pids...
	name=$1; url=$2; body=$3; ctype=$4; shift 4
	c0=0; for p in "$@"; do c0=$((c0 + $(cpu "$p"))); done
	BODY=$body CTYPE=$ctype wrk -t 2 -c "$conns" -d "${secs}s" --latency -s "$dir/post.lua" \
		"$url" > "$dir/$name.wrk" 2>&1
	c1=0; for p in "$@"; do c1=$((c1 + $(cpu "$p"))); done
	n=$(awk '/requests in/ { print $1 }' "$dir/$name.wrk")
	if grep -q 'Non-2xx' "$dir/$name.wrk"; then
		echo "http.sh: $name got non-2xx replies:"; cat "$dir/$name.wrk"; exit 1
	fi
	rps=$(awk '/^Requests\/sec/ { print $2 }' "$dir/$name.wrk")
	p50=$(awk '$1 == "50%" { print $2 }' "$dir/$name.wrk")
	p99=$(awk '$1 == "99%" { print $2 }' "$dir/$name.wrk")
	echo "$name $rps $p50 $p99 $(awk -v c=$((c1 - c0)) -v n="$n" -v hz="$hz" \
		'BEGIN { printf "%.1f", (n > 0 ? c / hz / n * 1e6 : -1) }')" >> "$results"
}

# the baseline: the same verifications over stird's own socket
c0=$(cpu "$spid")
"$BENCH" --socket "$dir/stird.sock" --key "$dir/pki/sp.key" --pid "$spid" --seconds "$secs" \
	--clients "$conns" --depth 1 --raw-threads 1 > "$dir/socket.out" 2>&1 || {
	echo "http.sh: stir-bench failed:"; cat "$dir/socket.out"; exit 1; }
c1=$(cpu "$spid")
# stir-bench runs a sign and a verify phase; take the verify figures
grep '^SUMMARY verify' "$dir/socket.out" | sed 's/^SUMMARY verify //' > "$dir/socket.kv"
eval "$(cat "$dir/socket.kv")"	# raw= daemon= ratio= percore= p50= p99= ...
# stird's CPU per verify over the socket, from its cores used and rate
echo "socket-verify $daemon ${p50}ms ${p99}ms $(awk -v pc="$percore" -v raw="$raw" \
	'BEGIN { printf "%.1f", (pc > 0 ? 1e6 / (pc * raw) : -1) }')" >> "$results"

phase_wrk http-verify "http://127.0.0.1:$hport/stir/v1/verification" "$dir/shaken-verify.json" \
	application/json "$spid" "$hpid"
phase_wrk native-verify "http://127.0.0.1:$hport/v1/verify" "$dir/native-verify.json" \
	application/json "$spid" "$hpid"
phase_wrk http-sign "http://127.0.0.1:$hport/stir/v1/signing" "$dir/shaken-sign.json" \
	application/json "$spid" "$hpid"
phase_wrk secsipidx-key "http://127.0.0.1:$xport/v1/check" "$dir/identity.txt" text/plain "$xpid"
phase_wrk secsipidx-x5u "http://127.0.0.1:$yport/v1/check" "$dir/identity.txt" text/plain "$ypid"

echo "== HTTP front door ($secs s per phase, $conns keep-alive connections, $(nproc) CPUs shared by load and servers)"
echo "(p50/p99: wrk's over the $conns connections; socket-verify's are stir-bench's one-client latency)"
printf '%-14s %10s %10s %10s %16s\n' phase "req/s" p50 p99 "CPU us/request"
while read -r name rps p50 p99 us; do
	printf '%-14s %10s %10s %10s %16s\n' "$name" "$rps" "$p50" "$p99" "$us"
done < "$results"
awk '
	{ us[$1] = $5; rps[$1] = $2 }
	END {
		if (us["socket-verify"] > 0 && us["http-verify"] > 0)
			printf "door overhead: %.2fx the socket path CPU per verify (stird+stird-http vs stird)\n",
			    us["http-verify"] / us["socket-verify"]
		if (us["secsipidx-x5u"] > 0 && us["http-verify"] > 0)
			printf "verifications per CPU-second: stird+door %.0f, secsipidx (x5u, chain checked) %.0f: %.2fx\n",
			    1e6 / us["http-verify"], 1e6 / us["secsipidx-x5u"], us["secsipidx-x5u"] / us["http-verify"]
		if (us["secsipidx-key"] > 0 && us["http-verify"] > 0)
			printf "  (secsipidx given the public key, no certificate work: %.0f: %.2fx)\n",
			    1e6 / us["secsipidx-key"], us["secsipidx-key"] / us["http-verify"]
	}' "$results"
