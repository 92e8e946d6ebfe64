/* cmd_state.h: "stirctl export" and "stirctl apply" (cmd_state.c). */
#ifndef STIRCTL_CMD_STATE_H
#define STIRCTL_CMD_STATE_H

struct ctl;

int	cmd_export(struct ctl *, int, char **);
int	cmd_apply(struct ctl *, int, char **);

#endif
