/* url.c: the URL rules stird applies (see url.h for the rules and why here). */
#include "config.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "daemon/stir/url.h"

#define HTTPS_PREFIX	"https://"
#define HTTP_PREFIX	"http://"

/* The length of the scheme prefix url starts with, or 0 if opts refuse it. */
static size_t
scheme_len(const char *url, size_t len, unsigned opts)
{
	if (len >= sizeof(HTTPS_PREFIX) - 1 &&
	    memcmp(url, HTTPS_PREFIX, sizeof(HTTPS_PREFIX) - 1) == 0)
		return sizeof(HTTPS_PREFIX) - 1;
	if ((opts & STIR_URL_HTTP) && len >= sizeof(HTTP_PREFIX) - 1 &&
	    memcmp(url, HTTP_PREFIX, sizeof(HTTP_PREFIX) - 1) == 0)
		return sizeof(HTTP_PREFIX) - 1;
	return 0;
}

/* May byte c stand in a URL under opts? */
static bool
char_ok(unsigned char c, unsigned opts)
{
	if (c <= 0x20 || c >= 0x7f)
		return false;
	if ((opts & STIR_URL_URI_CHARS) && strchr("\"<>\\^`{|}", c) != NULL)
		return false;
	if ((opts & STIR_URL_INFO_CHARS) && strchr("<>\"\\;", c) != NULL)
		return false;
	return true;
}

enum stir_url_fault
stir_url_check(const char *url, size_t len, unsigned opts)
{
	size_t skip;

	if (len > STIR_URL_MAX)
		return STIR_URL_TOO_LONG;
	if ((skip = scheme_len(url, len, opts)) == 0)
		return STIR_URL_BAD_SCHEME;
	for (size_t i = 0; i < len; i++)
		if (!char_ok((unsigned char)url[i], opts))
			return STIR_URL_BAD_CHAR;
	if (len == skip || ((opts & STIR_URL_HOST) && url[skip] == '/'))
		return STIR_URL_NO_HOST;
	return STIR_URL_OK;
}

/* strlen(s), or STIR_URL_MAX + 1 if it is longer: all a rule needs to know. */
static size_t
bounded_len(const char *s)
{
	return strnlen(s, STIR_URL_MAX + 1);
}

enum stir_url_fault
stir_url_check_x5u(const char *url, bool allow_http)
{
	return stir_url_check(url, bounded_len(url), STIR_URL_INFO_CHARS | STIR_URL_HOST |
	    (allow_http ? STIR_URL_HTTP : 0));
}

bool
stir_url_rcd_ok(const char *url)
{
	return url != NULL &&
	    stir_url_check(url, bounded_len(url), STIR_URL_URI_CHARS) == STIR_URL_OK;
}

bool
stir_url_tnlist_ok(const char *uri, size_t len)
{
	return stir_url_check(uri, len, 0) == STIR_URL_OK;
}

bool
stir_url_is_web(const char *s)
{
	return strncasecmp(s, "https:", 6) == 0 || strncasecmp(s, "http:", 5) == 0;
}

bool
stir_url_key_ok(const char *url)
{
	size_t n;

	if (url == NULL)
		return false;
	n = bounded_len(url);
	return n > 0 && n <= STIR_URL_MAX;
}

bool
stir_url_crl_ok(const char *uri, size_t len)
{
	return len <= STIR_URL_MAX && scheme_len(uri, len, STIR_URL_HTTP) != 0 &&
	    memchr(uri, '\0', len) == NULL;
}
