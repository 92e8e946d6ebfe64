# daemon/verify/local.mk: the verifying side: signature and claim checks, the verify request's engine (chains, RCD content, diversion)
libstircore_la_SOURCES += \
	daemon/verify/diversion.h \
	daemon/verify/diversion.c \
	daemon/verify/vctx.h \
	daemon/verify/verify.h \
	daemon/verify/verify.c \
	daemon/verify/verify_div.h \
	daemon/verify/verify_div.c \
	daemon/verify/verify_rcd.h \
	daemon/verify/verify_rcd.c \
	daemon/verify/vreq.h \
	daemon/verify/vreq.c
