/* op_common.c: what several op families share (ops.h). */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "stirclient.h"
#include "daemon/base/conf.h"
#include "daemon/base/log.h"
#include "daemon/core/server.h"
#include "daemon/ops/ops.h"
#include "daemon/pki/cert.h"
#include "daemon/sign/creds.h"
#include "daemon/stir/tnspec.h"
#include "daemon/stir/url.h"
#include "daemon/store/store.h"

void
stir_op_install_done(struct stir_req *req, struct stir_state_parts *parts, json_t **out)
{
	if (stir_server_install(req->conn->srv, parts) != STIR_OK)
		log_err("%s: the reloaded tables could not be installed (out of memory)",
		    req->op->schema->name);
	if (req->err == STIR_OK) {
		req->result = *out != NULL ? *out : json_object();
		*out = NULL;
	}
}
int
stir_op_check_x5u(const struct stir_config *cfg, const char *u, char *msg, size_t msglen)
{
	switch (stir_url_check_x5u(u, cfg->x5u_allow_http)) {
	case STIR_URL_OK:
		return STIR_OK;
	case STIR_URL_TOO_LONG:
		snprintf(msg, msglen, "field 'x5u' is longer than %d bytes", STIR_X5U_MAX);
		break;
	case STIR_URL_BAD_SCHEME:
		snprintf(msg, msglen, "field 'x5u' must be an https:// URL%s",
		    cfg->x5u_allow_http ? " or http:// URL" : "");
		break;
	case STIR_URL_BAD_CHAR:
		snprintf(msg, msglen, "field 'x5u' has a character not allowed in an Identity info URI");
		break;
	case STIR_URL_NO_HOST:
	default:
		snprintf(msg, msglen, "field 'x5u' has no host");
		break;
	}
	return STIR_EINVAL;
}

int
stir_op_check_tns(const json_t *tns, char *msg, size_t msglen)
{
	json_t *v;
	size_t i;

	json_array_foreach(tns, i, v) {
		struct stir_tnspec sp;

		if (!json_is_string(v) || stir_tnspec_parse(json_string_value(v), &sp) != STIR_OK) {
			snprintf(msg, msglen, "field 'tns[%zu]' must be a number, a prefix ending in '*' or a range a-b of equal-length numbers",
			    i);
			return STIR_EINVAL;
		}
	}
	return STIR_OK;
}

int
stir_op_anchor_row(gnutls_x509_crt_t crt, int rcd, int64_t now, struct stir_trust_row *row,
    struct stir_cert_info *info)
{
	gnutls_datum_t one = { NULL, 0 };
	int r;

	if ((r = stir_cert_info(crt, info)) != STIR_OK ||
	    gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_PEM, &one) < 0)
		return STIR_ECERT;
	memset(row, 0, sizeof(*row));
	row->sha256 = info->sha256;
	row->subject = info->subject;
	row->pem = strndup((const char *)one.data, one.size);
	gnutls_free(one.data);
	row->not_after = info->not_after;
	row->rcd = rcd;
	row->added = now;
	return row->pem != NULL ? STIR_OK : STIR_ENOMEM;
}
