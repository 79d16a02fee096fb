// SPDX-License-Identifier: GPL-2.0
/*
 * Test vector runner: the seed's logs in text form with '@' directives (text.h).
 * Freestanding so that the module can run the very same vectors in kernel context
 * (make vmtest) as the userspace unit tests do.
 */
#include "resdb/text.h"
#include "resdb/internal.h"

static int verr(struct resdb_vector_env *env, u32 line, const char *a, const char *b)
{
	u32 n = 0;

	env->err.line = line;
	env->err.col = 1;
	while (a && *a && n < sizeof(env->err.msg) - 1)
		env->err.msg[n++] = *a++;
	if (b && n < sizeof(env->err.msg) - 3) {
		env->err.msg[n++] = ':';
		env->err.msg[n++] = ' ';
	}
	while (b && *b && n < sizeof(env->err.msg) - 1)
		env->err.msg[n++] = *b++;
	env->err.msg[n] = 0;
	return -RESDB_EMISMATCH;
}

struct args {
	const char *s;
	u64 len, pos;
};

static bool arg(struct args *a, const char *key)
{
	u64 n = strlen(key);

	while (a->pos < a->len && a->s[a->pos] == ' ')
		a->pos++;
	if (a->len - a->pos < n || memcmp(a->s + a->pos, key, n))
		return false;
	a->pos += n;
	return true;
}

static bool num(struct args *a, u64 *v)
{
	bool any = false;

	*v = 0;
	while (a->pos < a->len && a->s[a->pos] >= '0' && a->s[a->pos] <= '9') {
		if (*v > 0xffffffffffull)
			return false;
		*v = *v * 10 + (u64)(a->s[a->pos++] - '0');
		any = true;
	}
	return any;
}

/* @format host=64G order=3 region=0,1 [owner=host] [with-host] */
static int do_format(struct resdb *db, struct resdb_vector_env *env, u32 line, struct args *a)
{
	struct resdb_format f = { 0 };
	u64 v, g, m;
	int ret;

	while (a->pos < a->len) {
		if (arg(a, "host=") && num(a, &v)) {
			static const char units[] = "KMGTP";
			u32 u;

			for (u = 0; units[u] && (a->pos >= a->len || a->s[a->pos] != units[u]); u++)
				;
			if (!units[u])
				return verr(env, line, "@format: host= needs a unit", "KMGTP");
			a->pos++;
			f.host_pages = (v << (10 * (u + 1))) >> 12;
		} else if (arg(a, "order=") && num(a, &v) && v <= RESDB_SCALE_MAX) {
			f.order = (u32)v;
		} else if (arg(a, "region=") && num(a, &g) && arg(a, ",") && num(a, &m) &&
			   g < 1024 && m < 1024) {
			f.region = g << 10 | m;
		} else if (arg(a, "owner=host")) {
			f.owner = RESDB_FORMAT_HOST;
		} else if (arg(a, "with-host")) {
			f.with_host = true;
		} else {
			while (a->pos < a->len && a->s[a->pos] == ' ')
				a->pos++;
			if (a->pos < a->len)
				return verr(env, line, "@format: bad argument", NULL);
		}
	}
	ret = resdb_format(db, &f);
	return ret ? verr(env, line, "@format", resdb_strerror(ret)) : 0;
}

static int do_expect(struct resdb *db, struct resdb_vector_env *env, u32 line, struct args *a)
{
	const char *want;
	u64 n;
	int got;

	while (a->pos < a->len && a->s[a->pos] == ' ')
		a->pos++;
	want = a->s + a->pos;
	n = a->len - a->pos;
	while (n && want[n - 1] == ' ')
		n--;
	if (n > 4 && !memcmp(want, "Map[", 4)) {
		struct args b = { .s = want, .len = n, .pos = 4 };
		u64 g, m, k;

		if (!num(&b, &g) || !arg(&b, ",") || !num(&b, &m) || !arg(&b, ",") ||
		    !num(&b, &k) || !arg(&b, "]") || g > 1023 || m > 1023 || k > 1023)
			return verr(env, line, "@expect: bad Map[G,M,K]", NULL);
		got = resdb_dump_page(db, (u32)(g << 20 | m << 10 | k), env->line,
				      env->line_len);
	} else if (n > 7 && !memcmp(want, "UVIndex", 7)) {
		got = resdb_dump_uv_index(db, env->line, env->line_len);
	} else {
		return verr(env, line, "@expect: Map[...] or UVIndex expected", NULL);
	}
	if (got < 0)
		return verr(env, line, "@expect: dump failed", resdb_strerror(got));
	env->expects++;
	if ((u64)got != n || memcmp(env->line, want, n))
		return verr(env, line, "@expect: dump differs, got", env->line);
	return 0;
}

