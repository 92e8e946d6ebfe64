#!/bin/sh
# mktnlist.sh PKI BASE: certificates that carry their TNAuthList by
# reference (RFC 8226 section 10.1: AIA accessMethod id-ad-stirTNList,
# 1.3.6.1.5.5.7.48.14, an https URI of a DER TNAuthList), added to a PKI
# made by scripts/mkpki.sh.  BASE is the URL the lists are served under
# (the test HTTPS server), so this runs at test time.  Tests only.
#
#   tnl-ee.der       TNAuthList: range 12155550000+1000
#   tnl-ca.der       TNAuthList: range 12155550000+10000
#   tnl-one.der      TNAuthList: one 12155550005
#   tnl-garbage.der  not DER at all
#   ref.*            end entity under inter, list only by reference: BASE/tnl-ee.der
#   both.*           by value range 12155550000+1000 and by reference BASE/tnl-one.der
#   garb.*           by reference BASE/tnl-garbage.der
#   gone.*           by reference BASE/tnl-missing.der (not served)
#   plain.*          by reference, but an http URI (RFC 8226: MUST be https)
#   ocsp.*           AIA OCSP first, then id-ad-stirTNList BASE/tnl-ee.der
#   refca.*          CA under ca, list only by reference: BASE/tnl-ca.der
#   refdeleg.*       under refca, by value range 12155551000+50 (inside refca's)
#   refwide.*        under refca, by value range 12165550000+10 (outside refca's)
# Each end entity NAME has NAME-chain.pem (itself and its CA).
set -eu
dir=$1
base=$2
cd "$dir"
umask 077

gen() { # name section: a DER TNAuthList from the section below
	openssl asn1parse -genconf tnl.cnf -genstr "SEQUENCE:$2" -out "$1" -noout >/dev/null
}
cat > tnl.cnf <<CNF
[tnauth_ee]
range = EXP:1,SEQUENCE:range_ee
[range_ee]
start = IA5:12155550000
count = INT:1000
[tnauth_ca]
range = EXP:1,SEQUENCE:range_ca
[range_ca]
start = IA5:12155550000
count = INT:10000
[tnauth_one]
one = EXP:2,IA5:12155550005
[tnauth_deleg]
range = EXP:1,SEQUENCE:range_deleg
[range_deleg]
start = IA5:12155551000
count = INT:50
[tnauth_wide]
range = EXP:1,SEQUENCE:range_wide
[range_wide]
start = IA5:12165550000
count = INT:10

[ref]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
authorityInfoAccess = 1.3.6.1.5.5.7.48.14;URI:$base/tnl-ee.der
[both]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
authorityInfoAccess = 1.3.6.1.5.5.7.48.14;URI:$base/tnl-one.der
1.3.6.1.5.5.7.1.26 = ASN1:SEQUENCE:tnauth_ee
[garb]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
authorityInfoAccess = 1.3.6.1.5.5.7.48.14;URI:$base/tnl-garbage.der
[gone]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
authorityInfoAccess = 1.3.6.1.5.5.7.48.14;URI:$base/tnl-missing.der
[plain]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
authorityInfoAccess = 1.3.6.1.5.5.7.48.14;URI:http://127.0.0.1:1/tnl-ee.der
[ocsp]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
authorityInfoAccess = OCSP;URI:http://ocsp.example.com/, 1.3.6.1.5.5.7.48.14;URI:$base/tnl-ee.der
[refca]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
authorityInfoAccess = 1.3.6.1.5.5.7.48.14;URI:$base/tnl-ca.der
[refdeleg]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
1.3.6.1.5.5.7.1.26 = ASN1:SEQUENCE:tnauth_deleg
[refwide]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
1.3.6.1.5.5.7.1.26 = ASN1:SEQUENCE:tnauth_wide
CNF
gen tnl-ee.der tnauth_ee
gen tnl-ca.der tnauth_ca
gen tnl-one.der tnauth_one
printf 'this is not a TNAuthList\n' > tnl-garbage.der

key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }
issue() { # name section subject ca-name
	key "$1.key"
	openssl req -new -key "$1.key" -subj "/O=stird test/CN=$3" -config tnl.cnf -out "$1.csr" \
		2>/dev/null
	openssl x509 -req -in "$1.csr" -CA "$4.pem" -CAkey "$4.key" -CAcreateserial -days 365 \
		-sha256 -extfile tnl.cnf -extensions "$2" -out "$1.pem" 2>/dev/null
	cat "$1.pem" "$4.pem" > "$1-chain.pem"
}
for n in ref both garb gone plain ocsp; do
	issue "$n" "$n" "TN list by reference $n" inter
done
issue refca refca "stird test CA with a TN list by reference" ca
for n in refdeleg refwide; do
	issue "$n" "$n" "Delegate $n under refca" refca
done
rm -f ./*.csr ./*.srl
chmod 0600 ./*.key
