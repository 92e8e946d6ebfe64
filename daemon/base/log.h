/* log.h: logging to stderr, with <N> priority prefixes under systemd. */
#ifndef STIR_LOG_H
#define STIR_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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
/* The program name of stderr lines ("stird"); a static string. */
void	stir_log_set_ident(const char *ident);
void	stir_log(int level, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/*
 * Copy an outside string into out (size outlen) for logging: control and
 * non-ASCII bytes become \xNN, and it is cut with "..." past the room.
 * Returns out.
 */
const char *stir_log_quote(const char *in, size_t inlen, char *out,
	    size_t outlen);

/*
 * At most burst lines per interval_ms for one kind of event that outsiders
 * can cause; the events past that are counted so that one line can report
 * them.  Zero-initialise, then set burst and interval_ms.
 */
struct stir_ratelimit {
	unsigned	 burst;
	unsigned	 interval_ms;
	uint64_t	 start_ms;	/* the current interval began */
	unsigned	 used;		/* events logged in it */
	unsigned	 dropped;	/* events not logged in it */
	bool		 started;
};

/*
 * Whether the event at now_ms (a monotonic clock) may be logged.
 * *ret_dropped: events dropped in the interval that just ended (0 if none,
 * or if it has not ended), to be reported before this one.
 */
bool	stir_ratelimit_allow(struct stir_ratelimit *rl, uint64_t now_ms,
	    unsigned *ret_dropped);
/* Events dropped in an interval that has ended by now_ms (then forgotten). */
unsigned stir_ratelimit_drain(struct stir_ratelimit *rl, uint64_t now_ms);

#define log_err(...)	stir_log(STIR_LOG_ERR, __VA_ARGS__)
#define log_warn(...)	stir_log(STIR_LOG_WARNING, __VA_ARGS__)
#define log_notice(...)	stir_log(STIR_LOG_NOTICE, __VA_ARGS__)
#define log_info(...)	stir_log(STIR_LOG_INFO, __VA_ARGS__)
#define log_debug(fmt, ...) \
	stir_log(STIR_LOG_DEBUG, "%s: " fmt, __func__, ##__VA_ARGS__)

#endif
