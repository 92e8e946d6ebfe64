/*
 * conffile.h: the strict "key = value" reader stird.conf(5),
 * stird-http.conf and stird-sipd.conf share.  A file is lines of
 * "key = value"; '#' starts a comment (at the start of a line or after a
 * blank); a value in double quotes keeps blanks and '#'; unknown keys and
 * keys set twice (unless repeatable) are errors, reported as
 * "file:line: message".
 *
 * The caller describes its keys in a table; each one names a field of the
 * caller's struct (by offset) and how its value is checked.
 */
#ifndef STIR_CONFFILE_H
#define STIR_CONFFILE_H

#include <stdbool.h>
#include <stddef.h>

#define CONFFILE_LINE_MAX	4096	/* longest line */
#define CONFFILE_MAX_KEYS	128	/* keys in one table */

enum conffile_type {
	CONFFILE_STRING,	/* char *: any non-empty value */
	CONFFILE_OPTSTRING,	/* char *: may be empty */
	CONFFILE_PATH,		/* char *: absolute path, shorter than max (0: PATH_MAX) */
	CONFFILE_OPTPATH,	/* char *: the same, or empty */
	CONFFILE_BOOL,		/* bool: yes/no, true/false, on/off, 1/0 */
	CONFFILE_UINT,		/* unsigned: decimal, min..max */
	CONFFILE_MODE,		/* unsigned: octal file mode, at most max */
	CONFFILE_ENUM,		/* int: index of the value in names[] */
	CONFFILE_LOGLEVEL,	/* int: STIR_LOG_* from error..debug */
	CONFFILE_CUSTOM		/* set() only; nothing for conffile_free() */
};

#define CONFFILE_REPEAT	0x1	/* may be given on several lines */

struct conffile_key;

/*
 * A setter for a special key: v may be changed in place.  On error
 * returns STIR_EINVAL (or STIR_ENOMEM) with the message (no file:line) in
 * msg.
 */
typedef int	(*conffile_set_fn)(void *obj, const struct conffile_key *k, char *v,
		    char *msg, size_t msglen);

struct conffile_key {
	const char		*name;
	enum conffile_type	 type;	/* how the field is stored (and checked if no set) */
	size_t			 off;	/* of the field in the caller's struct */
	unsigned		 min, max;
	const char		*dflt;	/* applied by conffile_defaults(); NULL: none */
	const char *const	*names;	/* CONFFILE_ENUM, NULL-terminated */
	/*
	 * Replaces the default message of PATH, MODE and ENUM errors by
	 * "'<name>' must be <help>".
	 */
	const char		*help;
	unsigned		 flags;	/* CONFFILE_REPEAT */
	conffile_set_fn		 set;	/* instead of the check the type implies */
	size_t			 aux;	/* for set()'s own use */
};

/* Set each key with a dflt to it.  Errors as the setters have them. */
int	conffile_defaults(const struct conffile_key *keys, size_t nkeys, void *obj,
	    char *msg, size_t msglen);
/*
 * Apply the lines of text (len bytes; path is for messages) to obj.  On
 * error returns STIR_EINVAL (or STIR_ENOMEM) with "path:line: message" in
 * err.
 */
int	conffile_parse(const struct conffile_key *keys, size_t nkeys, void *obj,
	    const char *path, const char *text, size_t len, char *err, size_t errlen);
/* Set one key as a line "name = v" would (defaults, implied values). */
int	conffile_set(const struct conffile_key *k, void *obj, char *v, char *msg,
	    size_t msglen);
/* Free the string fields of obj the table names (not obj). */
void	conffile_free(const struct conffile_key *keys, size_t nkeys, void *obj);
/* Replace *dst by a copy of v. */
int	conffile_set_string(char **dst, const char *v);
/* A decimal (base 10) or octal (base 8) number, digits only. */
int	conffile_uint(const char *v, int base, unsigned long *ret);
/*
 * Read a regular file of at most max_bytes into *ret_text (NUL-terminated,
 * the caller frees it).  On error returns STIR_EIO, STIR_EINVAL or
 * STIR_ENOMEM with "path: message" in err.
 */
int	conffile_read(const char *path, size_t max_bytes, char **ret_text,
	    size_t *ret_len, char *err, size_t errlen);

#endif
