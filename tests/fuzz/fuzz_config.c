/*
 * fuzz_config.c: stird.conf text through stir_config_parse(), the parser
 * stird --check-config, stird and stirctl share.  On success the values
 * must be within what stird.conf(5) allows; on failure the message must
 * name the file.
 */
#include "config.h"

#include <string.h>

#include "stirclient.h"
#include "daemon/base/conf.h"
#include "tests/fuzz/fuzz.h"

#define FUZZ_PATH	"fuzz.conf"

static void
check_path(const char *p, int optional)
{
	FUZZ_ASSERT(p != NULL);
	if (optional && p[0] == '\0')
		return;
	FUZZ_ASSERT(p[0] == '/');
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct stir_config *cfg = NULL;
	char err[512];
	int r;

	if (size > STIR_CONFIG_MAX_BYTES)
		return 0;
	err[0] = '\0';
	r = stir_config_parse(FUZZ_PATH, (const char *)data, size, &cfg, err,
	    sizeof(err));
	FUZZ_ASSERT(r == STIR_OK || r == STIR_EINVAL || r == STIR_ENOMEM);
	if (r != STIR_OK) {
		FUZZ_ASSERT(cfg == NULL);
		FUZZ_ASSERT(FUZZ_IS_CSTR(err, sizeof(err)));
		if (r == STIR_EINVAL)
			FUZZ_ASSERT(strncmp(err, FUZZ_PATH ":",
			    strlen(FUZZ_PATH ":")) == 0);
		return 0;
	}
	FUZZ_ASSERT(cfg != NULL && strcmp(cfg->path, FUZZ_PATH) == 0);
	check_path(cfg->socket, 0);
	check_path(cfg->admin_socket, 0);
	FUZZ_ASSERT(strcmp(cfg->socket, cfg->admin_socket) != 0);
	check_path(cfg->database, 0);
	check_path(cfg->key_dir, 0);
	check_path(cfg->x5u_ca_file, 1);
	check_path(cfg->pkcs11_module, 1);
	FUZZ_ASSERT(cfg->sign_group && cfg->verify_group && cfg->admin_group);
	FUZZ_ASSERT(cfg->socket_mode <= 0777 && cfg->admin_socket_mode <= 0777);
	FUZZ_ASSERT(cfg->fetch_timeout_ms >= 100 && cfg->fetch_timeout_ms <= 60000);
	FUZZ_ASSERT(cfg->iat_window >= 1 && cfg->iat_window <= 86400);
	FUZZ_ASSERT(cfg->max_request_bytes >= 1024);
	FUZZ_ASSERT(cfg->threads <= 128);
	FUZZ_ASSERT(cfg->max_connections >= 1 && cfg->max_conn_per_uid >= 1);
	FUZZ_ASSERT(cfg->max_inflight >= 1 && cfg->max_inflight <= 4096);
	FUZZ_ASSERT(cfg->log_level >= 3 && cfg->log_level <= 7);
	stir_config_free(cfg);
	return 0;
}