static int do_check(struct resdb *db, struct resdb_vector_env *env, u32 line)
{
	struct resdb_check_report rep;
	int ret = resdb_check(db, env->scratch, env->scratch_len, &rep);

	env->expects++;
	return ret ? verr(env, line, "@check", ret == -RESDB_ECORRUPT ? rep.msg :
			  resdb_strerror(ret)) : 0;
}

static int do_apply(struct resdb *db, struct resdb_vector_env *env, u32 nr)
{
	if (env->apply)
		return env->apply(env->ctx, db, env->steps, nr);
	return resdb_apply(db, env->steps, nr);
}

int resdb_vector_run(struct resdb *db, const char *text, u64 len,
		     struct resdb_vector_env *env)
{
	struct resdb_text t;
	struct resdb_text_item it;
	bool open = false;
	int want_fail = 0;
	u32 nr = 0;
	int ret;

	resdb_text_init(&t, text, len);
	for (;;) {
		ret = resdb_text_next(&t, &it);
		if (ret) {
			env->err = t.err;
			return ret;
		}
		if (it.kind == RESDB_TEXT_END)
			break;
		if (it.kind == RESDB_TEXT_DIRECTIVE) {
			struct args a = { .s = it.text, .len = it.text_len };

			if (open)
				return verr(env, it.line, "directive inside a transaction", NULL);
			if (arg(&a, "format")) {
				ret = do_format(db, env, it.line, &a);
			} else if (arg(&a, "expect")) {
				ret = do_expect(db, env, it.line, &a);
			} else if (arg(&a, "check")) {
				ret = do_check(db, env, it.line);
			} else if (arg(&a, "fail ")) {
				want_fail = resdb_err_by_name(a.s + a.pos, a.len - a.pos);
				ret = want_fail > 0 ? 0 :
				      verr(env, it.line, "@fail: unknown error name", NULL);
			} else {
				ret = verr(env, it.line, "unknown directive", NULL);
			}
			if (ret)
				return ret;
			continue;
		}
		if (it.kind == RESDB_TEXT_BEGIN) {
			if (open)
				return verr(env, it.line, "Begin inside a transaction", NULL);
			open = true;
			nr = 0;
			continue;
		}
		if (!open)
			return verr(env, it.line, "outside a transaction", NULL);
		if (it.kind == RESDB_TEXT_STEP) {
			if (nr == RESDB_VECTOR_MAX_STEPS)
				return verr(env, it.line, "too many steps", NULL);
			env->steps[nr++] = it.step;
			continue;
		}
		open = false;
		if (it.kind == RESDB_TEXT_ABORT)
			continue;	/* an aborted transaction changes nothing */
		env->txns++;
		if (want_fail) {
			u64 before = resdb_image_hash(db);

			ret = do_apply(db, env, nr);
			if (ret != -want_fail)
				return verr(env, it.line, "expected failure, got",
					    resdb_strerror(ret));
			if (resdb_image_hash(db) != before)
				return verr(env, it.line, "failed transaction changed the image",
					    NULL);
			want_fail = 0;
			continue;
		}
		ret = do_apply(db, env, nr);
		if (ret)
			return verr(env, it.line, "transaction failed", resdb_strerror(ret));
	}
	if (open)
		return verr(env, t.line, "transaction not ended", NULL);
	return 0;
}
