/* cmd_stats.h: "stirctl stats" (cmd_stats.c) and its histogram arithmetic (hist.c). */
#ifndef STIRCTL_CMD_STATS_H
#define STIRCTL_CMD_STATS_H

#include <jansson.h>

struct ctl;

int	cmd_stats(struct ctl *, int, char **);
/*
 * The q-quantile (0 < q < 1) of a histogram sample of op stats, estimated
 * from its cumulative buckets by linear interpolation inside the bucket
 * it falls in (as Prometheus' histogram_quantile does).  Returns 0 with
 * *ret; 1 when it falls beyond the last bound (*ret is that bound); -1
 * when the sample has no observations or is malformed.
 */
/* hist.c */
int	ctl_hist_quantile(const json_t *sample, double q, double *ret);

#endif
