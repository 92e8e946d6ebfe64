# daemon/stir/local.mk: the STIR formats, pure data in and out: PASSporT, Identity header, TNs and TN specs, messages, RCD claims, Call-Info, the URL rules
libstirconf_la_SOURCES += \
	daemon/stir/callinfo.h \
	daemon/stir/callinfo.c \
	daemon/stir/tnspec.h \
	daemon/stir/tnspec.c
libstircore_la_SOURCES += \
	daemon/stir/identity.h \
	daemon/stir/identity.c \
	daemon/stir/message.h \
	daemon/stir/message.c \
	daemon/stir/passport.h \
	daemon/stir/passport.c \
	daemon/stir/rcd.h \
	daemon/stir/rcd.c \
	daemon/stir/tn.h \
	daemon/stir/tn.c \
	daemon/stir/url.h \
	daemon/stir/url.c
