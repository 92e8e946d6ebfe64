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
# then verifies the call with stird and prints the verdict.  Then it starts
# the HTTP front door (stird-http, a client of stird's socket) and signs
# and verifies a call through it as an SBC would (the SHAKEN REST API),
# printing the JSON exchange, and brands a call with Rich Call Data.
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
echo "Verdict: $(python3 -c 'import json,sys
r = json.load(open(sys.argv[1])); e = r["error"]
print("%s, %d %s: %s" % (r["verstat"], e["code"], e["reason"], e["detail"]))' "$demo/verify-spoofed.json") (exit status $st)"

# ---- the HTTP front door: what an SBC sends (SHAKEN REST API) ----
echo
echo "== The HTTP front door: an SBC signs and verifies over HTTP =="
hport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat > "$demo/stird-http.conf" <<CONF
# demo configuration of the door: loopback only, no authentication
listen = 127.0.0.1:$hport
stird_socket = $demo/stird.sock
CONF
"$bin/stird-http" -f -c "$demo/stird-http.conf" 2>"$demo/stird-http.log" &
door=$!
trap 'kill $door $pid $web 2>/dev/null; wait $pid 2>/dev/null || true' EXIT INT TERM
i=0
until curl -sf "http://127.0.0.1:$hport/healthz" >/dev/null 2>&1; do
	i=$((i + 1))
	[ $i -lt 100 ] || { cat "$demo/stird-http.log"; exit 1; }
	sleep 0.1
done
echo "stird-http is running on http://127.0.0.1:$hport (pid $door), a client of stird's socket"
post() { # path body
	echo
	echo "POST $1"
	printf '%s\n' "$2" | python3 -m json.tool
	echo "->"
	curl -sS -H 'Content-Type: application/json' -H 'X-RequestID: demo-1' \
		--data-binary "$2" "http://127.0.0.1:$hport$1" | tee "$demo/door.out" | python3 -m json.tool
}
now=$(date +%s)
post /stir/v1/signing "{\"signingRequest\":{\"orig\":{\"tn\":\"12155551212\"},\"dest\":{\"tn\":[\"12125551213\"]},\"iat\":$now,\"attest\":\"A\",\"origid\":\"123e4567-e89b-12d3-a456-426655440000\"}}"
door_identity=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["signingResponse"]["identity"])' "$demo/door.out")
post /stir/v1/verification "{\"verificationRequest\":{\"from\":{\"tn\":\"12155551212\"},\"to\":{\"tn\":[\"12125551213\"]},\"time\":$now,\"identity\":\"$door_identity\"}}"
echo
echo "Door verdict: $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["verificationResponse"]["verstatValue"])' "$demo/door.out")"

# ---- RCD in five minutes (README): brand the call ----
echo
echo "== Rich Call Data: a branded call =="
# the brand's content on the web server: a logo and a jCard whose photo is a URL
python3 - "$demo/www" <<'PY'
import struct, sys, zlib
def chunk(t, d):
    return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
raw = b"".join(b"\0" + bytes([0x2a, 0x6f, 0xd9]) * 16 for _ in range(16))
png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 16, 16, 8, 2, 0, 0, 0)) \
    + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
open(sys.argv[1] + "/logo.png", "wb").write(png)
open(sys.argv[1] + "/photo.png", "wb").write(png)
PY
printf '["vcard",[["version",{},"text","4.0"],["fn",{},"text","Acme Pharmacy"],["photo",{},"uri","https://127.0.0.1:%s/photo.png"]]]' \
	"$port" > "$demo/www/card.json"
cat > "$demo/acme.json" <<POLICY
{
  "name": "acme",
  "description": "Acme Pharmacy: brand vetted for +1 215 555 1200-1299",
  "match": { "tns": ["12155551200-12155551299"] },
  "rcd": {
    "nam": "Acme Pharmacy",
    "icn": "https://127.0.0.1:$port/logo.png",
    "jcl": "https://127.0.0.1:$port/card.json"
  },
  "reasons": ["Your prescription is ready"]
}
POLICY
echo
echo "\$ stirctl policy add acme.json"
ctl policy add "$demo/acme.json"
echo
echo "\$ stirctl policy test --orig +12155551212 --crn 'Your prescription is ready'"
ctl policy test --orig +12155551212 --crn 'Your prescription is ready'
echo
echo "\$ stirctl sign --from 'sip:+12155551212@example.com;user=phone' --to tel:+12125551213 --attest A --rcd --crn 'Your prescription is ready'"
ctl sign --from 'sip:+12155551212@example.com;user=phone' --to tel:+12125551213 --attest A \
	--rcd --crn 'Your prescription is ready' | tee "$demo/sign-rcd.out"
branded=$(tail -n 1 "$demo/sign-rcd.out")
echo
echo "\$ stirctl verify --identity \"\$branded\" --from 'sip:+12155551212@example.com' --to tel:+12125551213"
if ctl verify --identity "$branded" --from 'sip:+12155551212@example.com' \
	--to tel:+12125551213 > "$demo/verify-rcd.json"; then st=0; else st=$?; fi
python3 -c 'import json,sys
r = json.load(open(sys.argv[1])); rcd = r["rcd"]; jc = rcd.pop("jcard", None)
print("verstat:", r["verstat"]); print("rcd:", json.dumps(rcd, indent=2))
print("rcd.jcard:", json.dumps(jc, separators=(",", ":")))' \
	"$demo/verify-rcd.json"
echo
echo "A caller asking for a name the policy does not permit:"
echo "\$ stirctl sign ... --nam 'Your Bank'"
ctl sign --from 'sip:+12155551212@example.com;user=phone' --to tel:+12125551213 --attest A \
	--nam 'Your Bank' || true
echo
echo "Stopping stird."
