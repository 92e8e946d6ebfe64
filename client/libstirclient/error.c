/* error.c: names and descriptions of stird error codes. */
#include "config.h"

#include <string.h>

#include "stirclient.h"
#include "proto.h"

static const struct {
	int		 code;
	const char	*name;
	const char	*text;
} errors[] = {
	{ STIR_OK,		"OK",		"success" },
	{ STIR_ENOMEM,		"ENOMEM",	"out of memory" },
	{ STIR_EINVAL,		"EINVAL",	"invalid value" },
	{ STIR_EPERM,		"EPERM",	"permission denied" },
	{ STIR_ENOENT,		"ENOENT",	"no such object" },
	{ STIR_EEXIST,		"EEXIST",	"name already in use" },
	{ STIR_EIO,		"EIO",		"input/output error" },
	{ STIR_ETIMEDOUT,	"ETIMEDOUT",	"timed out" },
	{ STIR_EBUSY,		"EBUSY",	"too many connections or requests" },
	{ STIR_ECONNREFUSED,	"ECONNREFUSED",	"daemon not reachable" },
	{ STIR_EPROTO,		"EPROTO",	"malformed request (not one JSON object)" },
	{ STIR_ETOOBIG,		"ETOOBIG",	"request or field too large" },
	{ STIR_EVERSION,	"EVERSION",	"unsupported protocol version" },
	{ STIR_EBADREQ,		"EBADREQ",	"bad request field" },
	{ STIR_EUNSUPP,		"EUNSUPP",	"unknown operation" },
	{ STIR_EPOLICY,		"EPOLICY",	"denied by policy" },
	{ STIR_EDB,		"EDB",		"store failure" },
	{ STIR_ECRYPTO,		"ECRYPTO",	"cryptographic failure" },
	{ STIR_EFETCH,		"EFETCH",	"certificate fetch failed" },
	{ STIR_ECERT,		"ECERT",	"certificate or chain invalid" },
	{ STIR_ENOTIMPL,	"ENOTIMPL",	"not implemented yet" },
	{ STIR_EKEY,		"EKEY",		"key missing, unreadable or unusable" },
	{ STIR_ESHUTDOWN,	"ESHUTDOWN",	"daemon is shutting down" },
	{ STIR_EINTERNAL,	"EINTERNAL",	"internal error" },
};

const char *
stir_strerror(int err)
{
	for (size_t i = 0; i < sizeof(errors) / sizeof(errors[0]); i++)
		if (errors[i].code == err)
			return errors[i].text;
	return "unknown error";
}

const char *
stir_errname(int err)
{
	for (size_t i = 0; i < sizeof(errors) / sizeof(errors[0]); i++)
		if (errors[i].code == err)
			return errors[i].name;
	return "EUNKNOWN";
}

int
stir_errcode_from_name(const char *name)
{
	if (name == NULL)
		return 0;
	for (size_t i = 0; i < sizeof(errors) / sizeof(errors[0]); i++)
		if (strcmp(errors[i].name, name) == 0)
			return errors[i].code;
	return 0;
}
