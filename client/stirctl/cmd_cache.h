/* cmd_cache.h: the "stirctl cache ..." commands (cmd_cache.c). */
#ifndef STIRCTL_CMD_CACHE_H
#define STIRCTL_CMD_CACHE_H

struct ctl;

int	cmd_cache_list(struct ctl *, int, char **);
int	cmd_cache_show(struct ctl *, int, char **);
int	cmd_cache_purge(struct ctl *, int, char **);
int	cmd_cache_prefetch(struct ctl *, int, char **);

#endif
