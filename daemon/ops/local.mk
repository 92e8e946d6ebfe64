# daemon/ops/local.mk: the ops: decode a request, call the domain, render the reply; ops.c is the op table
libstircore_la_SOURCES += \
	daemon/ops/op_admin.c \
	daemon/ops/op_basic.c \
	daemon/ops/op_cache.c \
	daemon/ops/op_common.c \
	daemon/ops/op_policy.c \
	daemon/ops/op_sign.c \
	daemon/ops/op_state.c \
	daemon/ops/op_stats.c \
	daemon/ops/op_verify.c \
	daemon/ops/ops.h \
	daemon/ops/ops.c
