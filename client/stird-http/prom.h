/*
 * prom.h: the Prometheus text exposition format 0.0.4, rendered from the
 * metric families of stird's stats op (doc/protocol.md "stats"), generically:
 * no code per metric.  Pure functions, no I/O.
 */
#ifndef STIR_HTTP_PROM_H
#define STIR_HTTP_PROM_H

#include <stddef.h>

#include <jansson.h>

struct prom_buf {
	char	*s;		/* NUL-terminated; free() */
	size_t	 len, cap;
	int	 err;		/* sticky: STIR_ENOMEM */
};

void	prom_printf(struct prom_buf *b, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/*
 * Append every family of the stats result ({"uptime":N,"metrics":[...]})
 * to b.  Families or samples that are malformed or badly named are
 * skipped; returns the number of families written, or a negative error
 * (STIR_EPROTO: not a stats result).
 */
int	prom_render_stats(struct prom_buf *b, const char *stats_json);
/* The same with the stats result as the door holds it (borrowed). */
int	prom_render_stats_json(struct prom_buf *b, const json_t *stats);
/* Append "# HELP" and "# TYPE" lines. */
void	prom_family(struct prom_buf *b, const char *name, const char *type,
	    const char *help);
/* Append a label value, escaped. */
void	prom_label_value(struct prom_buf *b, const char *v);

#endif
