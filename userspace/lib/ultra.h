/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libultra: the userspace side of /dev/ultravisor, shared by ultractl and the
 * daemons. Device access and ioctl wrappers (ultra_dev.c), error reporting with
 * errno names (ultra_err.c), version formatting (ultra_version.c); JSON output
 * helpers are in ultra_json.h.
 *
 * Functions that can fail return 0 or a negative errno and, when given a
 * struct ultra_err, fill it with the errno and a message meant for a human.
 */
#ifndef ULTRA_H
#define ULTRA_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include <linux/ultravisor.h>

/* Environment variable that overrides UV_DEVICE_PATH (tests, chroots). */
#define ULTRA_DEV_ENV		"ULTRAVISOR_DEV"

#define ULTRA_ERR_MSG_LEN	512

/**
 * struct ultra_err - an error with its errno and a human-readable message
 * @err:	positive errno value, 0 when no error was recorded
 * @msg:	what failed, e.g. "ultravisor module not loaded (/dev/ultravisor:
 *		No such file or directory)"
 */
struct ultra_err {
	int err;
	char msg[ULTRA_ERR_MSG_LEN];
};

/* ---- errors (ultra_err.c) -------------------------------------------------------- */

/* "ENODEV" for ENODEV; "E<number>" (in a static buffer per thread) if unknown. */
const char *ultra_errno_name(int errnum);

/* Record @errnum (positive or negative) and a printf-style message; returns -errnum. */
int ultra_err_set(struct ultra_err *e, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int ultra_err_vset(struct ultra_err *e, int errnum, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));
void ultra_err_clear(struct ultra_err *e);

/* "<msg> [ENODEV]" into @buf; returns @buf. */
const char *ultra_err_format(const struct ultra_err *e, char *buf, size_t len);

/* Print "<prog>: <msg> [ENODEV]\n" to @f. */
void ultra_err_print(FILE *f, const char *prog, const struct ultra_err *e);

/* ---- device and ioctls (ultra_dev.c) --------------------------------------------- */

/* $ULTRAVISOR_DEV if set and not empty, else UV_DEVICE_PATH. */
const char *ultra_dev_path(void);

/*
 * Open the ultravisor device (@path, or ultra_dev_path() when NULL) read-only,
 * close-on-exec: any number of such opens may exist; they get the read-only
 * ioctls. Returns the file descriptor, or a negative errno; a missing node
 * (ENOENT) or a node without a driver (ENXIO, ENODEV) is reported as
 * "ultravisor module not loaded (<path>: <strerror>)".
 */
int ultra_open(const char *path, struct ultra_err *e);

/*
 * The same, read-write: the caller becomes the holder of the command channel
 * (the only one allowed to submit transactions and resize the pool). EBUSY
 * when another process holds it.
 */
int ultra_open_cmd(const char *path, struct ultra_err *e);

/*
 * UV_IOC_VERSION on @fd. Fills @v (zeroed and sized by this function). Checks the
 * answer: a module size below UV_VERSION_SIZE_VER0 or another ABI major number
 * is -EPROTO. ENOTTY means @fd is not an ultravisor device.
 */
int ultra_get_version(int fd, struct uv_version *v, struct ultra_err *e);

/* ---- versions (ultra_version.c) -------------------------------------------------- */

/* The release of these tools (the same string as the module's, kmod/core/version.h). */
const char *ultra_tool_version(void);

/* "AMD SVM", "Intel VMX", "none" or "unknown". */
const char *ultra_virt_name(unsigned int virt);

/* "svm", "vmx", "none" or "unknown": for JSON and scripts. */
const char *ultra_virt_id(unsigned int virt);

/*
 * "0.1.0 (ABI 1.0, AMD SVM, 2 CPUs)". Returns the length snprintf() would
 * have written, or a negative errno (-EINVAL on a NULL argument).
 */
int ultra_format_version(char *buf, size_t len, const struct uv_version *v);

#endif /* ULTRA_H */
