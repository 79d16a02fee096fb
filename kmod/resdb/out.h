/* SPDX-License-Identifier: GPL-2.0 */
/* A bounded string builder for the text form and dumps (no snprintf here). */
#ifndef RESDB_OUT_H
#define RESDB_OUT_H

#include "resdb/compat.h"

struct resdb_out {
	char *buf;
	u64 len;		/* capacity, including the NUL */
	u64 pos;
	bool overflow;
};

void resdb_out_init(struct resdb_out *o, char *buf, u64 len);
void resdb_out_str(struct resdb_out *o, const char *s);
void resdb_out_u64(struct resdb_out *o, u64 v);
void resdb_out_number(struct resdb_out *o, u32 v);
/* Length written, or -RESDB_ENOSPC. */
int resdb_out_end(struct resdb_out *o);

#endif /* RESDB_OUT_H */
