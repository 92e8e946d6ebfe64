#!/bin/sh
# mkpki.sh DIR: make a test STIR/SHAKEN PKI with openssl (and certtool for
# dates in the past).  Used by the demo and the tests; never for production.
#
#   ca.pem ca.key          root CA (the trust anchor)
#   inter.pem inter.key    intermediate CA
#   sp.key sp.pem          SHAKEN end entity: TNAuthList SPC "709J"
#   sp-chain.pem           sp.pem + inter.pem (what x5u serves)
#   tn.key tn.pem tn-chain.pem   TNAuthList range 12155550000+1000 and one 12025551000
#   notn.*                 no TNAuthList
#   nods.*                 keyUsage without digitalSignature
#   expired.*              expired in 2021
#   soon.*                 SPC 709J, expires in 10 days
#   other.key              a key that matches none of the certificates
#   revoked.*              SPC 709J, listed in crl.pem (a CRL of the intermediate)
#   web-ca.pem web.pem web.key   an HTTPS server certificate for 127.0.0.1
#                          and localhost, for test x5u servers
#   RFC 9060 delegation, under the root (inter has pathlen 0, so cannot):
#   sp-ca.pem sp-ca.key    SP CA, TNAuthList range 12155550000+10000
#   ent-ca.pem ent-ca.key  enterprise delegate CA under sp-ca, range 12155551000+100
#   deleg.*                end entity under ent-ca, range 12155551000+50;
#                          deleg-chain.pem = deleg.pem ent-ca.pem sp-ca.pem
#   deleg-wide.*           end entity under ent-ca, range 12155552000+10: outside
#                          ent-ca's range (but inside sp-ca's); -chain.pem likewise
set -eu
dir=$1
mkdir -p "$dir"
cd "$dir"
umask 077

