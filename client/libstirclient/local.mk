# client/libstirclient/local.mk: the non-blocking API and its typed layer.
# The non-blocking core is a convenience library of its own so that
# in-tree programs (stird-http) can use its Jansson-level interface
# (async.h, stir__async_queue(): no JSON text round trip per request);
# libstirclient.la takes all of it and still exports only stir_async_*.
noinst_LTLIBRARIES += libstirasync.la
libstirasync_la_SOURCES = client/libstirclient/async.c client/libstirclient/async.h
libstirasync_la_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)
libstirclientcore_la_SOURCES += client/libstirclient/typed.h \
	client/libstirclient/typed_req.c client/libstirclient/typed_res.c
libstirclientcore_la_CFLAGS += $(SODIUM_CFLAGS)
libstirclient_la_LIBADD += libstirasync.la $(SODIUM_LIBS)
