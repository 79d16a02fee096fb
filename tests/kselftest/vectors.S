/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The resource database's test vectors (tests/vectors/*.txt), embedded as
 * read-only data: uv_vec_NAME .. uv_vec_NAME_end.
 */
#include <linux/linkage.h>

#define UV_VECTOR(name, file)		\
	.balign 8;			\
	SYM_DATA_START(uv_vec_##name)	\
	.incbin file;			\
	SYM_DATA_END_LABEL(uv_vec_##name, SYM_L_GLOBAL, uv_vec_##name##_end)

	.section .rodata, "a"
UV_VECTOR(figure8, "vectors/figure8.txt")
UV_VECTOR(seed_logs, "vectors/seed_logs.txt")
UV_VECTOR(hosted, "vectors/hosted.txt")
UV_VECTOR(processors_channels, "vectors/processors_channels.txt")
