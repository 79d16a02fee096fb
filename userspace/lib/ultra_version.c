// SPDX-License-Identifier: GPL-2.0
/*
 * Version strings: the tools' release and the loaded module's, formatted the
 * same way everywhere (ultractl, daemon logs).
 */
#include <errno.h>
#include <stdio.h>

#include "core/version.h"
#include "ultra.h"

const char *ultra_tool_version(void)
{
	return UV_RELEASE;
}

const char *ultra_virt_name(unsigned int virt)
{
	switch (virt) {
	case UV_VIRT_NONE:
		return "none";
	case UV_VIRT_SVM:
		return "AMD SVM";
	case UV_VIRT_VMX:
		return "Intel VMX";
	default:
		return "unknown";
	}
}

const char *ultra_virt_id(unsigned int virt)
{
	switch (virt) {
	case UV_VIRT_NONE:
		return "none";
	case UV_VIRT_SVM:
		return "svm";
	case UV_VIRT_VMX:
		return "vmx";
	default:
		return "unknown";
	}
}

int ultra_format_version(char *buf, size_t len, const struct uv_version *v)
{
	if (!buf || !v)
		return -EINVAL;
	return snprintf(buf, len, "%.*s (ABI %u.%u, %s, %u CPU%s)",
			(int)sizeof(v->module_version), v->module_version,
			v->abi_major, v->abi_minor, ultra_virt_name(v->virt),
			v->nr_cpus, v->nr_cpus == 1 ? "" : "s");
}
