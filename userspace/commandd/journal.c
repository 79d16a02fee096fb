// SPDX-License-Identifier: GPL-2.0
/*
 * The request journal: what the daemon needs beyond the database to survive its own
 * restart - which request ids it has answered (and the answer, for a client that
 * retries), and which one it was about to submit when it died.
 *
 * One small JSON file, rewritten whole on every change: written to "<path>.tmp",
 * fsync'd, renamed over the file, and the folder fsync'd, so after a crash the file
 * is either the old or the new journal, never a mix. It holds at most max_entries
 * entries; the oldest answered ones go first (a retry older than that is simply
 * executed again: names are unique, so a create cannot happen twice).
 *
 * An entry in flight also has the tag its transaction carries into the module's
 * log (uv_txn_hdr.tag): the journal counts tags from a random start, so no two of
 * its entries share one and a restart finds exactly its own transaction.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "commandd.h"

struct cmdd_journal {
	char *path;
	u32 max;
	u64 next_tag;		/* 0: not drawn yet */
	u32 n, cap;
	struct cmdd_jentry *ent;
};

static void entry_free(struct cmdd_jentry *x)
{
	free(x->response);
	x->response = NULL;
}

void cmdd_journal_close(struct cmdd_journal *j)
{
	u32 i;

	if (!j)
		return;
	for (i = 0; i < j->n; i++)
		entry_free(&j->ent[i]);
	free(j->ent);
	free(j->path);
	free(j);
}

static int push(struct cmdd_journal *j, const struct cmdd_jentry *x)
{
	if (j->n == j->cap) {
		u32 cap = j->cap ? 2 * j->cap : 32;
		struct cmdd_jentry *n = realloc(j->ent, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		j->ent = n;
		j->cap = cap;
	}
	j->ent[j->n++] = *x;
	return 0;
}

/* An optional string field into dst: 0 (absent or copied), -1 (not a string, too long). */
static int jstr(json_object *o, const char *key, char *dst, size_t size)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		return 0;
	if (!json_object_is_type(v, json_type_string) || strlen(json_object_get_string(v)) >= size)
		return -1;
	memcpy(dst, json_object_get_string(v), strlen(json_object_get_string(v)) + 1);
	return 0;
}

/* A create's channels ("channels": [{"type", "pages", "server"}]): 0, or -1 if malformed. */
static int jchannels(json_object *o, struct cmdd_jentry *x)
{
	json_object *arr;
	size_t i;

	if (!json_object_object_get_ex(o, "channels", &arr))
		return 0;
	if (!json_object_is_type(arr, json_type_array) ||
	    json_object_array_length(arr) > CMDD_MAX_CHANNELS)
		return -1;
	for (i = 0; i < json_object_array_length(arr); i++) {
		struct cmdd_channel_spec *ch = &x->channels[i];
		json_object *c = json_object_array_get_idx(arr, i), *v;
		int64_t n;

		if (!json_object_is_type(c, json_type_object) ||
		    !json_object_object_get_ex(c, "type", &v) || !json_object_is_type(v, json_type_int))
			return -1;
		n = json_object_get_int64(v);
		if (n < 1 || n > 0xffff)
			return -1;
		ch->type = (u32)n;
		if (!json_object_object_get_ex(c, "pages", &v) || !json_object_is_type(v, json_type_int))
			return -1;
		n = json_object_get_int64(v);
		if (n < 1 || n > CMDD_CHANNEL_MAX_PAGES)
			return -1;
		ch->pages = (u32)n;
		if (jstr(c, "server", ch->server, sizeof(ch->server)))
			return -1;
	}
	x->nr_channels = (u32)i;
	return 0;
}

