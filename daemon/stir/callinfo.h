/*
 * callinfo.h: the SIP Call-Info header field for Rich Call Data (RFC
 * 9796): the values a verification service passes on for what it
 * verified, and the call-reason a compact ppt=rcd PASSporT's crn is
 * rebuilt from (RFC 9795 section 9.3).  Pure functions.
 */
#ifndef STIR_CALLINFO_H
#define STIR_CALLINFO_H

#include <stddef.h>

/* What rcd_call_info passes on (stird.conf(5)). */
enum stir_callinfo_part {
	STIR_CI_ICON		= 1 << 0,	/* <icn>;purpose=icon */
	STIR_CI_JCARD		= 1 << 1,	/* <jcl>;purpose=jcard */
	STIR_CI_JCD		= 1 << 2,	/* <data:application/json;base64,...>;purpose=jcard */
	STIR_CI_REASON		= 1 << 3,	/* <data:>;purpose=jcard;call-reason="crn" */
	STIR_CI_NAME		= 1 << 4,	/* <data:>;purpose=jcard;verified="true": the display-name */
	STIR_CI_VERIFIED	= 1 << 5,	/* the verified="true" parameter */
	STIR_CI_INTEGRITY	= 1 << 6,	/* the integrity="<rcdi digest>" parameter */
};

#define STIR_CI_DEFAULT	"icon, jcard, call-reason, name, verified, integrity"
#define STIR_CI_REASON_MAX 256		/* bytes of a call-reason */

/*
 * The parts named in list (the words above: icon, jcard, jcd,
 * call-reason, name, verified, integrity; separated by commas or spaces;
 * "none" alone for nothing) as a mask.  STIR_EINVAL with msg naming the
 * unknown word.
 */
int	stir_callinfo_mask(const char *list, unsigned *ret, char *msg, size_t msglen);

/*
 * One Call-Info value: "<uri>;purpose=<purpose>", then
 * ;call-reason="<reason>" (when reason is not NULL), ;verified="true"
 * (with STIR_CI_VERIFIED in mask) and ;integrity="<integrity>" (when not
 * NULL, with STIR_CI_INTEGRITY), as RFC 9796 sections 6 to 8 write them;
 * reason is a quoted-string, its '"' and '\' escaped and control
 * characters dropped.  NULL when out of memory.
 */
char	*stir_callinfo_value(const char *uri, const char *purpose, const char *reason,
	    const char *integrity, unsigned mask);

/*
 * The call-reason of the first Call-Info value in header (one or more
 * values, comma-separated, as received) that has one, unquoted, into
 * out.  STIR_OK; STIR_ENOENT when none has one; STIR_EINVAL when header
 * is malformed (an unterminated <URI> or quoted-string) or the reason
 * does not fit in outlen.
 */
int	stir_callinfo_reason(const char *header, char *out, size_t outlen);

#endif
