/* tnspec.c: TN specs (tnspec.h). */
#include "config.h"

#include <string.h>

#include "stirclient.h"
#include "daemon/stir/tnspec.h"

static int
all_digits(const char *s, size_t n)
{
	return n > 0 && n <= STIR_TN_MAX && strspn(s, "0123456789") >= n;
}

int
stir_tnspec_parse(const char *s, struct stir_tnspec *ret)
{
	struct stir_tnspec sp;
	size_t n = strlen(s);
	const char *dash = strchr(s, '-');

	memset(&sp, 0, sizeof(sp));
	if (n > 0 && s[n - 1] == '*') {
		if (n == 1 || !all_digits(s, n - 1) || strspn(s, "0123456789") != n - 1)
			return STIR_EINVAL;
		sp.type = STIR_TNSPEC_PREFIX;
		memcpy(sp.a, s, n - 1);
	} else if (dash != NULL) {
		size_t la = (size_t)(dash - s), lb = n - la - 1;

		if (la != lb || !all_digits(s, la) || strspn(s, "0123456789") != la ||
		    strspn(dash + 1, "0123456789") != lb || !all_digits(dash + 1, lb))
			return STIR_EINVAL;
		memcpy(sp.a, s, la);
		memcpy(sp.b, dash + 1, lb);
		if (strcmp(sp.a, sp.b) > 0)
			return STIR_EINVAL;
		sp.type = STIR_TNSPEC_RANGE;
	} else {
		if (!all_digits(s, n) || strspn(s, "0123456789") != n)
			return STIR_EINVAL;
		sp.type = STIR_TNSPEC_EXACT;
		memcpy(sp.a, s, n);
	}
	*ret = sp;
	return STIR_OK;
}

int
stir_tnspec_covers(const struct stir_tnspec *sp, const char *tn)
{
	switch (sp->type) {
	case STIR_TNSPEC_EXACT:
		return strcmp(sp->a, tn) == 0;
	case STIR_TNSPEC_PREFIX:
		return strncmp(sp->a, tn, strlen(sp->a)) == 0;
	case STIR_TNSPEC_RANGE:
		/* equal lengths: string order is numeric order */
		return strlen(tn) == strlen(sp->a) && strcmp(tn, sp->a) >= 0 &&
		    strcmp(tn, sp->b) <= 0;
	default:
		return 0;
	}
}

int
stir_tnspec_rank(const struct stir_tnspec *sp)
{
	size_t common = 0;

	switch (sp->type) {
	case STIR_TNSPEC_EXACT:
		return 1000;
	case STIR_TNSPEC_RANGE:
		/* a narrower range (a longer common prefix) is more specific */
		while (sp->a[common] != '\0' && sp->a[common] == sp->b[common])
			common++;
		return 500 + (int)common;
	default:
		return (int)strlen(sp->a);
	}
}

/*
 * Call fn for each entry of list (separated by commas and spaces) until
 * it returns true; an entry too long to be a spec is passed as "" (it
 * parses as nothing).
 */
static bool
list_any(const char *list, bool (*fn)(const char *entry, const void *arg), const void *arg)
{
	const char *p = list;

	while (*p != '\0') {
		char entry[2 * STIR_TN_MAX + 2] = "";
		size_t n;

		p += strspn(p, ", ");
		if (*p == '\0')
			break;
		n = strcspn(p, ", ");
		if (n < sizeof(entry))
			memcpy(entry, p, n);
		if (fn(entry, arg))
			return true;
		p += n;
	}
	return false;
}

static bool
entry_bad(const char *entry, const void *arg)
{
	struct stir_tnspec sp;

	(void)arg;
	return stir_tnspec_parse(entry, &sp) != STIR_OK;
}

bool
stir_tnspec_list_ok(const char *list)
{
	return !list_any(list, entry_bad, NULL);
}

static bool
entry_covers(const char *entry, const void *tn)
{
	struct stir_tnspec sp;

	return stir_tnspec_parse(entry, &sp) == STIR_OK && stir_tnspec_covers(&sp, tn);
}

bool
stir_tnspec_list_covers(const char *list, const char *tn)
{
	return list_any(list, entry_covers, tn);
}
