/* tn.c: canonical telephone numbers and URIs (RFC 8224 section 8). */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "stirclient.h"
#include "daemon/stir/tn.h"

bool
stir_tn_is_valid(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > STIR_TN_MAX)
		return false;
	return strspn(s, "0123456789#*") == n;
}

static bool
is_visual_separator(char c)
{
	return c == '-' || c == '.' || c == '(' || c == ')' || c == ' ';
}

/*
 * Digits of a dial string: an optional leading '+', then digits and
 * visual separators.  Fails if anything else appears or the result is
 * empty or longer than STIR_TN_MAX.
 */
static int
dial_string_digits(const char *s, size_t len, char out[static STIR_TN_MAX + 1])
{
	size_t o = 0, i = 0;

	if (len > 0 && s[0] == '+')
		i = 1;
	for (; i < len; i++) {
		if (isdigit((unsigned char)s[i])) {
			if (o == STIR_TN_MAX)
				return STIR_EINVAL;
			out[o++] = s[i];
		} else if (!is_visual_separator(s[i]))
			return STIR_EINVAL;
	}
	if (o == 0)
		return STIR_EINVAL;
	out[o] = '\0';
	return STIR_OK;
}

/* Decode %XX escapes of unreserved characters only; leave others. */
static int
pct_normalize(const char *s, size_t len, char *out, size_t outlen)
{
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (c == '%' && i + 2 < len + 0 && isxdigit((unsigned char)s[i + 1]) &&
		    isxdigit((unsigned char)s[i + 2])) {
			char hex[3] = { s[i + 1], s[i + 2], 0 };
			int v = (int)strtol(hex, NULL, 16);

			if (isalnum(v) || v == '-' || v == '.' || v == '_' || v == '~') {
				c = (char)v;
				i += 2;
			}
		} else if (c == '%' && (i + 2 >= len || !isxdigit((unsigned char)s[i + 1]) ||
		    !isxdigit((unsigned char)s[i + 2])))
			return STIR_EINVAL;
		/* RFC 3261 user: unreserved, escaped, user-unreserved */
		if (!isalnum((unsigned char)c) && strchr("-_.!~*'()%&=+$,;?/", c) == NULL)
			return STIR_EINVAL;
		if (o + 1 >= outlen)
			return STIR_EINVAL;
		out[o++] = c;
	}
	out[o] = '\0';
	return STIR_OK;
}

/* Extract the URI from a name-addr or addr-spec header value. */
static int
extract_uri(const char *in, const char **ret_p, size_t *ret_len)
{
	const char *lt, *gt;
	size_t n;

	while (*in == ' ' || *in == '\t')
		in++;
	if (*in == '"') {
		/* a quoted display name may hold '<': skip it (RFC 3261) */
		const char *q = in + 1;

		while (*q != '\0' && *q != '"')
			q += (*q == '\\' && q[1] != '\0') ? 2 : 1;
		if (*q != '"')
			return STIR_EINVAL;
		in = q + 1;
	}
	lt = strchr(in, '<');
	if (lt != NULL) {
		if ((gt = strchr(lt + 1, '>')) == NULL)
			return STIR_EINVAL;
		*ret_p = lt + 1;
		*ret_len = (size_t)(gt - lt - 1);
		return STIR_OK;
	}
	/* addr-spec: header parameters (;tag=) follow the URI; for a SIP
	 * URI without <> RFC 3261 says they belong to the header, so the
	 * URI ends at the first ';' after the host part, which we handle
	 * by dropping parameters anyway. */
	n = strlen(in);
	while (n > 0 && (in[n - 1] == ' ' || in[n - 1] == '\t'))
		n--;
	*ret_p = in;
	*ret_len = n;
	return STIR_OK;
}

static int
canon_tel(const char *s, size_t len, struct stir_ident *ret, char *msg,
    size_t msglen)
{
	char digits[STIR_TN_MAX + 1];
	size_t n = strcspn(s, ";");

	if (n > len)
		n = len;
	if (dial_string_digits(s, n, digits) != STIR_OK) {
		snprintf(msg, msglen, "tel: URI is not a telephone number");
		return STIR_EINVAL;
	}
	ret->kind = STIR_IDENT_TN;
	memcpy(ret->value, digits, strlen(digits) + 1);
	return STIR_OK;
}

static bool
has_user_phone(const char *params, size_t len)
{
	const char *p = params, *end = params + len;

	while (p < end) {
		const char *semi = memchr(p, ';', (size_t)(end - p));
		size_t n = semi ? (size_t)(semi - p) : (size_t)(end - p);

		if (n == 10 && strncasecmp(p, "user=phone", 10) == 0)
			return true;
		p += n + 1;
	}
	return false;
}

