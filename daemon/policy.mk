# daemon/policy.mk: RCD policies (signing side) and their stirctl commands
libstircore_la_SOURCES += daemon/store_policy.c
libstircore_la_SOURCES += daemon/policy.c daemon/policy.h
libstircore_la_SOURCES += daemon/rcd_sign.c daemon/rcd_sign.h
libstircore_la_SOURCES += daemon/op_policy.c daemon/op_policy.h
stirctl_SOURCES += client/stirctl/cmd_policy.c client/stirctl/cmd_policy.h
# example policies, installed beside the documentation
policiesdir = $(docdir)/policies
dist_policies_DATA = policies/README.md policies/minimal.json \
	policies/acme-pharmacy.json policies/example-bank.json
