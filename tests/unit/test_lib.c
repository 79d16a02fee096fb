// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of libultra (userspace/lib): errno names, error messages, the
 * device path override and the "module not loaded" path, version formatting,
 * the JSON shapes, and the uapi layout the module and tools share.
 * Runs anywhere: no ultravisor module is needed (nor ever loaded here).
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/version.h"
#include "ultra.h"
#include "ultra_json.h"

#define STR_(x) #x
#define STR(x) STR_(x)

#define NO_DEV "/nonexistent/ultravisor-test-dev"

/* ---- uapi layout: a change here breaks every binary in the field ---------------- */

START_TEST(test_uapi_layout)
{
	ck_assert_uint_eq(sizeof(struct uv_version), UV_VERSION_SIZE_VER0);
	ck_assert_uint_eq(sizeof(struct uv_version) % 8, 0);
	ck_assert_uint_eq(offsetof(struct uv_version, size), 0);
	ck_assert_uint_eq(offsetof(struct uv_version, abi_major), 4);
	ck_assert_uint_eq(offsetof(struct uv_version, abi_minor), 8);
	ck_assert_uint_eq(offsetof(struct uv_version, flags), 12);
	ck_assert_uint_eq(offsetof(struct uv_version, module_version), 16);
	ck_assert_uint_eq(offsetof(struct uv_version, virt), 48);
	ck_assert_uint_eq(offsetof(struct uv_version, nr_cpus), 52);
	ck_assert_uint_eq(offsetof(struct uv_version, reserved), 56);
	ck_assert_uint_eq(_IOC_TYPE(UV_IOC_VERSION), UV_IOCTL_MAGIC);
	ck_assert_uint_eq(_IOC_NR(UV_IOC_VERSION), 0);
	ck_assert_uint_eq(_IOC_SIZE(UV_IOC_VERSION), UV_VERSION_SIZE_VER0);
	ck_assert_uint_eq(_IOC_DIR(UV_IOC_VERSION), _IOC_READ | _IOC_WRITE);
	ck_assert_uint_eq(UV_ABI_VERSION, (UV_ABI_MAJOR << 16) | UV_ABI_MINOR);
}
END_TEST

/* The database ioctls (ABI 1.1): sizes, the first output field, numbers. */
#define CK_IOC(cmd, nr, ver0) do { \
	ck_assert_uint_eq(_IOC_TYPE(cmd), UV_IOCTL_MAGIC); \
	ck_assert_uint_eq(_IOC_NR(cmd), (nr)); \
	ck_assert_uint_eq(_IOC_SIZE(cmd), (ver0)); \
	ck_assert_uint_eq(_IOC_DIR(cmd), _IOC_READ | _IOC_WRITE); \
} while (0)

START_TEST(test_uapi_db_layout)
{
	ck_assert_uint_eq(sizeof(struct uv_txn_submit), UV_TXN_SUBMIT_SIZE_VER0);
	ck_assert_uint_eq(offsetof(struct uv_txn_submit, txn), 8);
	ck_assert_uint_eq(offsetof(struct uv_txn_submit, log_seq), 24);
	ck_assert_uint_eq(offsetof(struct uv_txn_submit, message), 64);
	ck_assert_uint_eq(sizeof(struct uv_snapshot), UV_SNAPSHOT_SIZE_VER0);
	ck_assert_uint_eq(offsetof(struct uv_snapshot, len), 24);
	ck_assert_uint_eq(sizeof(struct uv_log_read), UV_LOG_READ_SIZE_VER0);
	ck_assert_uint_eq(offsetof(struct uv_log_read, len), 32);
	ck_assert_uint_eq(sizeof(struct uv_check), UV_CHECK_SIZE_VER0);
	ck_assert_uint_eq(offsetof(struct uv_check, message), 64);
	ck_assert_uint_eq(sizeof(struct uv_pool), UV_POOL_SIZE_VER0);
	ck_assert_uint_eq(offsetof(struct uv_pool, pool_bytes), 16);
	ck_assert_uint_eq(sizeof(struct uv_query), UV_QUERY_SIZE_VER0);
	ck_assert_uint_eq(offsetof(struct uv_query, count), 32);
	ck_assert_uint_eq(sizeof(struct uv_partition_info), 80);
	ck_assert_uint_eq(sizeof(struct uv_extent), 24);
	CK_IOC(UV_IOC_TXN_SUBMIT, 1, UV_TXN_SUBMIT_SIZE_VER0);
	CK_IOC(UV_IOC_SNAPSHOT, 2, UV_SNAPSHOT_SIZE_VER0);
	CK_IOC(UV_IOC_LOG_READ, 3, UV_LOG_READ_SIZE_VER0);
	CK_IOC(UV_IOC_CHECK, 4, UV_CHECK_SIZE_VER0);
	CK_IOC(UV_IOC_POOL_INFO, 5, UV_POOL_SIZE_VER0);
	CK_IOC(UV_IOC_POOL_RESIZE, 6, UV_POOL_SIZE_VER0);
	CK_IOC(UV_IOC_QUERY, 7, UV_QUERY_SIZE_VER0);
}
END_TEST

