# daemon/sign/local.mk: the signing side: credentials, RCD policies, RCD claims from policies
libstircore_la_SOURCES += \
	daemon/sign/creds.h \
	daemon/sign/creds.c \
	daemon/sign/policy.h \
	daemon/sign/policy.c \
	daemon/sign/policy_content.h \
	daemon/sign/policy_content.c \
	daemon/sign/rcd_sign.h \
	daemon/sign/rcd_sign.c \
	daemon/sign/signing.h \
	daemon/sign/signing.c
