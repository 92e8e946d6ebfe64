#!/usr/bin/env python3
"""gen-seeds.py: (re)write the seed corpora of the Identity, PASSporT,
Cache-Control, HTTP-date, Rich Call Data and RCD policy fuzz targets.

    tests/fuzz/gen-seeds.py [SRCDIR]

The seeds are checked in; run this only to change them.  It writes
tests/fuzz/corpus/{identity,passport,cachecontrol,httpdate,rcd,policy}/<name>
and leaves every other file there alone (regression seeds stay).  The
policy seeds include the example documents of policies/ as they are.
"""
import base64
import json
import os
import sys

SRC = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..")
CORPUS = os.path.join(SRC, "tests", "fuzz", "corpus")

AT = 1795871896  # the harness verifies as of this time
INFO = "https://x.example/c.pem"
UUID = "123e4567-e89b-12d3-a456-426655440000"


def b64u(b):
    if isinstance(b, str):
        b = b.encode()
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def js(o, canonical=True):
    if canonical:
        return json.dumps(o, sort_keys=True, separators=(",", ":"))
    return json.dumps(o)  # foreign order and spacing


SIG = b64u(bytes(range(0x40, 0x80)))  # 64 bytes: r || s, never verified here
HDR = {"alg": "ES256", "ppt": "shaken", "typ": "passport", "x5u": INFO}
PAY = {"attest": "A", "dest": {"tn": ["12125551213"]}, "iat": AT,
       "orig": {"tn": "12155551212"}, "origid": UUID}
PARAMS = ";info=<%s>;alg=ES256;ppt=shaken" % INFO


def jws(h=HDR, p=PAY, sig=SIG, canonical=True):
    hs = h if isinstance(h, str) else js(h, canonical)
    ps = p if isinstance(p, str) else js(p, canonical)
    return "%s.%s.%s" % (b64u(hs), b64u(ps), sig)


def write(target, seeds):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    for name, data in seeds.items():
        if isinstance(data, str):
            data = data.encode("latin-1")
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)


def with_(base, **kw):
    o = json.loads(json.dumps(base))
    for k, v in kw.items():
        if v is None:
            o.pop(k, None)
        else:
            o[k] = v
    return o


FULL = jws() + PARAMS
COMPACT = ".." + SIG + ";info=<%s>;alg=ES256" % INFO

# ---- identity: the header field value grammar ----
write("identity", {
    "full": FULL,
    "full-no-alg-ppt": jws() + ";info=<%s>" % INFO,
    "compact": COMPACT,
    "compact-info-only": ".." + SIG + ";info=<%s>" % INFO,
    "quoted-ppt": jws() + ';info=<%s>;alg=ES256;ppt="shaken"' % INFO,
    "quoted-escape": jws() + ';info=<%s>;ppt="sha\\"ken";alg="ES256"' % INFO,
    "folded-ws": jws() + "\r\n ;\r\n\tinfo =\r\n <%s> ; alg\t=\tES256 ;ppt= shaken" % INFO,
    "folded-lf": jws() + "\n ;info=<%s>\n\t;alg=ES256" % INFO,
    "header-name": "Identity: " + FULL,
    "compact-header-name": "y: " + COMPACT,
    "unknown-params": jws() + ";foo=bar;info=<%s>;x;baz=\"q;u\";alg=ES256;z=<a>" % INFO,
    "info-sip-uri": jws() + ";info=<sip:cert@example.com;transport=tls>;alg=ES256",
    "upper-names": jws() + ";INFO=<%s>;ALG=ES256;PPT=shaken" % INFO,
    "bad-dup-info": jws() + ";info=<%s>;info=<%s>" % (INFO, INFO),
    "bad-dup-ppt": jws() + PARAMS + ";ppt=div",
    "bad-no-info": jws() + ";alg=ES256;ppt=shaken",
    "bad-info-no-brackets": jws() + ";info=%s" % INFO,
    "bad-info-unclosed": jws() + ";info=<%s" % INFO,
    "bad-info-space": jws() + ";info=<https://x.example/a b.pem>",
    "bad-quote-unterminated": jws() + ';info=<%s>;ppt="shaken' % INFO,
    "bad-two-dots": "a.b" + PARAMS,
    "bad-four-parts": "a.b.c.d" + PARAMS,
    "bad-no-sig": jws().rsplit(".", 1)[0] + "." + PARAMS,
    "bad-header-only": "abc..sig" + PARAMS,
    "bad-std-alphabet": "ab+/.cd.ef==" + PARAMS,
    "bad-junk-after": FULL + " junk",
    "bad-empty-param": FULL + ";;",
    "bad-nul": FULL[:20] + "\0" + FULL[20:],
    "bad-long-ppt": jws() + ";info=<%s>;ppt=%s" % (INFO, "p" * 40),
    "too-many-params": jws() + ";info=<%s>" % INFO + ";a=b" * 17,
    "junk": "\xff\xfe;=<>\"\\\r\n\t ..",
})