/* ---- errno names and error messages --------------------------------------------- */

START_TEST(test_errno_names)
{
	ck_assert_str_eq(ultra_errno_name(ENODEV), "ENODEV");
	ck_assert_str_eq(ultra_errno_name(ENOENT), "ENOENT");
	ck_assert_str_eq(ultra_errno_name(EBUSY), "EBUSY");
	ck_assert_str_eq(ultra_errno_name(ENOTTY), "ENOTTY");
	ck_assert_str_eq(ultra_errno_name(EFAULT), "EFAULT");
	ck_assert_str_eq(ultra_errno_name(-EINVAL), "EINVAL");
	ck_assert_str_eq(ultra_errno_name(9999), "E9999");
}
END_TEST

START_TEST(test_err_set_and_format)
{
	struct ultra_err e = { 0 };
	char buf[ULTRA_ERR_MSG_LEN + 32];

	ck_assert_str_eq(ultra_err_format(&e, buf, sizeof(buf)), "no error");
	ck_assert_int_eq(ultra_err_set(&e, ENODEV, "no %s here", "SVM"), -ENODEV);
	ck_assert_int_eq(e.err, ENODEV);
	ck_assert_str_eq(e.msg, "no SVM here");
	ck_assert_str_eq(ultra_err_format(&e, buf, sizeof(buf)), "no SVM here [ENODEV]");

	/* Negative errno in, positive stored, negative returned. */
	ck_assert_int_eq(ultra_err_set(&e, -EBUSY, "busy"), -EBUSY);
	ck_assert_int_eq(e.err, EBUSY);

	/* Without a message the errno's text stands in. */
	e.msg[0] = '\0';
	ck_assert_str_eq(ultra_err_format(&e, buf, sizeof(buf)),
			 "Device or resource busy [EBUSY]");

	ultra_err_clear(&e);
	ck_assert_int_eq(e.err, 0);
	ck_assert_str_eq(e.msg, "");

	/* A NULL struct still gives the return value. */
	ck_assert_int_eq(ultra_err_set(NULL, EIO, "x"), -EIO);
}
END_TEST

START_TEST(test_err_truncates)
{
	struct ultra_err e;
	char longer[ULTRA_ERR_MSG_LEN * 2];

	memset(&e, 0x55, sizeof(e));
	memset(longer, 'x', sizeof(longer) - 1);
	longer[sizeof(longer) - 1] = '\0';
	ultra_err_set(&e, EINVAL, "%s", longer);
	ck_assert_uint_eq(strlen(e.msg), ULTRA_ERR_MSG_LEN - 1);
}
END_TEST

START_TEST(test_err_print)
{
	struct ultra_err e = { 0 };
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	ck_assert_ptr_nonnull(f);
	ultra_err_set(&e, ENOENT, "ultravisor module not loaded");
	ultra_err_print(f, "ultractl", &e);
	ultra_err_print(f, NULL, &e);
	fclose(f);
	ck_assert_str_eq(out, "ultractl: ultravisor module not loaded [ENOENT]\n"
			      "ultravisor module not loaded [ENOENT]\n");
	free(out);
}
END_TEST

/* ---- device path and opening ------------------------------------------------------ */

START_TEST(test_dev_path)
{
	unsetenv(ULTRA_DEV_ENV);
	ck_assert_str_eq(ultra_dev_path(), "/dev/ultravisor");
	setenv(ULTRA_DEV_ENV, "", 1);
	ck_assert_str_eq(ultra_dev_path(), "/dev/ultravisor");
	setenv(ULTRA_DEV_ENV, "/tmp/uv", 1);
	ck_assert_str_eq(ultra_dev_path(), "/tmp/uv");
	unsetenv(ULTRA_DEV_ENV);
}
END_TEST

