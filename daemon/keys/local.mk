# daemon/keys/local.mk: the key store: signer.h's function table, local keys and PKCS#11, the signer process and its sandbox
libstircore_la_SOURCES += \
	daemon/keys/sandbox.h \
	daemon/keys/sandbox.c \
	daemon/keys/signer.h \
	daemon/keys/signer.c \
	daemon/keys/signer_impl.h \
	daemon/keys/signer_local.c \
	daemon/keys/signer_main.h \
	daemon/keys/signer_main.c \
	daemon/keys/signer_proto.h \
	daemon/keys/signer_proto.c \
	daemon/keys/signer_remote.c
