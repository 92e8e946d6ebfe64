# daemon/store/local.mk: the SQLite store and its thread
libstircore_la_SOURCES += \
	daemon/store/store.h \
	daemon/store/store.c \
	daemon/store/store_cache.c \
	daemon/store/store_internal.h \
	daemon/store/store_policy.c \
	daemon/store/store_state.c \
	daemon/store/storeq.h \
	daemon/store/storeq.c