static int
canon_sip(const char *scheme, const char *s, size_t len, struct stir_ident *ret,
    char *msg, size_t msglen)
{
	const char *at, *hostp, *hend, *uend, *colon;
	char user[STIR_URI_MAX], host[256], digits[STIR_TN_MAX + 1];
	size_t ulen, hlen;
	int n;

	/* cut URI headers */
	uend = memchr(s, '?', len);
	if (uend != NULL)
		len = (size_t)(uend - s);
	at = memchr(s, '@', len);
	if (at == NULL) {
		snprintf(msg, msglen, "SIP URI has no user part");
		return STIR_EINVAL;
	}
	/* user part ends at ':' (password) or ';' (user parameters) */
	ulen = (size_t)(at - s);
	colon = memchr(s, ':', ulen);
	if (colon != NULL)
		ulen = (size_t)(colon - s);
	{
		const char *semi = memchr(s, ';', ulen);

		if (semi != NULL)
			ulen = (size_t)(semi - s);
	}
	if (ulen == 0 || ulen >= sizeof(user)) {
		snprintf(msg, msglen, "SIP URI user part is empty or too long");
		return STIR_EINVAL;
	}
	hostp = at + 1;
	hend = hostp;
	if (*hostp == '[') {			/* IPv6 reference */
		const char *rb = memchr(hostp, ']', (size_t)(s + len - hostp));

		if (rb == NULL) {
			snprintf(msg, msglen, "SIP URI has a broken IPv6 host");
			return STIR_EINVAL;
		}
		hend = rb + 1;
	} else
		while (hend < s + len && *hend != ':' && *hend != ';')
			hend++;
	hlen = (size_t)(hend - hostp);
	if (hlen == 0 || hlen >= sizeof(host)) {
		snprintf(msg, msglen, "SIP URI host is empty or too long");
		return STIR_EINVAL;
	}
	for (size_t i = 0; i < hlen; i++) {
		unsigned char c = (unsigned char)hostp[i];

		if (!isalnum(c) && c != '.' && c != '-' && c != '[' && c != ']' && c != ':') {
			snprintf(msg, msglen, "SIP URI host has an invalid character");
			return STIR_EINVAL;
		}
		host[i] = (char)tolower(c);
	}
	host[hlen] = '\0';
	if (pct_normalize(s, ulen, user, sizeof(user)) != STIR_OK) {
		snprintf(msg, msglen, "SIP URI user part has invalid characters");
		return STIR_EINVAL;
	}
	/* user=phone, or a user part that is a dial string: a TN */
	{
		const char *params = memchr(hostp, ';', (size_t)(s + len - hostp));
		bool phone = params != NULL &&
		    has_user_phone(params + 1, (size_t)(s + len - params - 1));

		if (dial_string_digits(user, strlen(user), digits) == STIR_OK) {
			ret->kind = STIR_IDENT_TN;
			memcpy(ret->value, digits, strlen(digits) + 1);
			return STIR_OK;
		}
		if (phone) {
			snprintf(msg, msglen, "user=phone but the user part is not a telephone number");
			return STIR_EINVAL;
		}
	}
	n = snprintf(ret->value, sizeof(ret->value), "%s:%s@%s", scheme, user, host);
	if (n < 0 || (size_t)n >= sizeof(ret->value)) {
		snprintf(msg, msglen, "URI too long");
		return STIR_EINVAL;
	}
	ret->kind = STIR_IDENT_URI;
	return STIR_OK;
}

int
stir_ident_canon(const char *in, struct stir_ident *ret, char *msg,
    size_t msglen)
{
	struct stir_ident id;
	char digits[STIR_TN_MAX + 1];
	const char *p;
	size_t len;
	int r;

	if (in == NULL || strlen(in) > STIR_IDENT_MAX) {
		snprintf(msg, msglen, "identity missing or longer than %d bytes",
		    STIR_IDENT_MAX);
		return STIR_EINVAL;
	}
	for (const char *c = in; *c; c++)
		if ((unsigned char)*c < 0x20 && *c != '\t') {
			snprintf(msg, msglen, "identity contains a control character");
			return STIR_EINVAL;
		}
	/* a bare number */
	len = strlen(in);
	if (dial_string_digits(in, len, digits) == STIR_OK) {
		ret->kind = STIR_IDENT_TN;
		memcpy(ret->value, digits, strlen(digits) + 1);
		return STIR_OK;
	}
	if ((r = extract_uri(in, &p, &len)) != STIR_OK) {
		snprintf(msg, msglen, "unbalanced '<' in identity");
		return r;
	}
	memset(&id, 0, sizeof(id));
	if (len > 4 && strncasecmp(p, "tel:", 4) == 0)
		r = canon_tel(p + 4, len - 4, &id, msg, msglen);
	else if (len > 5 && strncasecmp(p, "sips:", 5) == 0)
		r = canon_sip("sips", p + 5, len - 5, &id, msg, msglen);
	else if (len > 4 && strncasecmp(p, "sip:", 4) == 0)
		r = canon_sip("sip", p + 4, len - 4, &id, msg, msglen);
	else {
		snprintf(msg, msglen, "not a telephone number, tel: or sip: URI");
		r = STIR_EINVAL;
	}
	if (r == STIR_OK)
		*ret = id;
	return r;
}

bool
stir_tn_in_range(const char *tn, const char *start, unsigned long count)
{
	size_t n = strlen(tn);
	unsigned long long t, s;

	if (count == 0 || n != strlen(start) || n == 0 || n > STIR_TN_MAX)
		return false;
	if (strspn(tn, "0123456789") != n || strspn(start, "0123456789") != n)
		return false;
	t = strtoull(tn, NULL, 10);
	s = strtoull(start, NULL, 10);
	return t >= s && t - s < count;
}
