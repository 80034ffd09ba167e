/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Fuzz the control protocol decoders: request lines as a client may send
 * them to the daemon, and reply lines as reclaimctl reads them. A request
 * that decodes must survive a re-encode/decode round trip unchanged.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "ctl-proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctl_request req, again;
	struct ctl_reply reply;
	struct ctl_error e;
	int64_t id;
	char *line;

	if (size > CTL_REQUEST_MAX_BYTES)
		return 0;
	if (ctl_request_parse((const char *)data, size, &req, &id, &e) == 0) {
		if (id != req.id)
			abort();
		line = ctl_request_format(req.id, req.command->name, req.args);
		if (!line)
			abort();
		if (ctl_request_parse(line, strlen(line) - 1, &again, &id, &e) != 0 ||
		    again.command != req.command || again.id != req.id ||
		    !json_object_equal(again.args, req.args))
			abort();
		ctl_request_done(&again);
		free(line);
		ctl_request_done(&req);
	} else if (e.code >= 0 || strlen(e.message) == 0)
		abort();
	if (ctl_reply_parse((const char *)data, size, &reply, &e) == 0)
		ctl_reply_done(&reply);
	return 0;
}