# ---- passport: deep seeds for stir_passport_check ----
passport = {
    "full-valid": FULL,
    "full-valid-no-ppt": jws(h=with_(HDR, ppt=None), p=with_(PAY, attest=None, origid=None))
    + ";info=<%s>;alg=ES256" % INFO,
    "full-foreign-order": jws(canonical=False) + PARAMS,
    "full-attest-c": jws(p=with_(PAY, attest="C")) + PARAMS,
    "full-orig-uri": jws(p=with_(PAY, orig={"uri": "sip:alice@example.com"})) + PARAMS,
    "full-dest-uri": jws(p=with_(PAY, dest={"uri": ["sip:+12125551213@example.com"],
                                             "tn": ["12125551213"]})) + PARAMS,
    "full-iat-edge": jws(p=with_(PAY, iat=AT - 60)) + PARAMS,
    "full-stale": jws(p=with_(PAY, iat=AT - 3600)) + PARAMS,
    "full-div": jws(h=with_(HDR, ppt="div"), p=with_(PAY, div={"tn": "12125551214"}))
    + ";info=<%s>;alg=ES256;ppt=div" % INFO,
    "full-ppt-mismatch": jws() + ";info=<%s>;alg=ES256;ppt=div" % INFO,
    "full-x5u-mismatch": jws(h=with_(HDR, x5u="https://y.example/c.pem")) + PARAMS,
    "full-alg-rs256": jws(h=with_(HDR, alg="RS256")) + PARAMS,
    "full-bad-typ": jws(h=with_(HDR, typ="jwt")) + PARAMS,
    "full-bad-origid": jws(p=with_(PAY, origid="not-a-uuid")) + PARAMS,
    "full-bad-dest": jws(p=with_(PAY, dest={"tn": []})) + PARAMS,
    "full-iat-string": jws(p=with_(PAY, iat=str(AT))) + PARAMS,
    "full-dup-key": jws(p=js(PAY)[:-1] + ',"iat":1}') + PARAMS,
    "full-short-sig": jws(sig=b64u(b"\1" * 63)) + PARAMS,
    "full-not-json": jws(h="not json", p="[1,2]") + PARAMS,
    "compact-valid": COMPACT,
    "compact-no-alg": ".." + SIG + ";info=<%s>" % INFO,
    "compact-with-ppt": ".." + SIG + PARAMS,
}
# the structure-aware mode: "J" header "\n" payload ["\n" params]
passport["json-valid"] = "J" + js(HDR) + "\n" + js(PAY)
passport["json-foreign"] = "J" + js(HDR, False) + "\n" + js(PAY, False)
passport["json-params"] = "J" + js(HDR) + "\n" + js(PAY) + "\n;info=<%s>" % INFO
passport["json-params-quoted"] = "J" + js(HDR) + "\n" + js(PAY) + \
    '\n;info=<%s>;ppt="shaken";alg=ES256' % INFO
passport["full-ppt-header-only"] = jws() + ";info=<%s>;alg=ES256" % INFO
passport["full-ppt-param-only"] = jws(h=with_(HDR, ppt=None)) + PARAMS
passport["json-no-ppt"] = "J" + js(with_(HDR, ppt=None)) + "\n" + \
    js(with_(PAY, attest=None, origid=None)) + "\n;info=<%s>;alg=ES256" % INFO
passport["json-orig-uri"] = "J" + js(HDR) + "\n" + \
    js(with_(PAY, orig={"uri": "sip:alice@example.com"}))
