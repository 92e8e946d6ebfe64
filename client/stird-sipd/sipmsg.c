/*
 * sipmsg.c: the one owner of libosip2 in stird-sipd (sipmsg.h).  Only the
 * parser library (osipparser2) is used: no osip transactions, threads or
 * timers; the transport and the loop are stird-sipd's.
 *
 * Limits: the caller bounds the bytes (max_message_bytes); here the
 * header lines are counted before osip sees them, so a message of many
 * tiny headers cannot make the parser build a long list.
 */
#include "config.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <osipparser2/osip_parser.h>
#include <osipparser2/osip_port.h>

#include "stirclient.h"
#include "client/stird-sipd/sipmsg.h"

#define SIPMSG_JOIN	", "

struct sipmsg {
	osip_message_t	*msg;
	struct sip_fields f;
	/* strings the fields point to that osip does not hold */
	char		*request_uri;
	char		*from;
	char		*to;
	char		*call_id;
	char		*history_info;
	char		*diversion;
	char		*caller_uri;
	osip_from_t	*caller;	/* PAI parsed, when it is the caller */
};

static void
quiet_trace(const char *fi, int li, osip_trace_level_t level, const char *chfr, va_list ap)
{
	(void)fi;
	(void)li;
	(void)level;
	(void)chfr;
	(void)ap;
}

void
sipmsg_global_init(void)
{
	/* osip's trace goes to stdout by default: the parser errors are
	 * ours to report, once, with context */
	osip_trace_initialize_func(END_TRACE_LEVEL, quiet_trace);
	for (int l = TRACE_LEVEL0; l < END_TRACE_LEVEL; l++)
		osip_trace_disable_level((osip_trace_level_t)l);
	(void)parser_init();
}

/* The length of the header block up to and including the blank line, or 0. */
static size_t
header_end(const char *buf, size_t len)
{
	for (size_t i = 0; i + 3 < len; i++)
		if (buf[i] == '\r' && buf[i + 1] == '\n' && buf[i + 2] == '\r' &&
		    buf[i + 3] == '\n')
			return i + 4;
	return 0;
}

/* Header lines (a folded continuation counts as a line too). */
static size_t
count_lines(const char *buf, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++)
		if (buf[i] == '\n')
			n++;
	return n;
}

/*
 * The Content-Length of a header block (long or compact "l" form), the one
 * thing read from the bytes before osip parses them: a stream is framed
 * by it (RFC 3261 section 18.3) before the body has arrived, and osip
 * will not parse a header block whose body is missing.  osip parses the
 * framed message whole and checks it agrees.  0 when absent, -1 when
 * malformed or given twice with different values.
 */
static long
scan_content_length(const char *h, size_t hlen)
{
	const char *p = h, *end = h + hlen;
	long found = -2;

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p)), *q;
		size_t nl = 0;
		long v = 0;

		if (eol == NULL)
			break;
		if (p != h) {		/* not the start line */
			if ((size_t)(eol - p) > 14 && strncasecmp(p, "content-length", 14) == 0)
				nl = 14;
			else if ((*p == 'l' || *p == 'L') && (p[1] == ':' || p[1] == ' ' ||
			    p[1] == '\t'))
				nl = 1;
		}
		if (nl > 0) {
			for (q = p + nl; *q == ' ' || *q == '\t'; q++)
				;
			if (*q == ':') {
				for (q++; *q == ' ' || *q == '\t'; q++)
					;
				if (*q < '0' || *q > '9')
					return -1;
				for (; *q >= '0' && *q <= '9'; q++) {
					if (v > 100000000)
						return -1;
					v = v * 10 + (*q - '0');
				}
				if (*q != '\r' && *q != '\n' && *q != ' ' && *q != '\t')
					return -1;
				if (found >= 0 && found != v)
					return -1;
				found = v;
			}
		}
		p = eol + 1;
	}
	return found == -2 ? 0 : found;
}

