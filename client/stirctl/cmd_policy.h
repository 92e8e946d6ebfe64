/* cmd_policy.h: the "stirctl policy ..." commands and the RCD options of sign. */
#ifndef STIRCTL_CMD_POLICY_H
#define STIRCTL_CMD_POLICY_H

#include <getopt.h>
#include <jansson.h>

struct ctl;

int	cmd_policy_add(struct ctl *, int, char **);
int	cmd_policy_check(struct ctl *, int, char **);
int	cmd_policy_list(struct ctl *, int, char **);
int	cmd_policy_show(struct ctl *, int, char **);
int	cmd_policy_remove(struct ctl *, int, char **);
int	cmd_policy_test(struct ctl *, int, char **);

/*
 * The RCD options of sign and policy test: --rcd, --nam, --apn, --icn,
 * --jcl, --crn, --ppt.  CTL_RCD_OPTIONS goes into a getopt_long table;
 * ctl_rcd_option() handles ch if it is one of them (1), else returns 0.
 */
#define CTL_RCD_OPTIONS \
	{ "rcd", no_argument, NULL, 0x100 }, { "nam", required_argument, NULL, 0x101 }, \
	{ "apn", required_argument, NULL, 0x102 }, { "icn", required_argument, NULL, 0x103 }, \
	{ "jcl", required_argument, NULL, 0x104 }, { "crn", required_argument, NULL, 0x105 }, \
	{ "ppt", required_argument, NULL, 0x106 }
int	ctl_rcd_option(int ch, const char *arg, json_t *params);

#endif