passport["json-escapes"] = "J" + js(HDR) + "\n" + \
    '{"attest":"\\u0041","dest":{"tn":["12125551213"],"uri":["sip:x@y"]},' \
    '"iat":1795871896,"orig":{"tn":"12155551212"},"origid":"' + UUID + '","x":[{}]}'
write("passport", passport)

# ---- cachecontrol: Cache-Control "\n" Expires "\n" Date ----
write("cachecontrol", {
    "max-age": "max-age=3600",
    "s-maxage": "public, max-age=60, s-maxage=600",
    "no-store": "no-store",
    "no-cache-field": 'no-cache="Set-Cookie", max-age=60',
    "quoted": 'max-age="300", private',
    "invalid-max-age": "max-age=x\nSat, 28 Nov 2026 14:18:16 GMT",
    "huge": "max-age=99999999999999999999999999999999",
    "expires-date": "\nSat, 28 Nov 2026 14:18:16 GMT\nSat, 28 Nov 2026 13:18:16 GMT",
    "expires-only": "\nSat, 28 Nov 2026 13:28:16 GMT",
    "expires-past": "\nThu, 01 Jan 1970 00:00:00 GMT\nSat, 28 Nov 2026 13:18:16 GMT",
    "expires-zero": "\n0\n",
    "expires-rfc850": "\nSaturday, 28-Nov-26 14:18:16 GMT\nSaturday, 28-Nov-26 13:18:16 GMT",
    "expires-asctime": "\nSat Nov 28 14:18:16 2026\nSat Nov 28 13:18:16 2026",
    "weird-spacing": " ,\t,max-age = 120 , no-transform,,",
    "unterminated-quote": 'max-age="',
    "repeated": "max-age=10, max-age=20, s-maxage=x, s-maxage=30",
    "junk": "\"\\,=\x00\xff\nno date\n\r\n",
})

# ---- httpdate: the SIP Date header ----
write("httpdate", {
    "imf-fixdate": "Sat, 28 Nov 2026 13:18:16 GMT",
    "rfc850": "Saturday, 28-Nov-26 13:18:16 GMT",
    "asctime": "Sat Nov 28 13:18:16 2026",
    "asctime-pad": "Sun Nov  6 08:49:37 1994",
    "epoch": "Thu, 01 Jan 1970 00:00:00 GMT",
    "before-epoch": "Wed, 31 Dec 1969 23:59:59 GMT",
    "leap-second": "Wed, 31 Dec 2036 23:59:60 GMT",
    "year-9999": "Fri, 31 Dec 9999 23:59:59 GMT",
    "feb-30": "Mon, 30 Feb 2026 12:00:00 GMT",
    "wrong-weekday": "Mon, 28 Nov 2026 13:18:16 GMT",
    "lowercase": "sat, 28 nov 2026 13:18:16 gmt",
    "bad-zone": "Sat, 28 Nov 2026 13:18:16 UTC",
    "bad-trailing": "Sat, 28 Nov 2026 13:18:16 GMT ",
    "bad-hour": "Sat, 28 Nov 2026 25:18:16 GMT",
    "bad-long": "Sat, 28 Nov 2026 13:18:16 GMT" + " " * 40,
    "junk": "\xff, 99 Xyz -1 ::: GMT",
})

