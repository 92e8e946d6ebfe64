# client/libstirclient/local.mk: the non-blocking API and its typed layer.
libstirclient_la_SOURCES += client/libstirclient/async.c \
	client/libstirclient/async.h