static int load_entry(struct cmdd_journal *j, json_object *o, struct ultra_err *e)
{
	json_object *id, *op, *st, *fp, *seq, *name, *resp, *img, *tag;
	struct cmdd_jentry x;
	enum cmdd_op opv;

	memset(&x, 0, sizeof(x));
	if (!json_object_object_get_ex(o, "id", &id) || !json_object_object_get_ex(o, "op", &op) ||
	    !json_object_object_get_ex(o, "state", &st) ||
	    !json_object_object_get_ex(o, "fingerprint", &fp) ||
	    !json_object_object_get_ex(o, "seq", &seq) ||
	    !json_object_object_get_ex(o, "name", &name) ||
	    !cmdapi_id_valid(json_object_get_string(id)) ||
	    cmdd_op_by_name(json_object_get_string(op), &opv) ||
	    !json_object_is_type(seq, json_type_int) || !json_object_is_type(fp, json_type_string) ||
	    !json_object_is_type(name, json_type_string) ||
	    strlen(json_object_get_string(name)) >= UV_NAME_LEN)
		return ultra_err_set(e, EUCLEAN, "journal %s: malformed entry", j->path);
	memcpy(x.id, json_object_get_string(id), strlen(json_object_get_string(id)) + 1);
	x.op = opv;
	x.fingerprint = strtoull(json_object_get_string(fp), NULL, 16);
	x.seq = (u64)json_object_get_int64(seq);
	memcpy(x.name, json_object_get_string(name), strlen(json_object_get_string(name)) + 1);
	if (json_object_object_get_ex(o, "image", &img)) {
		if (!json_object_is_type(img, json_type_string) ||
		    strlen(json_object_get_string(img)) >= sizeof(x.image))
			return ultra_err_set(e, EUCLEAN, "journal %s: entry '%s' has a bad image",
					     j->path, x.id);
		memcpy(x.image, json_object_get_string(img), strlen(json_object_get_string(img)) + 1);
	}
	if (jstr(o, "initrd", x.initrd, sizeof(x.initrd)) ||
	    jstr(o, "cmdline", x.cmdline, sizeof(x.cmdline)))
		return ultra_err_set(e, EUCLEAN, "journal %s: entry '%s' has a bad initrd or cmdline",
				     j->path, x.id);
	if (jchannels(o, &x))
		return ultra_err_set(e, EUCLEAN, "journal %s: entry '%s' has bad channels", j->path,
				     x.id);
	if (json_object_object_get_ex(o, "tag", &tag)) {
		if (!json_object_is_type(tag, json_type_string))
			return ultra_err_set(e, EUCLEAN, "journal %s: entry '%s' has a bad tag",
					     j->path, x.id);
		x.tag = strtoull(json_object_get_string(tag), NULL, 16);
	}
	if (!strcmp(json_object_get_string(st), "inflight")) {
		x.state = CMDD_J_INFLIGHT;
	} else if (!strcmp(json_object_get_string(st), "done") &&
		   json_object_object_get_ex(o, "response", &resp) &&
		   json_object_is_type(resp, json_type_object)) {
		x.state = CMDD_J_DONE;
		x.response = strdup(json_object_to_json_string_ext(resp, JSON_C_TO_STRING_PLAIN));
		if (!x.response)
			return ultra_err_set(e, ENOMEM, "out of memory");
	} else {
		return ultra_err_set(e, EUCLEAN, "journal %s: entry '%s' has a bad state", j->path,
				     x.id);
	}
	if (push(j, &x)) {
		entry_free(&x);
		return ultra_err_set(e, ENOMEM, "out of memory");
	}
	return 0;
}

static int load(struct cmdd_journal *j, struct ultra_err *e)
{
	json_object *o, *v = NULL, *ents = NULL, *nt;
	size_t i;
	int ret = 0;

	if (access(j->path, F_OK) && errno == ENOENT)
		return 0;
	o = json_object_from_file(j->path);
	if (!o)
		return ultra_err_set(e, EUCLEAN, "journal %s is unreadable or not JSON: %s", j->path,
				     json_util_get_last_err() ? json_util_get_last_err() : "");
	if (!json_object_object_get_ex(o, "version", &v) || json_object_get_int(v) != 1 ||
	    !json_object_object_get_ex(o, "entries", &ents) ||
	    !json_object_is_type(ents, json_type_array))
		ret = ultra_err_set(e, EUCLEAN, "journal %s: not a version 1 journal", j->path);
	if (!ret && json_object_object_get_ex(o, "next_tag", &nt))
		j->next_tag = strtoull(json_object_get_string(nt), NULL, 16);
	for (i = 0; !ret && i < json_object_array_length(ents); i++)
		ret = load_entry(j, json_object_array_get_idx(ents, i), e);
	json_object_put(o);
	return ret;
}

