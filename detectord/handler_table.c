// SPDX-License-Identifier: GPL-2.0-only
#include "handler.h"

extern const struct handler_ops handler_latency_ops;
extern const struct handler_ops handler_error_ops;

static const struct handler_ops *const handler_table[] = {
	&handler_latency_ops,
	&handler_error_ops,
};

const struct handler_ops *handler_lookup(enum aod_anomaly_type type)
{
	for (size_t i = 0; i < sizeof(handler_table) / sizeof(handler_table[0]); i++)
		if (handler_table[i]->type == type)
			return handler_table[i];
	return NULL;
}

uint8_t handler_kind_of_tool(enum aod_tool tool)
{
	switch (tool) {
	case AOD_TOOL_SMBSLOWER:
		return AOD_EV_LATENCY;
	case AOD_TOOL_SMBIOSNOOP:
		return AOD_EV_ERROR;
	}
	return 0;
}