int
sipmsg_frame(const char *buf, size_t len, size_t max, unsigned max_headers,
    size_t *ret_len)
{
	size_t hlen;
	long clen;

	if ((hlen = header_end(buf, len)) == 0) {
		if (len >= max || count_lines(buf, len) > (size_t)max_headers + 1)
			return STIR_ETOOBIG;
		return 0;
	}
	if (hlen > max || count_lines(buf, hlen) > (size_t)max_headers + 2)
		return STIR_ETOOBIG;
	if ((clen = scan_content_length(buf, hlen)) < 0)
		return STIR_EPROTO;
	if ((size_t)clen > max - hlen)
		return STIR_ETOOBIG;
	if (len < hlen + (size_t)clen)
		return 0;
	*ret_len = hlen + (size_t)clen;
	return 1;
}

void
sipmsg_free(struct sipmsg *m)
{
	if (m == NULL)
		return;
	osip_message_free(m->msg);
	osip_from_free(m->caller);
	free(m->request_uri);
	free(m->from);
	free(m->to);
	free(m->call_id);
	free(m->history_info);
	free(m->diversion);
	free(m->caller_uri);
	free(m);
}

const struct sip_fields *
sipmsg_fields(const struct sipmsg *m)
{
	return &m->f;
}

/*
 * Every value of the header name (osip keeps each comma-separated value
 * of a header it does not know as one entry), joined; NULL if none.
 */
static int
join_values(osip_message_t *msg, const char *name, char **ret)
{
	osip_header_t *h;
	size_t len = 0;
	char *s = NULL;
	int pos = 0;

	while ((pos = osip_message_header_get_byname(msg, name, pos, &h)) >= 0) {
		size_t vl = h->hvalue != NULL ? strlen(h->hvalue) : 0;
		char *n;

		pos++;
		if (vl == 0)
			continue;
		if (len + vl + sizeof(SIPMSG_JOIN) > SIPMSG_MAX_LIST_BYTES) {
			free(s);
			return STIR_ETOOBIG;
		}
		if ((n = realloc(s, len + vl + sizeof(SIPMSG_JOIN))) == NULL) {
			free(s);
			return STIR_ENOMEM;
		}
		s = n;
		if (len > 0) {
			memcpy(s + len, SIPMSG_JOIN, sizeof(SIPMSG_JOIN) - 1);
			len += sizeof(SIPMSG_JOIN) - 1;
		}
		memcpy(s + len, h->hvalue, vl);
		len += vl;
		s[len] = '\0';
	}
	*ret = s;
	return STIR_OK;
}

static const char *
first_value(osip_message_t *msg, const char *name)
{
	osip_header_t *h;

	if (osip_message_header_get_byname(msg, name, 0, &h) < 0 || h->hvalue == NULL ||
	    *h->hvalue == '\0')
		return NULL;
	return h->hvalue;
}

const char *
sipmsg_header(const struct sipmsg *m, const char *name)
{
	return first_value(m->msg, name);
}

/* Identity values, long form then compact "y", in the order of each. */
static void
collect_identity(struct sipmsg *m)
{
	static const char *const names[] = { "identity", "y" };
	osip_header_t *h;

	for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
		int pos = 0;

		while ((pos = osip_message_header_get_byname(m->msg, names[k], pos, &h)) >= 0) {
			pos++;
			if (h->hvalue == NULL || *h->hvalue == '\0')
				continue;
			if (m->f.nidentity < SIPMSG_MAX_IDENTITY)
				m->f.identity[m->f.nidentity++] = h->hvalue;
			else
				m->f.identity_dropped++;
		}
	}
}

/* The calling party: P-Asserted-Identity, else From. */
static int
collect_caller(struct sipmsg *m)
{
	osip_uri_t *url = NULL;
	osip_from_t *who = m->msg->from;

	if (m->f.pai != NULL) {
		if (osip_from_init(&m->caller) != OSIP_SUCCESS)
			return STIR_ENOMEM;
		if (osip_from_parse(m->caller, m->f.pai) == OSIP_SUCCESS)
			who = m->caller;
	}
	if (who == NULL || (url = who->url) == NULL)
		return STIR_OK;
	m->f.caller_scheme = url->scheme;
	m->f.caller_user = url->username != NULL ? url->username : url->string;
	m->f.caller_display = who->displayname;
	if (osip_uri_to_str(url, &m->caller_uri) != OSIP_SUCCESS)
		m->caller_uri = NULL;
	m->f.caller_uri = m->caller_uri;
	return STIR_OK;
}

int
sipmsg_parse(const char *buf, size_t len, unsigned max_headers, bool truncated,
    struct sipmsg **ret_msg, const char **ret_why)
{
	struct sipmsg *m = NULL;
	osip_via_t *via = NULL;
	osip_generic_param_t *br = NULL;
	size_t hlen;
	int r;