# ---- rcd: a PASSporT payload with Rich Call Data (or raw text as nam) ----
ICN = "https://x.example/logo.png"
JCL = "https://x.example/card.json"
JCARD = ["vcard", [["version", {}, "text", "4.0"], ["fn", {}, "text", "Alice"]]]
RPAY = with_(PAY, rcd={"nam": "Alice"})
B64_32 = base64.b64encode(bytes(range(32))).decode()
B64_48 = base64.b64encode(bytes(range(48))).decode()
B64_64 = base64.b64encode(bytes(range(64))).decode()
write("rcd", {
    "nam-only": js({"rcd": {"nam": "Alice"}}),
    "payload": js(RPAY),
    "full": js(with_(PAY, rcd={"nam": "Alice", "apn": "Acme", "icn": ICN, "jcl": JCL},
                     crn="Delivery", rcdi={"/icn": "sha256-" + B64_32,
                                           "/jcl": "sha512-" + B64_64})),
    "jcd": js({"rcd": {"nam": "Alice", "jcd": JCARD, "icn": ICN},
               "rcdi": {"/icn": "sha384-" + B64_48, "/jcd": "sha256-" + B64_32}}),
    "bad-jcd-jcl": js({"rcd": {"nam": "Alice", "jcd": JCARD, "jcl": JCL}}),
    "bad-jcd-shape": js({"rcd": {"nam": "Alice", "jcd": ["vcard", {}]}}),
    "bad-no-nam": js({"rcd": {"apn": "Acme"}}),
    "bad-nam-number": js({"rcd": {"nam": 42}}),
    "bad-http-icn": js({"rcd": {"nam": "Alice", "icn": "http://x.example/logo.png"}}),
    "bad-icn-space": js({"rcd": {"nam": "Alice", "icn": "https://x.example/a b.png"}}),
    "bad-rcdi-key": js({"rcd": {"nam": "Alice", "icn": ICN}, "rcdi": {"icn": "sha256-" + B64_32}}),
    "bad-rcdi-value": js({"rcd": {"nam": "Alice"}, "rcdi": {"/icn": 1}}),
    "bad-crn-type": js({"rcd": {"nam": "Alice"}, "crn": ["x"]}),
    "bad-rcd-array": js({"rcd": ["nam", "Alice"]}),
    "no-rcd": js(PAY),
    "rcdi-b64url": js({"rcd": {"nam": "A", "icn": ICN},
                       "rcdi": {"/icn": "sha256-" + B64_32.replace("+", "-").replace("/", "_").rstrip("=")}}),
    "rcdi-md5": js({"rcd": {"nam": "A", "jcl": JCL}, "rcdi": {"/jcl": "md5-AAAAAAAAAAAAAAAAAAAAAA=="}}),
    "nam-bidi": '{"rcd":{"nam":"\\u202eevil\\u202c \\u2066x\\u2069\\u200e\\u200f\\ufeff\\u061c"}}',
    "nam-controls": '{"rcd":{"nam":"a\\u0001b\\tc\\u007fd\\u0085e\\u200bf"}}',
    "nam-quotes": '{"rcd":{"nam":"\\"Bob\\" \\\\ \\u0022x\\u005c   "}}',
    # raw UTF-8 (write() takes a str as latin-1 bytes)
    "nam-long-multibyte": json.dumps({"rcd": {"nam": "\u00e9\u4e2d\U0001f600" * 28}},
                                     ensure_ascii=False).encode().decode("latin-1"),
    "nam-long-escaped": js({"rcd": {"nam": "\u00e9\u4e2d\U0001f600" * 28}}),
    "nam-max": js({"rcd": {"nam": "x" * 256}, "crn": "y" * 256}),
    "bad-nam-too-long": js({"rcd": {"nam": "x" * 257}}),
    "raw-text": "Alice \xe2\x80\xae evil\xef\xbb\xbf \"q\" \\",
    "raw-not-utf8": "Alice \xc0\xaf \xed\xa0\x80 \xff",
    "icon-png": "\x89PNG\r\n\x1a\n\0\0\0\rIHDR",
    "icon-jpeg": "\xff\xd8\xff\xe0\0\x10JFIF",
    "icon-svg": '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>',
    "jcard": js(JCARD),
    "bad-jcard-dup": '["vcard",[{"a":1,"a":2}]]',
})

# ---- policy: an RCD policy document [NUL the caller's rcd values] ----
POLICY_DIR = os.path.join(SRC, "policies")
policy = {}
for f in sorted(os.listdir(POLICY_DIR)):
    if f.endswith(".json"):
        with open(os.path.join(POLICY_DIR, f), "rb") as fh:
            policy["example-" + f[:-len(".json")]] = fh.read()

PJCD = ["vcard", [["version", {}, "text", "4.0"], ["fn", {}, "text", "Acme"],
                  ["logo", {}, "uri", "https://x.example/logo.png"],
                  ["tel", {}, "uri", "tel:+12155551212"],
                  ["photo", {}, "uri", "data:image/png;base64,iVBORw0KGgo="],
                  ["url", {}, "uri", "https://x.example/"]]]
