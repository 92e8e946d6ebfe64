# daemon/core/local.mk: the connection core: listeners, connections, dispatch by op table, request lifetime, the work queue, the state snapshot
libstircore_la_SOURCES += \
	daemon/core/conn.c \
	daemon/core/dispatch.h \
	daemon/core/dispatch.c \
	daemon/core/notify.h \
	daemon/core/notify.c \
	daemon/core/req.c \
	daemon/core/server.h \
	daemon/core/server.c \
	daemon/core/state.h \
	daemon/core/state.c \
	daemon/core/workq.h \
	daemon/core/workq.c