	*ret_why = NULL;
	hlen = header_end(buf, len);
	if (count_lines(buf, hlen != 0 ? hlen : len) > (size_t)max_headers + 2) {
		*ret_why = "too many header lines";
		return STIR_ETOOBIG;
	}
	if (memchr(buf, '\0', hlen != 0 ? hlen : len) != NULL) {
		*ret_why = "NUL byte in the header";
		return STIR_EPROTO;
	}
	if ((m = calloc(1, sizeof(*m))) == NULL)
		return STIR_ENOMEM;
	if (osip_message_init(&m->msg) != OSIP_SUCCESS) {
		r = STIR_ENOMEM;
		goto out;
	}
	/* whole, body included (osip checks it against Content-Length);
	 * truncated: the header block alone, to answer a refused message */
	if (truncated && hlen == 0) {
		*ret_why = "no end of the header";
		r = STIR_EPROTO;
		goto out;
	}
	if (osip_message_parse(m->msg, buf, truncated ? hlen : len) != OSIP_SUCCESS) {
		*ret_why = "not a SIP message, or its body does not fit its Content-Length or type";
		r = STIR_EPROTO;
		goto out;
	}
	m->f.is_request = MSG_IS_REQUEST(m->msg);
	m->f.method = m->msg->sip_method;
	if (m->f.is_request && (m->msg->req_uri == NULL || m->f.method == NULL)) {
		*ret_why = "no request line";
		r = STIR_EPROTO;
		goto out;
	}
	if (m->msg->req_uri != NULL && osip_uri_to_str(m->msg->req_uri, &m->request_uri) != 0)
		m->request_uri = NULL;
	m->f.request_uri = m->request_uri;
	if (m->msg->from != NULL && osip_from_to_str(m->msg->from, &m->from) != 0)
		m->from = NULL;
	m->f.from = m->from;
	if (m->msg->to != NULL) {
		osip_generic_param_t *tag = NULL;
		char name[] = "tag";	/* osip takes no const */

		if (osip_to_to_str(m->msg->to, &m->to) != 0)
			m->to = NULL;
		if (osip_uri_param_get_byname(&m->msg->to->gen_params, name, &tag) ==
		    OSIP_SUCCESS && tag != NULL)
			m->f.to_tag = tag->gvalue;
	}
	m->f.to = m->to;
	if (m->msg->call_id != NULL && m->msg->call_id->number != NULL &&
	    osip_call_id_to_str(m->msg->call_id, &m->call_id) == OSIP_SUCCESS)
		m->f.call_id = m->call_id;
	if (m->msg->cseq != NULL) {
		m->f.cseq_num = m->msg->cseq->number;
		m->f.cseq_method = m->msg->cseq->method;
	}
	if (osip_message_get_via(m->msg, 0, &via) >= 0 && via != NULL) {
		char name[] = "branch";

		if (osip_uri_param_get_byname(&via->via_params, name, &br) == OSIP_SUCCESS &&
		    br != NULL)
			m->f.branch = br->gvalue;
	}
	m->f.pai = first_value(m->msg, "p-asserted-identity");
	m->f.date = first_value(m->msg, "date");
	if ((r = join_values(m->msg, "history-info", &m->history_info)) != STIR_OK ||
	    (r = join_values(m->msg, "diversion", &m->diversion)) != STIR_OK) {
		*ret_why = "History-Info or Diversion too long";
		goto out;
	}
	m->f.history_info = m->history_info;
	m->f.diversion = m->diversion;
	collect_identity(m);
	if ((r = collect_caller(m)) != STIR_OK)
		goto out;
	*ret_msg = m;
	m = NULL;
	r = STIR_OK;
 out:
	sipmsg_free(m);
	return r;
}

