#!/bin/sh
# demo.sh: install what is missing, build stird, and sign a call on a
# self-contained configuration under ./demo (README "Quick start").
#
# It makes a test PKI (a CA, an intermediate and a SHAKEN certificate whose
# TNAuthList holds the SPC 709J), serves the certificate chain over HTTPS
# on 127.0.0.1 (the x5u a verifier fetches), starts stird on sockets and a
# database in ./demo, adds the CA as a trust anchor and the certificate
# with its key as a signing credential, signs a call from +1 215 555 1212
# to +1 212 555 1213 with full attestation, prints the Identity header,
# has secsipidx (an independent implementation) check the signature, and
# then verifies the call with stird and prints the verdict.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
demo=$top/demo

sh scripts/deps.sh
if [ -f config.status ]; then
	make -j"$(nproc)" >/dev/null
	bin=$top
else
	[ -f build/Makefile ] || { autoreconf -fi >/dev/null 2>&1; mkdir -p build;
		(cd build && ../configure -q); }
	make -C build -j"$(nproc)" >/dev/null
	bin=$top/build
fi
echo "built: $("$bin/stird" --version)"

if [ -f "$demo/stird.pid" ] && kill "$(cat "$demo/stird.pid")" 2>/dev/null; then
	sleep 0.5
fi
rm -rf "$demo"
mkdir -p "$demo"
sh scripts/mkpki.sh "$demo/pki"
mkdir -m 0700 "$demo/keys"
mkdir "$demo/www"
cp "$demo/pki/sp-chain.pem" "$demo/www/"
echo '{"headers":{"Cache-Control":"max-age=3600"}}' > "$demo/www/sp-chain.pem.meta"

# the certificate repository: HTTPS on loopback, with the demo's web CA
python3 tests/https-server.py --dir "$demo/www" --cert "$demo/pki/web.pem" \
	--key "$demo/pki/web.key" --port 0 >"$demo/https.port" 2>"$demo/https.log" &
web=$!
i=0
until [ -s "$demo/https.port" ]; do
	i=$((i + 1)); [ $i -lt 100 ] || { cat "$demo/https.log"; exit 1; }
	sleep 0.1
done
port=$(head -n 1 "$demo/https.port")
x5u="https://127.0.0.1:$port/sp-chain.pem"

cat > "$demo/stird.conf" <<CONF
# demo configuration: everything under $demo
socket = $demo/stird.sock
admin_socket = $demo/admin.sock
database = $demo/stird.db
key_dir = $demo/keys
log_level = info
# the demo's certificate repository is on loopback, with its own web CA
x5u_ca_file = $demo/pki/web-ca.pem
x5u_allow_private = yes
CONF

"$bin/stird" -c "$demo/stird.conf" 2>"$demo/stird.log" &
pid=$!
echo "$pid" > "$demo/stird.pid"
trap 'kill $pid $web 2>/dev/null; wait $pid 2>/dev/null || true' EXIT INT TERM
ctl() { "$bin/stirctl" -c "$demo/stird.conf" "$@"; }
i=0
until ctl ping >/dev/null 2>&1; do
	i=$((i + 1))
	[ $i -lt 100 ] || { cat "$demo/stird.log"; exit 1; }
	sleep 0.1
done
echo "stird is running (pid $pid); its log is $demo/stird.log"
echo
echo "\$ stirctl trust add pki/ca.pem"
ctl trust add "$demo/pki/ca.pem"
echo
echo "\$ stirctl cred add demo --key pki/sp.key --chain pki/sp-chain.pem --x5u $x5u"
ctl cred add demo --key "$demo/pki/sp.key" --chain "$demo/pki/sp-chain.pem" --x5u "$x5u"
echo
echo "\$ stirctl sign --from 'sip:+12155551212@example.com;user=phone' --to tel:+12125551213 --attest A"
ctl sign --from 'sip:+12155551212@example.com;user=phone' --to tel:+12125551213 --attest A \
	| tee "$demo/sign.out"
identity=$(tail -n 1 "$demo/sign.out")
printf '%s' "$identity" > "$demo/identity.txt"
echo
echo "Identity: $identity"
echo
openssl pkey -in "$demo/pki/sp.key" -pubout -out "$demo/sp.pub" 2>/dev/null
if command -v secsipidx >/dev/null 2>&1; then
	printf 'secsipidx (an independent implementation) checks the signature: '
	secsipidx -check -fidentity "$demo/identity.txt" -fpubkey "$demo/sp.pub" -expire 300
fi
echo
echo "\$ stirctl verify --identity \"\$identity\" --from 'sip:+12155551212@example.com' --to tel:+12125551213"
if ctl verify --identity "$identity" --from 'sip:+12155551212@example.com' \
	--to tel:+12125551213 > "$demo/verify.json"; then st=0; else st=$?; fi
cat "$demo/verify.json"
echo
echo "Verdict: $(sed -n 's/.*"verstat": "\([^"]*\)".*/\1/p' "$demo/verify.json") (stirctl exit status $st)"
echo
echo "The same header on a call from another number:"
if ctl verify --identity "$identity" --from 'sip:+19995550000@example.com' \
	--to tel:+12125551213 > "$demo/verify-spoofed.json"; then st=0; else st=$?; fi
echo "Verdict: $(sed -n 's/.*"verstat": "\([^"]*\)".*/\1/p' "$demo/verify-spoofed.json"), $(tr -d '\n' < "$demo/verify-spoofed.json" | sed -n 's/.*"error": {[^}]*"code": \([0-9]*\).*"reason": "\([^"]*\)".*/\1 \2/p' | head -n 1) (exit status $st)"
echo
echo "Stopping stird."