START_TEST(test_open_not_loaded_env)
{
	struct ultra_err e = { 0 };

	setenv(ULTRA_DEV_ENV, NO_DEV, 1);
	ck_assert_int_eq(ultra_open(NULL, &e), -ENOENT);
	ck_assert_int_eq(e.err, ENOENT);
	ck_assert_str_eq(e.msg, "ultravisor module not loaded (" NO_DEV
			 ": No such file or directory)");
	unsetenv(ULTRA_DEV_ENV);
}
END_TEST

START_TEST(test_open_not_loaded_arg)
{
	struct ultra_err e = { 0 };

	/* The argument wins over the environment. */
	setenv(ULTRA_DEV_ENV, "/dev/null", 1);
	ck_assert_int_eq(ultra_open(NO_DEV, &e), -ENOENT);
	ck_assert_str_eq(e.msg, "ultravisor module not loaded (" NO_DEV
			 ": No such file or directory)");
	unsetenv(ULTRA_DEV_ENV);
}
END_TEST

START_TEST(test_open_other_error)
{
	struct ultra_err e = { 0 };

	/* A directory can't be opened read-write: not "module not loaded". */
	ck_assert_int_eq(ultra_open_cmd("/", &e), -EISDIR);
	ck_assert_str_eq(e.msg, "cannot open /: Is a directory");
}
END_TEST

START_TEST(test_version_not_ultravisor)
{
	struct ultra_err e = { 0 };
	struct uv_version v;
	int fd = ultra_open("/dev/null", &e);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_ne(fcntl(fd, F_GETFD) & FD_CLOEXEC, 0);
	ck_assert_int_eq(ultra_get_version(fd, &v, &e), -ENOTTY);
	ck_assert_int_eq(e.err, ENOTTY);
	ck_assert_ptr_nonnull(strstr(e.msg, "not an ultravisor device"));
	ck_assert_int_eq(ultra_get_version(fd, NULL, &e), -EINVAL);
	close(fd);
	ck_assert_int_eq(ultra_get_version(-1, &v, &e), -EBADF);
}
END_TEST

/* ---- version formatting ----------------------------------------------------------- */

static struct uv_version sample_version(void)
{
	struct uv_version v = {
		.size = sizeof(v),
		.abi_major = 1,
		.abi_minor = 0,
		.virt = UV_VIRT_SVM,
		.nr_cpus = 2,
	};

	strcpy(v.module_version, "0.1.0");
	return v;
}

START_TEST(test_format_version)
{
	struct uv_version v = sample_version();
	char buf[128];

	ck_assert_int_eq(ultra_format_version(buf, sizeof(buf), &v),
			 (int)strlen("0.1.0 (ABI 1.0, AMD SVM, 2 CPUs)"));
	ck_assert_str_eq(buf, "0.1.0 (ABI 1.0, AMD SVM, 2 CPUs)");

	v.virt = UV_VIRT_VMX;
	v.nr_cpus = 1;
	v.abi_minor = 3;
	ultra_format_version(buf, sizeof(buf), &v);
	ck_assert_str_eq(buf, "0.1.0 (ABI 1.3, Intel VMX, 1 CPU)");

	/* Truncation is safe and reports the full length. */
	ck_assert_int_eq(ultra_format_version(buf, 6, &v),
			 (int)strlen("0.1.0 (ABI 1.3, Intel VMX, 1 CPU)"));
	ck_assert_str_eq(buf, "0.1.0");

	/* A module_version without NUL is read only up to its array size. */
	memset(v.module_version, 'a', sizeof(v.module_version));
	ultra_format_version(buf, sizeof(buf), &v);
	ck_assert_uint_eq(strchr(buf, ' ') - buf, sizeof(v.module_version));

	ck_assert_int_eq(ultra_format_version(buf, sizeof(buf), NULL), -EINVAL);
}
END_TEST

START_TEST(test_virt_names)
{
	ck_assert_str_eq(ultra_virt_name(UV_VIRT_SVM), "AMD SVM");
	ck_assert_str_eq(ultra_virt_name(UV_VIRT_VMX), "Intel VMX");
	ck_assert_str_eq(ultra_virt_name(UV_VIRT_NONE), "none");
	ck_assert_str_eq(ultra_virt_name(77), "unknown");
	ck_assert_str_eq(ultra_virt_id(UV_VIRT_SVM), "svm");
	ck_assert_str_eq(ultra_virt_id(UV_VIRT_VMX), "vmx");
	ck_assert_str_eq(ultra_virt_id(77), "unknown");
	ck_assert_str_eq(ultra_tool_version(), "0.1.0");
}
END_TEST

