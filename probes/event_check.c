// SPDX-License-Identifier: GPL-2.0-only
#include "event_check.h"

#include <stddef.h>

const char *event_check(const struct aod_event *ev)
{
	if (ev->kind != AOD_EV_LATENCY && ev->kind != AOD_EV_ERROR)
		return "unknown kind";
	if (ev->command >= AOD_SMB2_NR_COMMANDS)
		return "command out of range";
	if (ev->err < 0)
		return "negative errno";
	if (ev->kind == AOD_EV_ERROR && ev->nt_status == 0 && ev->err == 0)
		return "error event without status or errno";
	return NULL;
}

void event_comm_sanitize(char comm[AOD_COMM_LEN])
{
	comm[AOD_COMM_LEN - 1] = '\0';
	for (size_t i = 0; i < AOD_COMM_LEN && comm[i]; i++)
		if ((unsigned char)comm[i] < 0x20 || (unsigned char)comm[i] > 0x7e)
			comm[i] = '?';
}