int cmdd_journal_open(const char *path, u32 max_entries, struct cmdd_journal **out,
		      struct ultra_err *e)
{
	struct cmdd_journal *j = calloc(1, sizeof(*j));

	*out = NULL;
	if (!j)
		return ultra_err_set(e, ENOMEM, "out of memory");
	j->max = max_entries ? max_entries : CMDD_JOURNAL_MAX;
	if (path) {
		j->path = strdup(path);
		if (!j->path) {
			free(j);
			return ultra_err_set(e, ENOMEM, "out of memory");
		}
		int ret = load(j, e);

		if (ret) {
			cmdd_journal_close(j);
			return ret;
		}
	}
	*out = j;
	return 0;
}

static json_object *entry_json(const struct cmdd_jentry *x)
{
	json_object *o = json_object_new_object();
	char fp[20];

	if (!o)
		return NULL;
	snprintf(fp, sizeof(fp), "%016llx", (unsigned long long)x->fingerprint);
	json_object_object_add(o, "id", json_object_new_string(x->id));
	json_object_object_add(o, "op", json_object_new_string(cmdd_op_name(x->op)));
	json_object_object_add(o, "state", json_object_new_string(x->state == CMDD_J_DONE ?
								  "done" : "inflight"));
	json_object_object_add(o, "fingerprint", json_object_new_string(fp));
	json_object_object_add(o, "seq", json_object_new_int64((int64_t)x->seq));
	if (x->tag) {
		snprintf(fp, sizeof(fp), "%016llx", (unsigned long long)x->tag);
		json_object_object_add(o, "tag", json_object_new_string(fp));
	}
	json_object_object_add(o, "name", json_object_new_string(x->name));
	if (x->image[0])
		json_object_object_add(o, "image", json_object_new_string(x->image));
	if (x->initrd[0])
		json_object_object_add(o, "initrd", json_object_new_string(x->initrd));
	if (x->cmdline[0])
		json_object_object_add(o, "cmdline", json_object_new_string(x->cmdline));
	if (x->nr_channels) {
		json_object *arr = json_object_new_array();
		u32 i;

		for (i = 0; arr && i < x->nr_channels && i < CMDD_MAX_CHANNELS; i++) {
			json_object *c = json_object_new_object();

			json_object_object_add(c, "type", json_object_new_int64(x->channels[i].type));
			json_object_object_add(c, "pages",
					       json_object_new_int64(x->channels[i].pages));
			if (x->channels[i].server[0])
				json_object_object_add(c, "server",
						       json_object_new_string(x->channels[i].server));
			json_object_array_add(arr, c);
		}
		json_object_object_add(o, "channels", arr);
	}
	if (x->state == CMDD_J_DONE && x->response)
		json_object_object_add(o, "response", json_tokener_parse(x->response));
	return o;
}

