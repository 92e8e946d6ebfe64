# daemon/fleet/local.mk: many hosts, one fleet: the Redis connection (hiredis on the loop), replay detection across hosts, the shared certificate cache
libstircore_la_SOURCES += \
	daemon/fleet/redis.h \
	daemon/fleet/redis.c \
	daemon/fleet/redis_tls.h \
	daemon/fleet/redis_tls.c \
	daemon/fleet/replay.h \
	daemon/fleet/replay.c \
	daemon/fleet/shared_cache.h \
	daemon/fleet/shared_cache.c
