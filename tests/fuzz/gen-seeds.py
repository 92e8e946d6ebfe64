#!/usr/bin/env python3
"""gen-seeds.py: (re)write the seed corpora of the Identity, PASSporT,
Cache-Control, HTTP-date, Rich Call Data, RCD policy, diversion,
message-body and URL-rule fuzz targets.

    tests/fuzz/gen-seeds.py [SRCDIR]

The seeds are checked in; run this only to change them.  It writes
tests/fuzz/corpus/{identity,passport,cachecontrol,httpdate,rcd,policy,
diversion,message,url}/<name> and leaves every other file there alone
(regression seeds stay).  The policy seeds include the example documents
of policies/ as they are.
"""
import base64
import hashlib
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
# the called party's BYE (RFC 9970 s6, the harness's backward context):
# the s9 claim set's shape, signed for the connected dest ...214
passport["json-backward"] = "J" + js(with_(HDR, ppt=None)) + "\n" + \
    js(with_(PAY, attest=None, origid=None, dest={"tn": ["12125551214"]})) + \
    "\n;info=<%s>;alg=ES256" % INFO
passport["json-backward-shaken"] = "J" + js(HDR) + "\n" + \
    js(with_(PAY, dest={"tn": ["12125551214"]}))
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

# ---- url: the URL rules (daemon/stir/url.c) ----
URL_MAX = 1024
write("url", {
    "https": INFO,
    "http": "http://x.example/c.pem",
    "upper-scheme": "HTTPS://x.example/c.pem",
    "userinfo": "https://user:pw@x.example/c.pem",
    "query-fragment": "https://x.example/c.pem?a=b&c#frag",
    "ipv6": "https://[2001:db8::1]:8443/c.pem",
    "port": "https://x.example:8443/c.pem",
    "empty-host": "https:///c.pem",
    "port-no-host": "https://:443/c.pem",
    "scheme-only": "https://",
    "http-only": "http://",
    "space": "https://x.example/a b.pem",
    "control": "https://x.example/\x01.pem",
    "del": "https://x.example/\x7f.pem",
    "nul": "https://x.example/\x00.pem",
    "utf8": "https://x.example/caf\xc3\xa9.png",
    "uri-chars": "https://x.example/{a}|b^`c",
    "info-chars": "https://x.example/a;b<c>\"d\\e",
    "max": "https://x.example/" + "a" * (URL_MAX - 18),
    "over-max": "https://x.example/" + "a" * (URL_MAX - 17),
    "data": "data:image/png;base64,iVBORw0KGgo=",
    "ldap": "ldap://x.example/cn=crl",
    "tel": "tel:+12155551212",
    "empty": "",
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

# ---- passport: the types of RFC 8946 (div, div-o), RFC 9475 (msg), RFC 9970 (rsp) ----
def hdr(ppt):
    return with_(HDR, ppt=ppt)


def params(ppt):
    return ";info=<%s>;alg=ES256;ppt=%s" % (INFO, ppt)


WATSON = b"Watson, come here."
MIXED = (b"--b1\r\nContent-Type: text/plain\r\n\r\nSee attached.\r\n"
         b"--b1\r\nContent-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n\r\n"
         b"iVBORw0KGgo=\r\n--b1--\r\n")


def msgi(alg, body, pad=True):
    d = base64.b64encode(hashlib.new(alg, body).digest()).decode()
    return alg + "-" + (d if pad else d.rstrip("="))


BASE = {"dest": {"tn": ["12125551213"]}, "iat": AT, "orig": {"tn": "12155551212"}}
DIVP = {"dest": {"tn": ["12125551214"]}, "div": {"tn": "12125551213"}, "iat": AT,
        "orig": {"tn": "12155551212"}}
OPT = jws(p=BASE)
write("passport", {
    "full-div-hi": jws(h=hdr("div"), p=with_(DIVP, div={"tn": "12125551213", "hi": "1.2"}))
    + ';info=<%s>;ppt="div"' % INFO,
    "full-div-uri": jws(h=hdr("div"), p=with_(DIVP, div={"uri": "sip:bob@EXAMPLE.org;x=y"}))
    + params("div"),
    "full-div-opt": jws(h=hdr("div"), p=with_(DIVP, opt=OPT)) + params("div"),
    "full-div-array": jws(h=hdr("div"), p=with_(DIVP, div=["12125551213"])) + params("div"),
    "full-div-both": jws(h=hdr("div"), p=with_(DIVP, div={"tn": "12125551213",
                                                          "uri": "sip:bob@example.org"}))
    + params("div"),
    "full-div-o": jws(h=hdr("div-o"), p=with_(DIVP, opt=OPT)) + params("div-o"),
    "full-div-o-compact-opt": jws(h=hdr("div-o"), p=with_(DIVP, opt=".." + SIG))
    + params("div-o"),
    "full-div-o-no-opt": jws(h=hdr("div-o"), p=DIVP) + params("div-o"),
    "full-msg-msgi256": jws(h=hdr("msg"), p=with_(BASE, msgi=msgi("sha256", WATSON)))
    + params("msg"),
    "full-msg-msgi384": jws(h=hdr("msg"), p=with_(BASE, msgi=msgi("sha384", WATSON)))
    + params("msg"),
    "full-msg-msgi512-unpadded": jws(h=hdr("msg"), p=with_(BASE, msgi=msgi("sha512", WATSON,
                                                                          False)))
    + params("msg"),
    "full-msg-mismatch": jws(h=hdr("msg"), p=with_(BASE, msgi=msgi("sha256", b"other")))
    + params("msg"),
    "full-msg-md5": jws(h=hdr("msg"), p=with_(BASE, msgi="md5-AAAAAAAAAAAAAAAAAAAAAA=="))
    + params("msg"),
    "full-msg-no-msgi": jws(h=hdr("msg"), p=BASE) + params("msg"),
    "full-shaken-msgi": jws(p=with_(PAY, msgi=msgi("sha256", b"other"))) + PARAMS,
    "full-rcd": jws(h=hdr("rcd"), p=with_(BASE, rcd={"nam": "Alice"})) + params("rcd"),
    "full-rsp": jws(h=hdr("rsp"), p=with_(BASE, dest={"tn": ["12125551214"]})) + params("rsp"),
    "full-rsp-two-dests": jws(h=hdr("rsp"), p=with_(BASE, dest={"tn": ["12125551213",
                                                                      "12125551214"]}))
    + params("rsp"),
    "full-rsp-header-only": jws(h=hdr("rsp"), p=BASE) + ";info=<%s>" % INFO,
    "json-div": "J" + js(hdr("div")) + "\n" + js(DIVP) + "\n" + params("div"),
    "json-div-o": "J" + js(hdr("div-o")) + "\n" + js(with_(DIVP, opt=OPT)) + "\n" + params("div-o"),
    "json-msg": "J" + js(hdr("msg")) + "\n" + js(with_(BASE, msgi=msgi("sha256", WATSON)))
    + "\n" + params("msg"),
    "json-msg-body": "J" + js(hdr("msg")) + "\n" + js(with_(BASE, msgi=msgi("sha512", MIXED)))
    + "\n" + params("msg") + "\n" + MIXED.decode(),
    "json-rsp": "J" + js(hdr("rsp")) + "\n" + js(with_(BASE, dest={"tn": ["12125551214"]}))
    + "\n" + params("rsp"),
})

# ---- diversion: HISTORY [NUL LINK]; LINK is JSON or MAX ROOT (FLAGS DEST DIV OPT)* ----
HI = "<sip:+12155551212@example.com;user=phone>;index=1, <tel:+12125550100>;index=1.1"
DIVERSION = "<tel:+12125551213>;reason=unconditional;counter=1"
# the harness's pool: 0-5 are TNs 12155551210-215, 6 sip:bob@, 7 sip:carol@;
# the orig is 12155551212 (pool 2), or 12155551211 (pool 1) with flag 8
U, HOP, DIVO, OTHER = 1, 2, 4, 8


def items(max_hops, root, *its):
    out = bytes([max_hops, root])
    for it in its:
        flags, dest = it[0], it[1]
        div = it[2] if len(it) > 2 else 0
        opt = it[3] if len(it) > 3 else 0
        mask = 0
        for k in dest:
            mask |= 1 << k
        out += bytes([flags, mask, div, opt])
    return "\0" + out.decode("latin-1")


def jitems(its, **kw):
    return "\0" + js(dict(kw, items=its))


A = "12155551212"
write("diversion", {
    "history-info": HI,
    "diversion": DIVERSION,
    "diversion-several": '"Bob" <sip:bob@Example.ORG:5060;transport=tcp>;reason=user-busy, '
                         '<tel:+1-212-555-1214>;reason=no-answer;counter=2',
    "history-garbage": "<garbage>, <mailto:a@b.c>, <>, <<tel:+12125551213>, <http://x/>",
    "history-unterminated": "<tel:+12125551213>, <sip:bob@example.org",
    "history-too-many": ", ".join("<tel:+1212555%04d>" % i for i in range(33)),
    "history-long-uri": "<sip:" + "a" * 520 + "@example.org>, <tel:+12125551213>",
    "bytes-chain": items(5, 0, (U, [3]), (U | HOP, [4], 3), (U | HOP, [5], 4)),
    "bytes-chain-reversed": items(5, 0, (U | HOP, [5], 4), (U | HOP, [4], 3), (U, [3])),
    "bytes-div-o": items(5, 0, (U, [3]), (U, [3]), (U | HOP | DIVO, [4], 3, 1)),
    "bytes-loop": items(5, 0, (U | HOP, [4], 3), (U | HOP, [3], 4), (U, [3])),
    "bytes-root": items(5, 4, (U | HOP, [4], 3), (U | HOP, [5], 4)),
    "bytes-orig-changed": items(5, 0, (U | OTHER, [3]), (U | HOP, [4], 3)),
    "bytes-max-hops": items(1, 0, (U, [3]), (U | HOP, [4], 3), (U | HOP, [5], 4)),
    "bytes-unusable": items(5, 0, (0, [3]), (U | HOP, [4], 3), (HOP, [5], 4)),
    "bytes-uri": items(5, 0, (U, [3, 6]), (U | HOP, [7], 6), (U | HOP, [5], 7)),
    "bytes-fork": items(5, 0, (U, [3]), (U | HOP, [4], 3), (U | HOP, [5], 3)),
    "json-chain": HI + jitems([{"orig": A, "dest": {"tn": ["12155551213"]}},
                               {"orig": A, "dest": {"tn": ["12155551214"]}, "div": "12155551213"},
                               {"orig": A, "dest": {"tn": ["12155551215"]}, "div": "12155551214"}],
                              max=5),
    "json-root": DIVERSION + jitems([{"orig": A, "dest": {"tn": ["12155551214"]},
                                      "div": "12155551213"}], root="tel:+12155551213"),
    "json-div-o": jitems([{"orig": A, "dest": {"tn": ["12155551213"]}},
                          {"orig": A, "dest": {"tn": ["12155551214"]}, "div": "12155551213",
                           "opt": 0}]),
    "json-uri": jitems([{"orig": "sip:alice@example.com",
                         "dest": {"uri": ["sip:bob@example.org"]}},
                        {"orig": "sip:alice@EXAMPLE.com", "dest": {"tn": ["12155551214"]},
                         "div": "sip:bob@example.org;transport=tcp"}]),
    "json-unusable": jitems([{"orig": A, "dest": {"tn": ["12155551213"]}, "usable": False},
                             {"orig": A, "dest": {"tn": ["12155551214"]},
                              "div": "12155551213"}], max=0),
})

# ---- message: [CTYPE NUL] BODY; BODY is also decoded as base64 ----
def b64wrap(b):
    t = base64.b64encode(b).decode()
    return "\r\n".join(t[i:i + 76] for i in range(0, len(t), 76)) + "\r\n"


def ct(ctype, body):
    return ctype + "\0" + (body.decode("latin-1") if isinstance(body, bytes) else body)


write("message", {
    "b64-watson": base64.b64encode(WATSON).decode(),
    "b64-mixed": base64.b64encode(MIXED).decode(),
    "b64-wrapped": b64wrap(bytes(range(256)) * 3),
    "b64-padding": "QQ==",
    "b64-spaces": " QU JD\tRA =\r\n=",
    "b64-bad-padding": "QQ=",
    "b64-url": "-_-_",
    "empty": "",
    "text-plain": ct("text/plain; charset=utf-8", WATSON),
    "multipart": ct("multipart/mixed; boundary=b1", MIXED),
    "multipart-quoted": ct('multipart/alternative; boundary="a b=c"',
                           "--a b=c\r\n\r\nx\r\n--a b=c--\r\n"),
    "multipart-params": ct('Multipart/Related; type="text/plain"; BOUNDARY=b1 ;x=y', MIXED),
    "multipart-no-close": ct("multipart/mixed; boundary=b1", MIXED.replace(b"--b1--", b"--b1")),
    "multipart-no-boundary": ct("multipart/mixed", MIXED),
    "multipart-empty-boundary": ct('multipart/mixed; boundary=""', MIXED),
    "multipart-unterminated-quote": ct('multipart/mixed; boundary="b1', MIXED),
    "boundary-70": ct("multipart/mixed; boundary=" + "q" * 70,
                      "--%s\r\n\r\nx\r\n--%s--" % ("q" * 70, "q" * 70)),
    "boundary-71": ct("multipart/mixed; boundary=" + "q" * 71,
                      "--%s\r\n\r\nx\r\n--%s--" % ("q" * 71, "q" * 71)),
    "ctype-control": ct("text/plain\r\nX-Evil: 1", WATSON),
    "ctype-tab": ct("multipart/mixed;\tboundary=b1", MIXED),
    "ctype-not-type": ct("textplain", WATSON),
    "ctype-b64": ct("QUJD", "QQ=="),
})
