#!/bin/sh
# test_units.sh: the systemd units, sysusers and tmpfiles files are valid.
#
# Substitutes the build-time tokens of systemd/*.in into a temporary
# directory (@sbindir@ and @bindir@ point at $top_builddir, where the
# built stird is, since systemd-analyze checks that ExecStart= binaries
# exist) and runs "systemd-analyze verify" on each unit.  Any warning
# counts as a failure: systemd ignores unknown or misspelt directives with
# only a warning and a zero exit status.
#
# Exit status: 0 all passed, 1 something failed, 77 skipped (no usable
# systemd-analyze here).  The last line is "N passed, N failed".

case $0 in
*/*)	here=${0%/*} ;;
*)	here=. ;;
esac
top_srcdir=${top_srcdir:-$(cd "$here/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}

units="stird.service stird.socket stird-admin.socket stird-http.service stird-sipd.service"
pass=0
fail=0

ok() {
	pass=$((pass + 1))
	echo "ok - $1"
}

not_ok() {
	fail=$((fail + 1))
	echo "FAIL - $1"
	if [ -s "$2" ]; then
		sed 's/^/    /' "$2"
	fi
}

skip() {
	echo "skip - $1"
}

if ! command -v systemd-analyze >/dev/null 2>&1; then
	echo "SKIP: systemd-analyze not found"
	echo "0 passed, 0 failed"
	exit 77
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/stird-units.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM
mkdir "$tmp/units" "$tmp/probe" "$tmp/man"

# A unit that must verify cleanly: if it does not, systemd-analyze cannot
# work here (no /proc, seccomp, a too old version...), so skip.
cat >"$tmp/probe/stird-probe.service" <<EOF
[Unit]
Description=probe

[Service]
ExecStart=$(command -v true || echo /bin/true)
EOF
if ! systemd-analyze verify --man=no "$tmp/probe/stird-probe.service" \
    >"$tmp/probe.out" 2>&1 || [ -s "$tmp/probe.out" ]; then
	echo "SKIP: systemd-analyze verify does not work here:"
	sed 's/^/    /' "$tmp/probe.out"
	echo "0 passed, 0 failed"
	exit 77
fi

# ---- substitute the tokens, as the Makefile's sed does ----
for u in $units; do
	if sed -e "s|@sbindir@|$top_builddir|g" \
	    -e "s|@bindir@|$top_builddir|g" \
	    -e "s|@sysconfdir@|/etc|g" \
	    -e "s|@runstatedir@|/run|g" \
	    -e "s|@localstatedir@|/var|g" \
	    "$top_srcdir/systemd/$u.in" >"$tmp/units/$u" 2>"$tmp/sed.out"; then
		if grep -n '@[A-Za-z_]*@' "$tmp/units/$u" >"$tmp/left.out"; then
			not_ok "$u.in: every @token@ is substituted" "$tmp/left.out"
		else
			ok "$u.in: every @token@ is substituted"
		fi
	else
		not_ok "$u.in: substitute tokens" "$tmp/sed.out"
	fi
done

if [ ! -x "$top_builddir/stird" ]; then
	echo "note: $top_builddir/stird is not built; ExecStart= checks will fail"
fi

# ---- systemd-analyze verify, one unit at a time ----
# The units' own directory is searched for their dependencies (the
# service Requires= both sockets).  Documentation= is checked separately.
for u in $units; do
	if (cd "$tmp/units" && systemd-analyze verify --man=no "./$u") \
	    >"$tmp/verify.out" 2>&1 && [ ! -s "$tmp/verify.out" ]; then
		ok "systemd-analyze verify $u"
	else
		not_ok "systemd-analyze verify $u" "$tmp/verify.out"
	fi
done

# ---- Documentation= names man pages that exist in doc/ ----
if command -v man >/dev/null 2>&1; then
	for s in 3 5 8; do
		mkdir -p "$tmp/man/man$s"
		for p in "$top_srcdir"/doc/*."$s"; do
			[ -f "$p" ] && cp "$p" "$tmp/man/man$s/"
		done
	done
	for u in $units; do
		if (cd "$tmp/units" && MANPATH="$tmp/man" systemd-analyze verify "./$u") \
		    >"$tmp/man.out" 2>&1 && [ ! -s "$tmp/man.out" ]; then
			ok "$u: Documentation= man pages are in doc/"
		else
			not_ok "$u: Documentation= man pages are in doc/" "$tmp/man.out"
		fi
	done
else
	skip "Documentation= man pages (no man command)"
fi

# ---- sysusers: the file parses and creates what the units use ----
if command -v systemd-sysusers >/dev/null 2>&1; then
	mkdir -p "$tmp/root/etc"
	if systemd-sysusers --root="$tmp/root" --dry-run \
	    "$top_srcdir/systemd/stird.sysusers" >"$tmp/sysusers.out" 2>&1; then
		missing=
		for name in "user 'stird'" "group 'stird-clients'" "group 'stird-admin'" \
		    "user 'stird-http'"; do
			grep -q "$name" "$tmp/sysusers.out" || missing="$missing $name"
		done
		if [ -z "$missing" ]; then
			ok "stird.sysusers creates stird, stird-clients, stird-admin, stird-http"
		else
			echo "missing:$missing" >>"$tmp/sysusers.out"
			not_ok "stird.sysusers creates stird, stird-clients, stird-admin, stird-http" \
			    "$tmp/sysusers.out"
		fi
	else
		not_ok "systemd-sysusers --dry-run stird.sysusers" "$tmp/sysusers.out"
	fi
else
	skip "stird.sysusers (no systemd-sysusers)"
fi

# ---- tmpfiles: creating the directories needs root (chown) ----
if command -v systemd-tmpfiles >/dev/null 2>&1 &&
    command -v systemd-sysusers >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
	mkdir -p "$tmp/troot/etc"
	if systemd-sysusers --root="$tmp/troot" "$top_srcdir/systemd/stird.sysusers" \
	    >"$tmp/tmpfiles.out" 2>&1 &&
	    systemd-tmpfiles --root="$tmp/troot" --create \
	    "$top_srcdir/systemd/stird.tmpfiles" >>"$tmp/tmpfiles.out" 2>&1; then
		uid=$(awk -F: '$1 == "stird" { print $3 }' "$tmp/troot/etc/passwd")
		bad=
		for d in var/lib/stird var/lib/stird/keys; do
			got=$(stat -c '%a %u' "$tmp/troot/$d" 2>/dev/null)
			[ "$got" = "700 $uid" ] || bad="$bad /$d($got)"
		done
		if [ -z "$bad" ]; then
			ok "stird.tmpfiles creates /var/lib/stird and keys, 0700 stird"
		else
			echo "wrong:$bad" >>"$tmp/tmpfiles.out"
			not_ok "stird.tmpfiles creates /var/lib/stird and keys, 0700 stird" \
			    "$tmp/tmpfiles.out"
		fi
	else
		not_ok "systemd-tmpfiles --create stird.tmpfiles" "$tmp/tmpfiles.out"
	fi
else
	skip "stird.tmpfiles (needs root, systemd-tmpfiles and systemd-sysusers)"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
