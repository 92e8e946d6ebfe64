/* callinfo.c: RFC 9796 Call-Info values (see callinfo.h). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "stirclient.h"
#include "daemon/stir/callinfo.h"

static const struct {
	const char	*word;
	unsigned	 bit;
} parts[] = {
	{ "icon", STIR_CI_ICON },
	{ "jcard", STIR_CI_JCARD },
	{ "jcd", STIR_CI_JCD },
	{ "call-reason", STIR_CI_REASON },
	{ "name", STIR_CI_NAME },
	{ "verified", STIR_CI_VERIFIED },
	{ "integrity", STIR_CI_INTEGRITY },
};

int
stir_callinfo_mask(const char *list, unsigned *ret, char *msg, size_t msglen)
{
	const char *p = list + strspn(list, ", ");
	unsigned mask = 0;

	if (strcmp(p, "none") == 0) {
		*ret = 0;
		return STIR_OK;
	}
	while (*p != '\0') {
		size_t n = strcspn(p, ", "), i;

		for (i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
			if (strlen(parts[i].word) == n && strncmp(p, parts[i].word, n) == 0)
				break;
		if (i == sizeof(parts) / sizeof(parts[0])) {
			snprintf(msg, msglen, "'%.*s' is not one of icon, jcard, jcd, call-reason, name, verified, integrity (or none)",
			    (int)(n < 32 ? n : 32), p);
			return STIR_EINVAL;
		}
		mask |= parts[i].bit;
		p += n;
		p += strspn(p, ", ");
	}
	*ret = mask;
	return STIR_OK;
}

char *
stir_callinfo_value(const char *uri, const char *purpose, const char *reason,
    const char *integrity, unsigned mask)
{
	size_t n = strlen(uri) + strlen(purpose) + 64 + (integrity ? strlen(integrity) : 0) +
	    (reason ? 2 * strlen(reason) : 0);
	char *out = malloc(n), *o;

	if (out == NULL)
		return NULL;
	o = out + sprintf(out, "<%s>;purpose=%s", uri, purpose);
	if (reason != NULL) {
		o += sprintf(o, ";call-reason=\"");
		for (const char *c = reason; *c != '\0'; c++) {
			if ((unsigned char)*c < 0x20 || *c == 0x7f)
				continue;
			if (*c == '"' || *c == '\\')
				*o++ = '\\';
			*o++ = *c;
		}
		*o++ = '"';
		*o = '\0';
	}
	if (mask & STIR_CI_VERIFIED)
		o += sprintf(o, ";verified=\"true\"");
	if (integrity != NULL && (mask & STIR_CI_INTEGRITY))
		sprintf(o, ";integrity=\"%s\"", integrity);
	return out;
}

/* The end of the quoted-string at p (its opening '"'), or NULL. */
static const char *
quoted_end(const char *p)
{
	for (p++; *p != '\0' && *p != '"'; p++)
		if (*p == '\\' && p[1] != '\0')
			p++;
	return *p == '"' ? p : NULL;
}

int
stir_callinfo_reason(const char *header, char *out, size_t outlen)
{
	static const char name[] = "call-reason";
	const char *p = header;

	while (*p != '\0') {
		const char *v;
		size_t o = 0;

		if (*p == '<') {		/* a URI may hold ';' and ',' */
			if ((p = strchr(p, '>')) == NULL)
				return STIR_EINVAL;
			p++;
			continue;
		}
		if (*p == '"') {
			if ((p = quoted_end(p)) == NULL)
				return STIR_EINVAL;
			p++;
			continue;
		}
		if (*p++ != ';')
			continue;
		p += strspn(p, " \t\r\n");
		if (strncasecmp(p, name, sizeof(name) - 1) != 0)
			continue;
		v = p + sizeof(name) - 1;
		v += strspn(v, " \t\r\n");
		if (*v != '=')
			continue;
		v++;
		v += strspn(v, " \t\r\n");
		if (*v == '"') {
			const char *end = quoted_end(v);

			if (end == NULL)
				return STIR_EINVAL;
			for (v++; v < end; v++) {
				if (*v == '\\')
					v++;
				if (o + 1 >= outlen)
					return STIR_EINVAL;
				out[o++] = *v;
			}
		} else {
			size_t t = strcspn(v, " \t\r\n;,>");

			if (t + 1 > outlen)
				return STIR_EINVAL;
			memcpy(out, v, t);
			o = t;
		}
		out[o] = '\0';
		return STIR_OK;
	}
	return STIR_ENOENT;
}