bool
sipmsg_check(const struct sipmsg *m, const char **ret_why)
{
	const struct sip_fields *f = &m->f;

	if (osip_list_size(&m->msg->vias) <= 0)
		*ret_why = "no Via";
	else if (f->from == NULL)
		*ret_why = "no From";
	else if (f->to == NULL)
		*ret_why = "no To";
	else if (f->call_id == NULL)
		*ret_why = "no Call-ID";
	else if (f->cseq_num == NULL || f->cseq_method == NULL)
		*ret_why = "no CSeq";
	else if (f->is_request && strcmp(f->cseq_method, f->method) != 0 &&
	    !(strcmp(f->method, "ACK") == 0 && strcmp(f->cseq_method, "INVITE") == 0))
		*ret_why = "CSeq method differs from the request's";
	else if (f->cseq_num[strspn(f->cseq_num, "0123456789")] != '\0' ||
	    strlen(f->cseq_num) > 10)
		*ret_why = "bad CSeq number";
	else
		return true;
	return false;
}

int
sipmsg_respond(const struct sipmsg *m, int code, const char *phrase, const char *to_tag,
    const struct sip_hdr *hdrs, size_t nhdrs, char **ret_text, size_t *ret_len)
{
	osip_message_t *resp = NULL;
	char *text = NULL;
	size_t len = 0;
	int r = STIR_ENOMEM;

	if (osip_message_init(&resp) != OSIP_SUCCESS)
		return STIR_ENOMEM;
	osip_message_set_version(resp, osip_strdup("SIP/2.0"));
	osip_message_set_status_code(resp, code);
	osip_message_set_reason_phrase(resp, osip_strdup(phrase));
	if (resp->sip_version == NULL || resp->reason_phrase == NULL)
		goto out;
	if (osip_list_clone(&m->msg->vias, &resp->vias,
	    (int (*)(void *, void **))&osip_via_clone) < 0)
		goto out;
	if (m->msg->from != NULL && osip_from_clone(m->msg->from, &resp->from) != OSIP_SUCCESS)
		goto out;
	if (m->msg->to != NULL) {
		if (osip_to_clone(m->msg->to, &resp->to) != OSIP_SUCCESS)
			goto out;
		if (m->f.to_tag == NULL && to_tag != NULL &&
		    osip_to_set_tag(resp->to, osip_strdup(to_tag)) != OSIP_SUCCESS)
			goto out;
	}
	if (m->msg->call_id != NULL &&
	    osip_call_id_clone(m->msg->call_id, &resp->call_id) != OSIP_SUCCESS)
		goto out;
	if (m->msg->cseq != NULL && osip_cseq_clone(m->msg->cseq, &resp->cseq) != OSIP_SUCCESS)
		goto out;
	for (size_t i = 0; i < nhdrs; i++)
		if (osip_message_set_header(resp, hdrs[i].name, hdrs[i].value) != OSIP_SUCCESS) {
			r = STIR_EINVAL;
			goto out;
		}
	if (osip_message_set_content_length(resp, "0") != OSIP_SUCCESS)
		goto out;
	if (osip_message_to_str(resp, &text, &len) != OSIP_SUCCESS) {
		r = STIR_EINVAL;
		goto out;
	}
	*ret_text = text;
	*ret_len = len;
	r = STIR_OK;
 out:
	osip_message_free(resp);
	return r;
}

int
sipmsg_uri_add_param(const char *nameaddr, const char *name, const char *value,
    char **ret_value)
{
	osip_from_t *na = NULL;
	char *s = NULL;
	int r = STIR_EINVAL;

	if (osip_from_init(&na) != OSIP_SUCCESS)
		return STIR_ENOMEM;
	if (osip_from_parse(na, nameaddr) != OSIP_SUCCESS || na->url == NULL)
		goto out;
	if (na->url->string != NULL) {
		/* tel: and other non-SIP schemes are kept as one string */
		size_t n = strlen(na->url->string) + strlen(name) + strlen(value) + 3;
		char *t = osip_malloc(n);

		if (t == NULL) {
			r = STIR_ENOMEM;
			goto out;
		}
		snprintf(t, n, "%s;%s=%s", na->url->string, name, value);
		osip_free(na->url->string);
		na->url->string = t;
	} else if (osip_uri_uparam_add(na->url, osip_strdup(name), osip_strdup(value)) !=
	    OSIP_SUCCESS)
		goto out;
	/* the header parameters (a From tag) do not belong in a PAI */
	osip_generic_param_freelist(&na->gen_params);
	if (osip_from_to_str(na, &s) != OSIP_SUCCESS)
		goto out;
	*ret_value = s;
	r = STIR_OK;
 out:
	osip_from_free(na);
	return r;
}
