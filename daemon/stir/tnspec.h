/*
 * tnspec.h: TN specs, how an operator names telephone numbers: "digits"
 * (one number), "digits*" (a prefix) or "digits-digits" (a range of equal
 * lengths).  Credentials' tns, RCD policies' match.tns and the
 * connected_identity setting all use this one grammar (tnspec.c).
 */
#ifndef STIR_TNSPEC_H
#define STIR_TNSPEC_H

#include <stdbool.h>
#include <stddef.h>

#include "daemon/stir/tn.h"

enum stir_tnspec_type {
	STIR_TNSPEC_EXACT,	/* 12155551212 */
	STIR_TNSPEC_PREFIX,	/* 1215555*    */
	STIR_TNSPEC_RANGE,	/* 12155550000-12155550999 */
	_STIR_TNSPEC_MAX
};

struct stir_tnspec {
	enum stir_tnspec_type	type;
	char			a[STIR_TN_MAX + 1];
	char			b[STIR_TN_MAX + 1];
};

/* Parse "digits", "digits*" or "digits-digits" (equal length). */
int	stir_tnspec_parse(const char *s, struct stir_tnspec *ret);
/*
 * How specific spec is: an exact number (1000) beats a range (500 plus
 * the length of its common prefix) beats a prefix (its length).
 */
int	stir_tnspec_rank(const struct stir_tnspec *spec);
/* Does spec cover the canonical TN tn? */
int	stir_tnspec_covers(const struct stir_tnspec *spec, const char *tn);
/*
 * A list of specs separated by commas and spaces (connected_identity):
 * does every entry parse?  An empty list is valid (it names no number).
 */
bool	stir_tnspec_list_ok(const char *list);
/* Does an entry of list cover the canonical TN tn?  Bad entries cover none. */
bool	stir_tnspec_list_covers(const char *list, const char *tn);

#endif
