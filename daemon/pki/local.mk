# daemon/pki/local.mk: certificates: X.509 and TNAuthList, claim constraints, the x5u fetcher, the certificate cache, RCD content fetched and judged, the validation memo
libstircore_la_SOURCES += \
	daemon/pki/cert.h \
	daemon/pki/cert.c \
	daemon/pki/certcache.h \
	daemon/pki/certcache.c \
	daemon/pki/certcache_kind.h \
	daemon/pki/certcache_kind.c \
	daemon/pki/constraints.h \
	daemon/pki/constraints.c \
	daemon/pki/fetch.h \
	daemon/pki/fetch.c \
	daemon/pki/rcd_anchor.h \
	daemon/pki/rcd_anchor.c \
	daemon/pki/rcd_fetch.h \
	daemon/pki/rcd_fetch.c \
	daemon/pki/stir.asn \
	daemon/pki/vmemo.h \
	daemon/pki/vmemo.c
