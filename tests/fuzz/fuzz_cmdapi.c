// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target over the command daemon's request parser and the client's
 * response checker. Any input may be refused, but with an errno and a message;
 * an accepted request must be fully valid (known op, valid id, values in range).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../userspace/commandd/commandd.h"
#include "cmdapi.h"

static void must(int cond, const char *what)
{
	if (!cond) {
		fprintf(stderr, "fuzz_cmdapi: %s\n", what);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cmdd_request req;
	struct ultra_err e = { 0 };
	json_object *o, *res = NULL;
	char *text;
	int ret;

	ret = cmdd_request_parse((const char *)data, size, &req, &e);
	if (ret) {
		must(ret < 0 && e.err == -ret && e.msg[0], "refusal without errno or message");
	} else {
		u32 i;

		must(req.op < CMDD_OP_MAX, "bad op accepted");
		must(cmdapi_id_valid(req.id), "bad id accepted");
		must(req.c.duty >= 1 && req.c.duty <= UV_SLOTS, "bad duty accepted");
		must(req.c.processors >= 1 && req.c.processors <= CMDD_MAX_VCPUS,
		     "bad processors accepted");
		must(req.c.memory % CMDD_MEM_UNIT == 0 && req.c.memory <= CMDD_MEM_MAX,
		     "bad memory accepted");
		must(req.c.nr_channels <= CMDD_MAX_CHANNELS, "too many channels accepted");
		for (i = 0; i < req.c.nr_channels; i++)
			must(req.c.channels[i].pages >= 1 &&
			     req.c.channels[i].pages <= CMDD_CHANNEL_MAX_PAGES, "bad channel accepted");
		must(strnlen(req.c.name, UV_NAME_LEN) < UV_NAME_LEN, "unterminated name");
	}
	/* the same bytes as a response the client must check */
	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = 0;
	o = json_tokener_parse(text);
	free(text);
	if (o) {
		ret = cmdapi_parse_response(o, NULL, &res, &e);
		must(ret <= 0, "positive return");
		must(!ret || (e.err > 0 && e.err <= 4095), "bad errno from a response");
		json_object_put(res);
		json_object_put(o);
	}
	return 0;
}
