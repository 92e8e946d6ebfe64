/* message.c: SIP MESSAGE bodies for msg PASSporTs (RFC 9475). */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "stirclient.h"
#include "daemon/stir/message.h"

int
stir_body_decode(const char *b64, unsigned max, uint8_t **ret, size_t *ret_len, char *msg,
    size_t msglen)
{
	size_t n = strlen(b64), len = 0, chars = 0;
	uint8_t *bin;

	for (size_t i = 0; i < n; i++)		/* whitespace is no data */
		chars += strchr(" \t\r\n", b64[i]) == NULL;
	if (chars / 4 * 3 > (size_t)max + 3) {
		snprintf(msg, msglen, "the body is larger than msg_max_body_bytes (%u)", max);
		return STIR_ETOOBIG;
	}
	if ((bin = malloc(n / 4 * 3 + 3)) == NULL)
		return STIR_ENOMEM;
	if (sodium_base642bin(bin, n / 4 * 3 + 3, b64, n, " \t\r\n", &len, NULL,
	    sodium_base64_VARIANT_ORIGINAL) != 0) {
		free(bin);
		snprintf(msg, msglen, "not base64");
		return STIR_EINVAL;
	}
	if (len > max) {
		free(bin);
		snprintf(msg, msglen, "the body is larger than msg_max_body_bytes (%u)", max);
		return STIR_ETOOBIG;
	}
	*ret = bin;
	*ret_len = len;
	return STIR_OK;
}

/* The boundary parameter of a multipart Content-Type, into b. */
static int
boundary_of(const char *ctype, char *b, size_t blen)
{
	const char *p = ctype;
	size_t n;

	while ((p = strchr(p, ';')) != NULL) {
		p++;
		while (*p == ' ' || *p == '\t')
			p++;
		if (strncasecmp(p, "boundary=", 9) != 0)
			continue;
		p += 9;
		if (*p == '"') {
			const char *q = strchr(++p, '"');

			if (q == NULL)
				return STIR_EINVAL;
			n = (size_t)(q - p);
		} else
			n = strcspn(p, "; \t");
		if (n == 0 || n > STIR_BOUNDARY_MAX || n >= blen)
			return STIR_EINVAL;
		memcpy(b, p, n);
		b[n] = '\0';
		return STIR_OK;
	}
	return STIR_EINVAL;
}

static const uint8_t *
find(const uint8_t *hay, size_t n, const char *needle)
{
	return memmem(hay, n, needle, strlen(needle));
}

int
stir_body_check(const uint8_t *body, size_t len, const char *ctype, char *msg, size_t msglen)
{
	char b[STIR_BOUNDARY_MAX + 1], delim[STIR_BOUNDARY_MAX + 8];
	const char *slash;

	if (ctype == NULL)
		return STIR_OK;
	slash = strchr(ctype, '/');
	if (slash == NULL || slash == ctype || slash[1] == '\0' || slash[1] == ';' ||
	    strcspn(ctype, "/") != strcspn(ctype, "/ \t;")) {
		snprintf(msg, msglen, "content_type is not a type/subtype");
		return STIR_EINVAL;
	}
	for (const char *p = ctype; *p != '\0'; p++)
		if (((unsigned char)*p < 0x20 && *p != '\t') || (unsigned char)*p > 0x7e) {
			snprintf(msg, msglen, "content_type has a control or non-ASCII character");
			return STIR_EINVAL;
		}
	if (strncasecmp(ctype, "multipart/", 10) != 0)
		return STIR_OK;
	if (boundary_of(ctype, b, sizeof(b)) != STIR_OK) {
		snprintf(msg, msglen, "a multipart content_type needs a boundary of 1-%d characters",
		    STIR_BOUNDARY_MAX);
		return STIR_EINVAL;
	}
	snprintf(delim, sizeof(delim), "--%s", b);
	if (find(body, len, delim) == NULL) {
		snprintf(msg, msglen, "the body has no delimiter of its boundary '%s'", b);
		return STIR_EINVAL;
	}
	snprintf(delim, sizeof(delim), "--%s--", b);
	if (find(body, len, delim) == NULL) {
		snprintf(msg, msglen, "the body has no close delimiter of its boundary '%s'", b);
		return STIR_EINVAL;
	}
	return STIR_OK;
}
