# daemon/verify.mk: verification modules (fetcher, cert cache, cache ops)
libstircore_la_SOURCES += daemon/fetch.c daemon/fetch.h \
	daemon/certcache.c daemon/certcache.h daemon/certcache_kind.c daemon/store_cache.c \
	daemon/op_cache.c daemon/op_cache.h
stirctl_SOURCES += client/stirctl/cmd_cache.c client/stirctl/cmd_cache.h
EXTRA_DIST += tests/https-server.py
libstircore_la_SOURCES += daemon/constraints.c daemon/constraints.h
libstircore_la_SOURCES += daemon/rcd.c daemon/rcd.h daemon/verify_rcd.c daemon/verify_req.h
libstircore_la_SOURCES += daemon/diversion.c daemon/diversion.h daemon/verify_div.c \
	daemon/message.c daemon/message.h