POL = {"name": "p", "match": {"tns": ["12155551212"]}, "rcd": {"nam": "Acme"}}
FULLPOL = {"name": "full", "description": "every member",
           "match": {"tns": ["12155550100", "12155550200-12155550299", "1215556*"],
                     "cred": "acme-cred"},
           "rcd": {"nam": "Acme", "apn": "12155550100", "icn": ICN, "jcd": PJCD},
           "alternatives": {"nam": ["Acme Desk", "Acme Cards"], "apn": ["12155550101"],
                            "icn": ["https://x.example/2.png"],
                            "jcl": ["https://x.example/2.json"]},
           "caller_values": True, "reasons": ["Delivery", "Reminder"],
           "attach": "separate"}


def pol(**kw):
    return js(with_(POL, **kw))


def caller(doc, req):
    return (doc if isinstance(doc, str) else js(doc)) + "\0" + (
        req if isinstance(req, str) else js(req))


policy.update({
    "minimal": pol(),
    "full": js(FULLPOL),
    "full-foreign-order": js(FULLPOL, canonical=False),
    "jcl": pol(rcd={"nam": "Acme", "icn": ICN, "jcl": JCL}, reasons=["Delivery"]),
    "cred-only": pol(match={"cred": "acme-cred"}),
    "jcd-verifier-forms": pol(rcd={"nam": "Acme", "jcd": ["vcard", [
        ["LOGO", {}, "URI", "https://x.example/l.png"],
        ["url", {}, "uri", "https://x.example/a", "https://x.example/b"],
        ["fn", {}], "x", [1, {}, "uri", "https://x.example/c"]]]}),
    "bad-jcd-http": pol(rcd={"nam": "Acme", "jcd": ["vcard", [
        ["url", {}, "uri", "http://x.example/"]]]}),
    "caller-alt": caller(FULLPOL, {"nam": "Acme Cards", "jcl": "https://x.example/2.json"}),
    "caller-own": caller(FULLPOL, {"nam": "Acme", "apn": "12155550100", "icn": ICN}),
    "caller-refused": caller(FULLPOL, {"nam": "Evil"}),
    "caller-mistyped": caller(FULLPOL, {"nam": 1, "crn": "x"}),
    "caller-not-object": caller(pol(), '"Acme"'),
    "bad-unknown-member": pol(extra=1),
    "bad-unknown-rcd-member": pol(rcd={"nam": "Acme", "crn": "x"}),
    "bad-no-nam": pol(rcd={"apn": "12155551212"}),
    "bad-jcd-jcl": pol(rcd={"nam": "Acme", "jcd": PJCD, "jcl": JCL}),
    "bad-jcd-shape": pol(rcd={"nam": "Acme", "jcd": ["vcard", {}]}),
    "bad-jcd-too-many-urls": pol(rcd={"nam": "Acme", "jcd": ["vcard", [
        ["url", {}, "uri", "https://x.example/%d" % i] for i in range(9)]]}),
    "bad-http-icn": pol(rcd={"nam": "Acme", "icn": "http://x.example/i.png"}),
    "bad-icn-space": pol(rcd={"nam": "Acme", "icn": "https://x.example/a b.png"}),
    "bad-url-too-long": pol(rcd={"nam": "Acme", "icn": "https://x.example/" + "a" * 1010}),
    "bad-apn": pol(rcd={"nam": "Acme", "apn": "+1 215 555 1212"}),
    "bad-tns-spec": pol(match={"tns": ["12-123"]}),
    "bad-tns-reversed": pol(match={"tns": ["199-100"]}),
    "bad-match-empty": pol(match={}),
    "bad-alternatives-without-caller-values": pol(alternatives={"nam": ["X"]}),
    "bad-reasons-too-many": pol(reasons=["r%d" % i for i in range(33)]),
    "bad-reason-too-long": pol(reasons=["r" * 129]),
    "bad-reason-control": pol(reasons=["a\nb"]),
    "bad-attach": pol(attach="inline"),
    "bad-name": pol(name=".hidden"),
    "bad-duplicate-key": '{"name":"p","name":"q","match":{"tns":["1"]},"rcd":{"nam":"A"}}',
    "bad-not-object": '["name","p"]',
    "bad-truncated": js(FULLPOL)[:-7],
})
write("policy", policy)
