# daemon/base/local.mk: what every program links: config files (stird.conf, the doors' conffile.c tables), the log, startup, metrics
libstirconf_la_SOURCES += \
	daemon/base/conf.h \
	daemon/base/conf.c \
	daemon/base/conffile.h \
	daemon/base/conffile.c \
	daemon/base/log.h \
	daemon/base/log.c \
	daemon/base/startup.h \
	daemon/base/startup.c
libstircore_la_SOURCES += \
	daemon/base/metrics.h \
	daemon/base/metrics.c