static int write_all(int fd, const char *s, size_t n)
{
	while (n) {
		ssize_t w = write(fd, s, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

static int save(struct cmdd_journal *j, struct ultra_err *e)
{
	json_object *o, *ents;
	const char *text;
	char *tmp, *dir;
	int fd, dfd, err = 0;
	u32 i;

	if (!j->path)
		return 0;
	o = json_object_new_object();
	ents = json_object_new_array();
	if (!o || !ents) {
		json_object_put(o);
		json_object_put(ents);
		return ultra_err_set(e, ENOMEM, "out of memory");
	}
	json_object_object_add(o, "version", json_object_new_int(1));
	if (j->next_tag) {
		char nt[20];

		snprintf(nt, sizeof(nt), "%016llx", (unsigned long long)j->next_tag);
		json_object_object_add(o, "next_tag", json_object_new_string(nt));
	}
	for (i = 0; i < j->n; i++)
		json_object_array_add(ents, entry_json(&j->ent[i]));
	json_object_object_add(o, "entries", ents);
	text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	if (asprintf(&tmp, "%s.tmp", j->path) < 0) {
		json_object_put(o);
		return ultra_err_set(e, ENOMEM, "out of memory");
	}
	errno = 0;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write_all(fd, text, strlen(text)) || write_all(fd, "\n", 1) || fsync(fd))
		err = errno ? errno : EIO;
	if (fd >= 0 && close(fd) && !err)
		err = errno;
	if (!err && rename(tmp, j->path))
		err = errno;
	json_object_put(o);
	if (err) {
		unlink(tmp);
		free(tmp);
		return ultra_err_set(e, err, "writing the journal %s: %s", j->path, strerror(err));
	}
	/* the rename itself must reach the disk */
	dir = dirname(tmp);
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		if (fsync(dfd))
			err = errno;
		close(dfd);
	}
	free(tmp);
	if (err)
		return ultra_err_set(e, err, "syncing the journal's folder: %s", strerror(err));
	return 0;
}

static int index_of(const struct cmdd_journal *j, const char *id)
{
	u32 i;

	for (i = 0; i < j->n; i++)
		if (!strcmp(j->ent[i].id, id))
			return (int)i;
	return -1;
}

const struct cmdd_jentry *cmdd_journal_find(const struct cmdd_journal *j, const char *id)
{
	int i = index_of(j, id);

	return i < 0 ? NULL : &j->ent[i];
}

u32 cmdd_journal_count(const struct cmdd_journal *j)
{
	return j->n;
}

const struct cmdd_jentry *cmdd_journal_entry(const struct cmdd_journal *j, u32 i)
{
	return i < j->n ? &j->ent[i] : NULL;
}

static void remove_at(struct cmdd_journal *j, u32 i)
{
	entry_free(&j->ent[i]);
	memmove(&j->ent[i], &j->ent[i + 1], (j->n - i - 1) * sizeof(j->ent[0]));
	j->n--;
}

u64 cmdd_journal_new_tag(struct cmdd_journal *j)
{
	/* a random start: a journal deleted and begun again does not repeat itself */
	if (!j->next_tag &&
	    getrandom(&j->next_tag, sizeof(j->next_tag), 0) != sizeof(j->next_tag))
		j->next_tag = (u64)time(NULL) << 20 ^ (u64)getpid();
	if (!j->next_tag)
		j->next_tag = 1;
	return j->next_tag++;
}

int cmdd_journal_begin(struct cmdd_journal *j, const struct cmdd_jentry *in,
		       struct ultra_err *e)
{
	struct cmdd_jentry x = *in;
	int i = index_of(j, in->id);
	u32 k;

	if (i >= 0)
		remove_at(j, (u32)i);
	/* make room: the oldest answered entries go */
	for (k = 0; j->n >= j->max && k < j->n;) {
		if (j->ent[k].state == CMDD_J_DONE)
			remove_at(j, k);
		else
			k++;
	}
	x.state = CMDD_J_INFLIGHT;
	x.response = NULL;
	if (push(j, &x))
		return ultra_err_set(e, ENOMEM, "out of memory");
	return save(j, e);
}

int cmdd_journal_finish(struct cmdd_journal *j, const char *id, const char *response,
			struct ultra_err *e)
{
	int i = index_of(j, id);
	char *r;

	if (i < 0)
		return ultra_err_set(e, ENOENT, "journal: no entry '%s'", id);
	r = strdup(response);
	if (!r)
		return ultra_err_set(e, ENOMEM, "out of memory");
	entry_free(&j->ent[i]);
	j->ent[i].response = r;
	j->ent[i].state = CMDD_J_DONE;
	return save(j, e);
}

int cmdd_journal_forget(struct cmdd_journal *j, const char *id, struct ultra_err *e)
{
	int i = index_of(j, id);

	if (i < 0)
		return 0;
	remove_at(j, (u32)i);
	return save(j, e);
}
