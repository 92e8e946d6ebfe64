/* log.c: one line per message on stderr; journald reads <N> prefixes. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"

/*
 * The only process-wide state in stird: logging is configured once in
 * main() before any thread starts and read-only afterwards (reload may
 * change the level, on the loop thread; a torn read is harmless).
 */
static int log_level = STIR_LOG_INFO;
static int log_journal;
static const char *log_ident = "stird";

void
stir_log_init(int level)
{
	log_level = level;
	log_journal = getenv("JOURNAL_STREAM") != NULL;
}

void
stir_log_set_ident(const char *ident)
{
	log_ident = ident;
}

void
stir_log_set_level(int level)
{
	log_level = level;
}

static void
escape_controls(const char *in, char *out, size_t outlen)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;

	for (; *in != '\0' && o + 5 < outlen; in++) {
		unsigned char ch = (unsigned char)*in;

		if (ch >= 0x20 && ch != 0x7f) {
			out[o++] = (char)ch;
			continue;
		}
		out[o++] = '\\';
		out[o++] = 'x';
		out[o++] = hex[ch >> 4];
		out[o++] = hex[ch & 15];
	}
	out[o] = '\0';
}

void
stir_log(int level, const char *fmt, ...)
{
	static const char *names[] = { "emerg", "alert", "crit", "error",
	    "warning", "notice", "info", "debug" };
	char raw[2048], buf[sizeof(raw) * 4];
	va_list ap;

	if (level > log_level)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	/*
	 * One message is one line: a control character from a client or the
	 * network (a newline and "<0>" would forge a journal entry) is
	 * written as \xNN, whatever the call site did.
	 */
	escape_controls(raw, buf, sizeof(buf));
	if (log_journal)
		(void)fprintf(stderr, "<%d>%s\n", level, buf);
	else {
		struct timespec ts;
		struct tm tm;
		char tbuf[32];

		(void)clock_gettime(CLOCK_REALTIME, &ts);
		(void)gmtime_r(&ts.tv_sec, &tm);
		(void)strftime(tbuf, sizeof(tbuf), "%Y-%m-%dT%H:%M:%S", &tm);
		(void)fprintf(stderr, "%s.%03ldZ %s[%s]: %s\n", tbuf,
		    ts.tv_nsec / 1000000, log_ident, names[level & 7], buf);
	}
}

const char *
stir_log_quote(const char *in, size_t inlen, char *out, size_t outlen)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;

	if (outlen < 8) {
		if (outlen > 0)
			out[0] = '\0';
		return out;
	}
	for (size_t i = 0; i < inlen; i++) {
		unsigned char ch = (unsigned char)in[i];
		size_t need = (ch < 0x20 || ch >= 0x7f || ch == '\\' ||
		    ch == '\'') ? 4 : 1;

		if (o + need + 4 > outlen) {
			memcpy(out + o, "...", 3);
			o += 3;
			break;
		}
		if (need == 1)
			out[o++] = (char)ch;
		else {
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hex[ch >> 4];
			out[o++] = hex[ch & 15];
		}
	}
	out[o] = '\0';
	return out;
}

unsigned
stir_ratelimit_drain(struct stir_ratelimit *rl, uint64_t now_ms)
{
	unsigned n;

	if (!rl->started || now_ms - rl->start_ms < rl->interval_ms)
		return 0;
	n = rl->dropped;
	rl->started = false;
	rl->used = rl->dropped = 0;
	return n;
}

bool
stir_ratelimit_allow(struct stir_ratelimit *rl, uint64_t now_ms, unsigned *ret_dropped)
{
	*ret_dropped = stir_ratelimit_drain(rl, now_ms);
	if (!rl->started) {
		rl->started = true;
		rl->start_ms = now_ms;
	}
	if (rl->used < rl->burst) {
		rl->used++;
		return true;
	}
	rl->dropped++;
	return false;
}
