/* log.h: logging to stderr, with <N> priority prefixes under systemd. */
#ifndef STIR_LOG_H
#define STIR_LOG_H

#include <stddef.h>

enum stir_log_level {
	STIR_LOG_ERR = 3,
	STIR_LOG_WARNING = 4,
	STIR_LOG_NOTICE = 5,
	STIR_LOG_INFO = 6,
	STIR_LOG_DEBUG = 7,
};

/* Set the threshold; also reads JOURNAL_STREAM to pick the prefix style. */
void	stir_log_init(int level);
void	stir_log_set_level(int level);
void	stir_log(int level, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/*
 * Copy an outside string into out (size outlen) for logging: control and
 * non-ASCII bytes become \xNN, and it is cut with "..." past the room.
 * Returns out.
 */
const char *stir_log_quote(const char *in, size_t inlen, char *out,
	    size_t outlen);

#define log_err(...)	stir_log(STIR_LOG_ERR, __VA_ARGS__)
#define log_warn(...)	stir_log(STIR_LOG_WARNING, __VA_ARGS__)
#define log_notice(...)	stir_log(STIR_LOG_NOTICE, __VA_ARGS__)
#define log_info(...)	stir_log(STIR_LOG_INFO, __VA_ARGS__)
#define log_debug(fmt, ...) \
	stir_log(STIR_LOG_DEBUG, "%s: " fmt, __func__, ##__VA_ARGS__)

#endif