/* ---- JSON ------------------------------------------------------------------------- */

START_TEST(test_json_version)
{
	struct uv_version v = sample_version();
	json_object *o = ultra_json_version(&v);

	ck_assert_ptr_nonnull(o);
	ck_assert_str_eq(ultra_json_string(o, false),
			 "{\"version\":\"0.1.0\",\"abi\":\"1.0\",\"abi_major\":1,"
			 "\"abi_minor\":0,\"virt\":\"svm\",\"nr_cpus\":2,\"flags\":0}");
	json_object_put(o);
	ck_assert_ptr_null(ultra_json_version(NULL));
}
END_TEST

START_TEST(test_json_error)
{
	struct ultra_err e = { 0 };
	json_object *o;

	ultra_err_set(&e, ENOENT, "ultravisor module not loaded (/dev/ultravisor: \"x\")");
	o = ultra_json_error(&e);
	ck_assert_ptr_nonnull(o);
	/* Slashes stay as they are; quotes are escaped. */
	ck_assert_str_eq(ultra_json_string(o, false),
			 "{\"errno\":2,\"errno_name\":\"ENOENT\","
			 "\"message\":\"ultravisor module not loaded (/dev/ultravisor: \\\"x\\\")\"}");
	json_object_put(o);
}
END_TEST

START_TEST(test_json_tool_and_null)
{
	json_object *o = json_object_new_object();

	ck_assert_int_eq(ultra_json_add(o, "tool", ultra_json_tool("ultractl")), 0);
	ck_assert_int_eq(ultra_json_add(o, "module", NULL), 0);
	/* the ABI this tree was built with, so an ABI bump does not need this test edited */
	ck_assert_str_eq(ultra_json_string(o, false),
			 "{\"tool\":{\"name\":\"ultractl\",\"version\":\"" UV_RELEASE "\","
			 "\"abi\":\"" STR(UV_ABI_MAJOR) "." STR(UV_ABI_MINOR) "\"},"
			 "\"module\":null}");
	/* A NULL object frees the value it was given and says so. */
	ck_assert_int_eq(ultra_json_add(NULL, "x", json_object_new_int(1)), -EINVAL);
	json_object_put(o);
}
END_TEST

START_TEST(test_json_print_pretty)
{
	json_object *o = json_object_new_object();
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	ck_assert_ptr_nonnull(f);
	ultra_json_add(o, "a", json_object_new_int(1));
	ck_assert_int_eq(ultra_json_print(f, o, true), 0);
	ck_assert_int_eq(ultra_json_print(f, o, false), 0);
	fclose(f);
	ck_assert_str_eq(out, "{\n  \"a\": 1\n}\n{\"a\":1}\n");
	free(out);
	json_object_put(o);
}
END_TEST

static Suite *lib_suite(void)
{
	Suite *s = suite_create("libultra");
	TCase *tc;

	tc = tcase_create("uapi");
	tcase_add_test(tc, test_uapi_layout);
	tcase_add_test(tc, test_uapi_db_layout);
	suite_add_tcase(s, tc);

	tc = tcase_create("errors");
	tcase_add_test(tc, test_errno_names);
	tcase_add_test(tc, test_err_set_and_format);
	tcase_add_test(tc, test_err_truncates);
	tcase_add_test(tc, test_err_print);
	suite_add_tcase(s, tc);

	tc = tcase_create("device");
	tcase_add_test(tc, test_dev_path);
	tcase_add_test(tc, test_open_not_loaded_env);
	tcase_add_test(tc, test_open_not_loaded_arg);
	tcase_add_test(tc, test_open_other_error);
	tcase_add_test(tc, test_version_not_ultravisor);
	suite_add_tcase(s, tc);

	tc = tcase_create("version");
	tcase_add_test(tc, test_format_version);
	tcase_add_test(tc, test_virt_names);
	suite_add_tcase(s, tc);

	tc = tcase_create("json");
	tcase_add_test(tc, test_json_version);
	tcase_add_test(tc, test_json_error);
	tcase_add_test(tc, test_json_tool_and_null);
	tcase_add_test(tc, test_json_print_pretty);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(lib_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
