# client/libstirclient/local.mk: the non-blocking API and its typed layer.
libstirclient_la_SOURCES += client/libstirclient/async.c \
	client/libstirclient/async.h client/libstirclient/typed.h \
	client/libstirclient/typed_req.c client/libstirclient/typed_res.c
libstirclient_la_CFLAGS += $(SODIUM_CFLAGS)
libstirclient_la_LIBADD += $(SODIUM_LIBS)
