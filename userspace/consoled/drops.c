// SPDX-License-Identifier: GPL-2.0
/*
 * Transmit drops: the guest's driver counts the bytes it gave up on because
 * transmitq0 stayed full (struct uv_console_config tx_drop_*); the server puts a
 * marker into the log at the place they are missing from, i.e. before the first
 * chain the guest queued after the drop. The words are the guest's: read once,
 * they only decide what a marker says.
 */
#include <string.h>

#include "consoled.h"

bool condrop_due(const struct condrop *d, uint32_t g_events, uint16_t g_at, uint32_t g_bytes,
		 uint16_t next, bool pending, uint32_t *bytes)
{
	if (g_events == d->events)
		return false;
	/* chains queued before the drop come first: (int16_t)(next - at) < 0 */
	if (pending && (uint16_t)(next - g_at) >= 0x8000)
		return false;
	*bytes = g_bytes >= d->bytes ? g_bytes - d->bytes : g_bytes;
	return true;
}

void condrop_done(struct condrop *d, uint32_t g_events, uint32_t g_bytes)
{
	d->events = g_events;
	d->bytes = g_bytes;
}
