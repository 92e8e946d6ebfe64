/* conffile.c: the table-driven "key = value" reader (conffile.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "stirclient.h"
#include "daemon/base/conffile.h"
#include "daemon/base/log.h"

#define FIELD(obj, k, type)	((type *)((char *)(obj) + (k)->off))

int
conffile_set_string(char **dst, const char *v)
{
	char *s = strdup(v);

	if (s == NULL)
		return STIR_ENOMEM;
	free(*dst);
	*dst = s;
	return STIR_OK;
}

int
conffile_uint(const char *v, int base, unsigned long *ret)
{
	char *end;
	unsigned long n;

	if (*v < '0' || *v > '9')
		return -1;
	errno = 0;
	n = strtoul(v, &end, base);
	if (errno != 0 || *end != '\0')
		return -1;
	*ret = n;
	return 0;
}

void
conffile_free(const struct conffile_key *keys, size_t nkeys, void *obj)
{
	for (size_t i = 0; i < nkeys; i++) {
		switch (keys[i].type) {
		case CONFFILE_STRING:
		case CONFFILE_OPTSTRING:
		case CONFFILE_PATH:
		case CONFFILE_OPTPATH:
			free(*FIELD(obj, &keys[i], char *));
			*FIELD(obj, &keys[i], char *) = NULL;
			break;
		default:
			break;
		}
	}
}

static int
set_path(const struct conffile_key *k, void *obj, const char *v, char *msg, size_t msglen)
{
	size_t max = k->max != 0 ? k->max : PATH_MAX;

	if (*v == '\0' && k->type == CONFFILE_OPTPATH)
		return conffile_set_string(FIELD(obj, k, char *), v);
	if (*v != '/' || strlen(v) >= max) {
		if (k->help != NULL)
			snprintf(msg, msglen, "'%s' must be %s", k->name, k->help);
		else if (*v != '/')
			snprintf(msg, msglen, "'%s' must be an absolute path", k->name);
		else
			snprintf(msg, msglen, "'%s' is too long", k->name);
		return STIR_EINVAL;
	}
	return conffile_set_string(FIELD(obj, k, char *), v);
}

static int
set_bool(const struct conffile_key *k, void *obj, const char *v, char *msg, size_t msglen)
{
	bool *dst = FIELD(obj, k, bool);

	if (!strcasecmp(v, "yes") || !strcasecmp(v, "true") ||
	    !strcmp(v, "1") || !strcasecmp(v, "on"))
		*dst = true;
	else if (!strcasecmp(v, "no") || !strcasecmp(v, "false") ||
	    !strcmp(v, "0") || !strcasecmp(v, "off"))
		*dst = false;
	else {
		snprintf(msg, msglen, "'%s' must be yes or no, not '%.64s'", k->name, v);
		return STIR_EINVAL;
	}
	return STIR_OK;
}

static int
set_enum(const struct conffile_key *k, void *obj, const char *v, char *msg, size_t msglen)
{
	char list[256] = "";

	for (int i = 0; k->names[i] != NULL; i++) {
		if (strcmp(v, k->names[i]) == 0) {
			*FIELD(obj, k, int) = i;
			return STIR_OK;
		}
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
		    i == 0 ? "" : k->names[i + 1] == NULL ? " or " : ", ", k->names[i]);
	}
	snprintf(msg, msglen, "'%s' must be %s", k->name, k->help != NULL ? k->help : list);
	return STIR_EINVAL;
}

static int
set_loglevel(const struct conffile_key *k, void *obj, const char *v, char *msg,
    size_t msglen)
{
	static const struct { const char *n; int l; } levels[] = {
		{ "error", STIR_LOG_ERR }, { "warning", STIR_LOG_WARNING },
		{ "notice", STIR_LOG_NOTICE }, { "info", STIR_LOG_INFO },
		{ "debug", STIR_LOG_DEBUG },
	};

	for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++)
		if (strcmp(v, levels[i].n) == 0) {
			*FIELD(obj, k, int) = levels[i].l;
			return STIR_OK;
		}
	snprintf(msg, msglen, "'%s' must be error, warning, notice, info or debug", k->name);
	return STIR_EINVAL;
}

int
conffile_set(const struct conffile_key *k, void *obj, char *v, char *msg, size_t msglen)
{
	unsigned long n;

	if (k->set != NULL)
		return k->set(obj, k, v, msg, msglen);
	switch (k->type) {
	case CONFFILE_STRING:
		if (*v == '\0') {
			snprintf(msg, msglen, "'%s' must not be empty", k->name);
			return STIR_EINVAL;
		}
		return conffile_set_string(FIELD(obj, k, char *), v);
	case CONFFILE_OPTSTRING:
		return conffile_set_string(FIELD(obj, k, char *), v);
	case CONFFILE_PATH:
	case CONFFILE_OPTPATH:
		return set_path(k, obj, v, msg, msglen);
	case CONFFILE_BOOL:
		return set_bool(k, obj, v, msg, msglen);
	case CONFFILE_UINT:
		if (conffile_uint(v, 10, &n) != 0 || n < k->min || n > k->max) {
			snprintf(msg, msglen, "'%s' must be an integer from %u to %u, not '%.64s'",
			    k->name, k->min, k->max, v);
			return STIR_EINVAL;
		}
		*FIELD(obj, k, unsigned) = (unsigned)n;
		return STIR_OK;
	case CONFFILE_MODE:
		if (conffile_uint(v, 8, &n) != 0 || n > k->max) {
			if (k->help != NULL)
				snprintf(msg, msglen, "'%s' must be %s", k->name, k->help);
			else
				snprintf(msg, msglen,
				    "'%s' must be an octal mode such as 0660, not '%.64s'",
				    k->name, v);
			return STIR_EINVAL;
		}
		*FIELD(obj, k, unsigned) = (unsigned)n;
		return STIR_OK;
	case CONFFILE_ENUM:
		return set_enum(k, obj, v, msg, msglen);
	case CONFFILE_LOGLEVEL:
		return set_loglevel(k, obj, v, msg, msglen);
	case CONFFILE_CUSTOM:
		break;
	}
	snprintf(msg, msglen, "'%s' cannot be set", k->name);
	return STIR_EINVAL;
}

int
conffile_defaults(const struct conffile_key *keys, size_t nkeys, void *obj, char *msg,
    size_t msglen)
{
	char v[CONFFILE_LINE_MAX + 1];
	int r;

	for (size_t i = 0; i < nkeys; i++) {
		if (keys[i].dflt == NULL)
			continue;
		/* a setter may change its value in place */
		if ((size_t)snprintf(v, sizeof(v), "%s", keys[i].dflt) >= sizeof(v)) {
			snprintf(msg, msglen, "'%s': default too long", keys[i].name);
			return STIR_EINVAL;
		}
		if ((r = conffile_set(&keys[i], obj, v, msg, msglen)) != STIR_OK)
			return r;
	}
	return STIR_OK;
}