cat > ext.cnf <<'CNF'
[ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash

[inter]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid

[sp]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
1.3.6.1.5.5.7.1.26 = ASN1:SEQUENCE:tnauth_spc

[tn]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
1.3.6.1.5.5.7.1.26 = ASN1:SEQUENCE:tnauth_tn

[notn]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature

[nods]
basicConstraints = critical, CA:FALSE
keyUsage = critical, keyEncipherment
1.3.6.1.5.5.7.1.26 = ASN1:SEQUENCE:tnauth_spc

[tnauth_spc]
spc = EXP:0,IA5:709J

[tnauth_tn]
range = EXP:1,SEQUENCE:tnrange
one = EXP:2,IA5:12025551000

[tnrange]
start = IA5:12155550000
count = INT:1000
CNF

key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

key ca.key
openssl req -new -x509 -key ca.key -subj "/O=stird test/CN=stird test STI-CA" \
	-days 3650 -sha256 -config ext.cnf -extensions ca -out ca.pem
key inter.key
openssl req -new -key inter.key -subj "/O=stird test/CN=stird test intermediate" \
	-config ext.cnf -out inter.csr
openssl x509 -req -in inter.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 1825 \
	-sha256 -extfile ext.cnf -extensions inter -out inter.pem 2>/dev/null

ee() { # name section subject [days]
	key "$1.key"
	openssl req -new -key "$1.key" -subj "/O=stird test/CN=$3" -config ext.cnf -out "$1.csr"
	openssl x509 -req -in "$1.csr" -CA inter.pem -CAkey inter.key -CAcreateserial \
		-days "${4:-365}" -sha256 -extfile ext.cnf -extensions "$2" -out "$1.pem" 2>/dev/null
	cat "$1.pem" inter.pem > "$1-chain.pem"
}
ee sp sp "SHAKEN 709J"
ee tn tn "Delegate 1215555xxxx"
ee notn notn "No TNAuthList"
ee nods nods "No digitalSignature"
ee soon sp "Expires soon" 10

# certtool can put dates in the past; openssl 3.0's x509 -req cannot.
key expired.key
cat > expired.tmpl <<'TMPL'
organization = "stird test"
cn = "Expired SHAKEN"
activation_date = "2020-01-01 00:00:00"
expiration_date = "2021-01-01 00:00:00"
signing_key
add_extension = "1.3.6.1.5.5.7.1.26 0x3008a00616043730394a"
TMPL
certtool --generate-certificate --load-privkey expired.key --load-ca-certificate inter.pem \
	--load-ca-privkey inter.key --template expired.tmpl --outfile expired.pem >/dev/null 2>&1
cat expired.pem inter.pem > expired-chain.pem

ee revoked sp "Revoked SHAKEN"
cat > crl.tmpl <<'TMPL'
crl_next_update = 30
crl_number = 1
TMPL
certtool --generate-crl --load-ca-privkey inter.key --load-ca-certificate inter.pem \
	--load-certificate revoked.pem --template crl.tmpl --outfile crl.pem >/dev/null 2>&1

# a web PKI for the test HTTPS servers that serve x5u
cat >> ext.cnf <<'CNF'

[web]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1, DNS:localhost
CNF
key web-ca.key
openssl req -new -x509 -key web-ca.key -subj "/O=stird test/CN=stird test web CA" \
	-days 3650 -sha256 -config ext.cnf -extensions ca -out web-ca.pem
key web.key
openssl req -new -key web.key -subj "/O=stird test/CN=localhost" -config ext.cnf -out web.csr
openssl x509 -req -in web.csr -CA web-ca.pem -CAkey web-ca.key -CAcreateserial -days 365 \
	-sha256 -extfile ext.cnf -extensions web -out web.pem 2>/dev/null

# RFC 9060 delegate certificates: SP CA -> enterprise CA -> end entities
cat >> ext.cnf <<'CNF'

[spca]
basicConstraints = critical, CA:TRUE, pathlen:1
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
1.3.6.1.5.5.7.1.26 = ASN1:SEQUENCE:tnauth_spca

[entca]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
1.3.6.1.5.5.7.1.26 = ASN1:SEQUENCE:tnauth_entca

[deleg]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
1.3.6.1.5.5.7.1.26 = ASN1:SEQUENCE:tnauth_deleg

[delegwide]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
1.3.6.1.5.5.7.1.26 = ASN1:SEQUENCE:tnauth_delegwide

[tnauth_spca]
range = EXP:1,SEQUENCE:range_spca
[range_spca]
start = IA5:12155550000
count = INT:10000

[tnauth_entca]
range = EXP:1,SEQUENCE:range_entca
[range_entca]
start = IA5:12155551000
count = INT:100

[tnauth_deleg]
range = EXP:1,SEQUENCE:range_deleg
[range_deleg]
start = IA5:12155551000
count = INT:50

[tnauth_delegwide]
range = EXP:1,SEQUENCE:range_delegwide
[range_delegwide]
start = IA5:12155552000
count = INT:10
CNF

issue() { # name section subject ca-name days
	key "$1.key"
	openssl req -new -key "$1.key" -subj "/O=stird test/CN=$3" -config ext.cnf -out "$1.csr"
	openssl x509 -req -in "$1.csr" -CA "$4.pem" -CAkey "$4.key" -CAcreateserial \
		-days "$5" -sha256 -extfile ext.cnf -extensions "$2" -out "$1.pem" 2>/dev/null
}
issue sp-ca spca "stird test SP CA 1215555xxxx" ca 1825
issue ent-ca entca "stird test enterprise CA 121555510xx" sp-ca 730
issue deleg deleg "Enterprise delegate 12155551000-049" ent-ca 365
issue deleg-wide delegwide "Enterprise delegate wide 12155552000-009" ent-ca 365
cat deleg.pem ent-ca.pem sp-ca.pem > deleg-chain.pem
cat deleg-wide.pem ent-ca.pem sp-ca.pem > deleg-wide-chain.pem

key other.key
rm -f ./*.csr ./*.srl
chmod 0600 ./*.key