static char *
trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

/* Split "key = value # comment" in place; NULL key: blank or comment. */
static int
split_line(char *line, char **ret_key, char **ret_val, char *msg, size_t msglen)
{
	char *key = trim(line), *eq, *val, *hash;

	*ret_key = NULL;
	if (*key == '\0' || *key == '#')
		return STIR_OK;
	if ((eq = strchr(key, '=')) == NULL) {
		snprintf(msg, msglen, "expected 'key = value'");
		return STIR_EINVAL;
	}
	*eq = '\0';
	val = eq + 1;
	while (*val == ' ' || *val == '\t')
		val++;
	if (*val == '"') {
		/* a quoted value keeps blanks and '#'; a comment may follow */
		char *close = strchr(val + 1, '"');

		if (close == NULL) {
			snprintf(msg, msglen, "unterminated quoted value");
			return STIR_EINVAL;
		}
		*close = '\0';
		hash = trim(close + 1);
		if (*hash != '\0' && *hash != '#') {
			snprintf(msg, msglen, "text after the quoted value");
			return STIR_EINVAL;
		}
		val++;
	} else {
		/* '#' starts a comment after blanks */
		for (hash = val; (hash = strchr(hash, '#')) != NULL; hash++)
			if (hash == val || hash[-1] == ' ' || hash[-1] == '\t') {
				*hash = '\0';
				break;
			}
		val = trim(val);
	}
	*ret_key = trim(key);
	*ret_val = val;
	return STIR_OK;
}

int
conffile_parse(const struct conffile_key *keys, size_t nkeys, void *obj,
    const char *path, const char *text, size_t len, char *err, size_t errlen)
{
	bool seen[CONFFILE_MAX_KEYS] = { false };
	char line[CONFFILE_LINE_MAX + 1], msg[384];
	size_t pos = 0, lineno = 0;
	int r;

	if (nkeys > CONFFILE_MAX_KEYS) {
		snprintf(err, errlen, "%s: more than %d keys", path, CONFFILE_MAX_KEYS);
		return STIR_EINVAL;
	}
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos, i;
		char *key, *val;

		lineno++;
		if (n > CONFFILE_LINE_MAX) {
			snprintf(msg, sizeof(msg), "line longer than %d bytes", CONFFILE_LINE_MAX);
			r = STIR_EINVAL;
			goto bad;
		}
		memcpy(line, text + pos, n);
		line[n] = '\0';
		pos += n + (nl ? 1 : 0);
		if (memchr(line, '\0', n) != NULL) {
			snprintf(msg, sizeof(msg), "NUL byte in line");
			r = STIR_EINVAL;
			goto bad;
		}
		if ((r = split_line(line, &key, &val, msg, sizeof(msg))) != STIR_OK)
			goto bad;
		if (key == NULL)
			continue;
		for (i = 0; i < nkeys; i++)
			if (strcmp(keys[i].name, key) == 0)
				break;
		if (i == nkeys) {
			char q[80];

			snprintf(msg, sizeof(msg), "unknown key '%s'",
			    stir_log_quote(key, strlen(key), q, sizeof(q)));
			r = STIR_EINVAL;
			goto bad;
		}
		if (seen[i] && !(keys[i].flags & CONFFILE_REPEAT)) {
			snprintf(msg, sizeof(msg), "'%s' is set twice", key);
			r = STIR_EINVAL;
			goto bad;
		}
		seen[i] = true;
		if ((r = conffile_set(&keys[i], obj, val, msg, sizeof(msg))) != STIR_OK)
			goto bad;
	}
	return STIR_OK;
 bad:
	snprintf(err, errlen, "%s:%zu: %s", path, lineno, msg);
	return r;
}

int
conffile_read(const char *path, size_t max_bytes, char **ret_text, size_t *ret_len,
    char *err, size_t errlen)
{
	struct stat st;
	char *text = NULL;
	size_t got = 0;
	int fd, r;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0) {
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return STIR_EIO;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		r = STIR_EIO;
		goto out;
	}
	if ((unsigned long long)st.st_size > max_bytes) {
		snprintf(err, errlen, "%s: larger than %zu bytes", path, max_bytes);
		r = STIR_EINVAL;
		goto out;
	}
	if ((text = malloc((size_t)st.st_size + 1)) == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		r = STIR_ENOMEM;
		goto out;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, text + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	text[got] = '\0';
	*ret_text = text;
	*ret_len = got;
	text = NULL;
	r = STIR_OK;
 out:
	free(text);
	close(fd);
	return r;
}
