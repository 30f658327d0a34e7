/*
 * image.c: the compiled config.  `mailautoconf --compile` turns
 * providers.ini into providers.ini.cdb beside it; a process maps that file
 * and answers from it without parsing, so that one request costs the same
 * whatever the size of the config (the CGI case: a process per request).
 *
 * The table is a constant database (cdb, through tinycdb): a format that
 * Postfix, djbdns and qmail have used for decades, whose reader is a few
 * dozen lines that check every offset against the file size, and whose
 * lookup reads one slot of the 2 KiB header, one slot of a hash table
 * and the record: three pages whatever the number of keys.  A format of
 * our own would have needed the same hash table and the same checks,
 * written and fuzzed anew.  Keys:
 *
 *	"\0m"			the meta record: what the image was built from
 *	"\0g"			the global keys
 *	"\0p" INDEX(4)		provider INDEX, a record (below)
 *	DOMAIN			INDEX(4) and POSITION(4) of the record of
 *				the provider serving it
 *
 * A domain name never begins with a NUL byte, so the keys cannot clash.
 *
 * Every record (a cdb value) begins with a checksum of the rest, its own
 * length and a tag, and is checked when it is read: the checksum, every
 * offset and count against the record's length, every string NUL-
 * terminated inside it, every enum in range, and every value by the rule
 * the INI loader applies to it (text, URL, host, domain, template), so
 * that a corrupt or hostile image can neither crash the process nor make
 * it say what the INI could not.  A provider record becomes a struct
 * provider whose strings point into the map; the views are cached per
 * process (IMG_CACHE), so a FastCGI process decodes a provider once.
 *
 * Staleness: the meta record holds the INI's size, mtime (nanoseconds)
 * and SHA-1.  A process stats the INI (one call); when size and mtime
 * match, the image is current.  When they differ (an edit, or a fleet
 * that copied the files without their times) the INI is read and hashed:
 * the same text is current, any other is stale.  A missing, stale or
 * corrupt image makes the process parse the INI instead, and say so once
 * on stderr with the command that fixes it.
 *
 * The map is read-only and shared: a file truncated under a running
 * process would make reading a page past its end raise SIGBUS, so every
 * read of the map runs under a SIGBUS guard that turns it into "corrupt".
 */
#include <sys/mman.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <setjmp.h>
#include <stddef.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cdb.h>

#include "mailautoconf.h"

/* the meta record's magic: "MACIMG", 0, and the format's version */
static const unsigned char img_magic[8] = { 'M', 'A', 'C', 'I', 'M', 'G', 0, 2 };

#define TAG_META	0x3154454du	/* "MET1" */
#define TAG_GLOB	0x31424c47u	/* "GLB1" */
#define TAG_PROV	0x31565250u	/* "PRV1" */
#define TAG_SRC		0x31435253u	/* "SRC1" */

/* the fixed parts of the records, in bytes (layouts: enc_*, dec_*) */
#define REC_HEAD	12	/* checksum, length, tag */
#define META_LEN	(REC_HEAD + 8 + 8 + 8 + 4 + MAC_SHA1_LEN + 4 * 4)
/* where the meta record holds the file's size and the header's checksum */
#define META_FSIZE	(REC_HEAD + 28 + MAC_SHA1_LEN + 8)
#define GLOB_LEN	(REC_HEAD + 4 + 4 + 4 + 4 * 4)
#define PROV_NSTR	16
#define PROV_FIXED	(REC_HEAD + 4 + 4 * PROV_NSTR + 12 + 5 * 4)
#define AUTH_LEN	12
#define SRV_LEN		(4 + 4 + 4 * 4 + AUTH_LEN + 4 + 8)
#define NONE		0xffffffffu
/* a file read (layout: enc_sources) */
#define SRCE_LEN	(4 + 4 + 8 + 8 + 4 + 4 + 8 + 8 + 8 + 4 + MAC_SHA1_LEN)

struct image {
	const unsigned char	*base;
	size_t			 len;
	bool			 mapped;
	bool			 owned;		/* base is our private copy */
	int			 fd;		/* of the map; -1: memory */
	unsigned char		*srcrec;	/* the sources record, copied */
	bool			 broken;	/* a record failed its checks */
	struct cdb		 db;
	uint32_t		 nprov;
	struct provider		*catch_all;
	unsigned char		*glob;		/* the global record, copied */
	struct {
		uint32_t	 idx;
		struct provider	*p;
	}			 cache[IMG_CACHE];
	/*
	 * Domains answered lately: name -> idx, valid while cache[] holds
	 * it.  Made at the second lookup: a CGI, which makes one, does not
	 * touch (fault in) its 64 KiB.
	 */
	struct seen {
		unsigned char	 n;
		char		 d[DOMAIN_MAX];
		uint32_t	 idx;
	}			*seen;
	bool			 looked;
};

/* ---- little-endian numbers and the checksum ------------------------- */

static uint32_t
rd32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

static void
wr32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

static uint64_t
rd64(const unsigned char *p)
{
	return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

static void
wr64(unsigned char *p, uint64_t v)
{
	wr32(p, (uint32_t)v);
	wr32(p + 4, (uint32_t)(v >> 32));
}

/*
 * A checksum against corruption (a flipped bit, a torn copy), eight bytes
 * a step: a multiply-xorshift mix.  Not against forgery: whoever can write
 * the image can write a right sum, which is why every value is checked too.
 */
static uint32_t
img_sum(const unsigned char *p, size_t n)
{
	uint64_t	h = 0x9e3779b97f4a7c15ULL ^ n;

	for (; n >= 8; p += 8, n -= 8) {
		h = (h ^ rd64(p)) * 0xff51afd7ed558ccdULL;
		h ^= h >> 32;
	}
	if (n > 0) {
		unsigned char	t[8] = { 0 };

		memcpy(t, p, n);
		h = (h ^ rd64(t)) * 0xc4ceb9fe1a85ec53ULL;
	}
	h ^= h >> 29;
	return (uint32_t)(h ^ (h >> 32));
}

/* ---- the writer: a record in a growing buffer ------------------------- */

struct wbuf {
	unsigned char	*p;
	size_t		 len;
	size_t		 cap;
	bool		 oom;
	/* strings written once per record: pointer -> offset */
	const char	*seen[32];
	uint32_t	 seenoff[32];
	size_t		 nseen;
};

static bool
wb_room(struct wbuf *b, size_t n)
{
	unsigned char	*np;
	size_t		 nc;

	if (b->oom || n > UINT32_MAX - b->len) {
		b->oom = true;
		return false;
	}
	if (b->len + n <= b->cap)
		return true;
	for (nc = b->cap == 0 ? 1024 : b->cap; nc < b->len + n; nc *= 2)
		;
	if ((np = mac_realloc(b->p, nc)) == NULL) {
		b->oom = true;
		return false;
	}
	b->p = np;
	b->cap = nc;
	return true;
}

/* A record of fixed bytes, zeroed; its strings are appended after. */
static void
wb_start(struct wbuf *b, uint32_t tag, size_t fixed)
{
	b->len = 0;
	b->nseen = 0;
	if (!wb_room(b, fixed))
		return;
	memset(b->p, 0, fixed);
	wr32(b->p + 8, tag);
	b->len = fixed;
}

/* Append s (NULL: none) and write its offset at field pos. */
static void
wb_str(struct wbuf *b, size_t pos, const char *s)
{
	size_t	i, n;

	if (b->oom)
		return;
	if (s == NULL) {
		wr32(b->p + pos, 0);
		return;
	}
	for (i = 0; i < b->nseen; i++)
		if (b->seen[i] == s) {
			wr32(b->p + pos, b->seenoff[i]);
			return;
		}
	n = strlen(s) + 1;
	if (!wb_room(b, n))
		return;
	memcpy(b->p + b->len, s, n);
	wr32(b->p + pos, (uint32_t)b->len);
	if (b->nseen < sizeof(b->seen) / sizeof(b->seen[0])) {
		b->seen[b->nseen] = s;
		b->seenoff[b->nseen++] = (uint32_t)b->len;
	}
	b->len += n;
}

static void
wb_finish(struct wbuf *b)
{
	if (b->oom)
		return;
	wr32(b->p + 4, (uint32_t)b->len);
	wr32(b->p, img_sum(b->p + 4, b->len - 4));
}

static void
enc_auth(unsigned char *p, const struct authlist *a)
{
	p[0] = a->n;
	memcpy(p + 1, a->a, AUTH_MAX);
}

static void
enc_server(struct wbuf *b, size_t pos, const struct server *s)
{
	unsigned char	*p = b->p + pos;

	p[0] = (unsigned char)s->type;
	p[1] = (unsigned char)s->sock;
	p[2] = (unsigned char)s->port;
	p[3] = (unsigned char)(s->port >> 8);
	wr32(p + 4, (uint32_t)s->line);
	enc_auth(p + 24, &s->auth);
	p[36] = (unsigned char)s->global_preferred;
	p[37] = (unsigned char)s->add_this_server;
	p[38] = (unsigned char)s->leave_on_server;
	p[39] = (unsigned char)s->download_on_biff;
	wr32(p + 40, (uint32_t)s->days_to_leave);
	wr32(p + 44, (uint32_t)s->check_interval);
	/* the strings last: they may move the buffer */
	wb_str(b, pos + 8, s->host);
	wb_str(b, pos + 12, s->url);
	wb_str(b, pos + 16, s->username);
	wb_str(b, pos + 20, s->restriction);
}

static size_t
prov_ndescr(const struct provider *p)
{
	size_t	i, n = 0;

	for (i = 0; i < p->ndocs; i++)
		n += p->docs[i].ndescr;
	return n;
}

static void
enc_texts(struct wbuf *b, size_t pos, const struct text *t, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++, pos += 8) {
		wb_str(b, pos, t[i].lang);
		wb_str(b, pos + 4, t[i].text);
	}
}

/* The provider's arrays, after its fixed part (layout: dec_provider). */
static void
enc_arrays(struct wbuf *b, const struct provider *p, size_t pos)
{
	size_t	i;

	for (i = 0; i < p->ndomains; i++, pos += 4)
		wb_str(b, pos, p->domains[i]);
	for (i = 0; i < p->nin; i++, pos += SRV_LEN)
		enc_server(b, pos, &p->in[i]);
	for (i = 0; i < p->nout; i++, pos += SRV_LEN)
		enc_server(b, pos, &p->out[i]);
	for (i = 0; i < p->ndocs && !b->oom; i++, pos += 8) {
		wb_str(b, pos, p->docs[i].url);
		wr32(b->p + pos + 4, (uint32_t)p->docs[i].ndescr);
	}
	for (i = 0; i < p->ndocs; i++) {
		enc_texts(b, pos, p->docs[i].descr, p->docs[i].ndescr);
		pos += 8 * p->docs[i].ndescr;
	}
	enc_texts(b, pos, p->instr, p->ninstr);
}

static void
enc_provider(struct wbuf *b, const struct provider *p)
{
	const char	*s[PROV_NSTR] = {
		p->id, p->name, p->short_name, p->username, p->enable,
		p->webmail, p->carddav, p->caldav, p->oauth2_issuer,
		p->oauth2_scope, p->oauth2_auth_url, p->oauth2_token_url,
		p->ad_redirect, p->mc_identifier, p->oauth2_client_id,
		p->oauth2_issuer_url,
	};
	size_t		 i, nd = prov_ndescr(p);

	wb_start(b, TAG_PROV, PROV_FIXED + 4 * p->ndomains +
	    SRV_LEN * (p->nin + p->nout) + 8 * (p->ndocs + nd) +
	    8 * p->ninstr);
	if (b->oom)
		return;
	wr32(b->p + REC_HEAD, (uint32_t)p->line);
	enc_auth(b->p + REC_HEAD + 4 + 4 * PROV_NSTR, &p->auth);
	i = REC_HEAD + 4 + 4 * PROV_NSTR + AUTH_LEN;
	wr32(b->p + i, (uint32_t)p->ndomains);
	wr32(b->p + i + 4, (uint32_t)p->nin);
	wr32(b->p + i + 8, (uint32_t)p->nout);
	wr32(b->p + i + 12, (uint32_t)p->ndocs);
	wr32(b->p + i + 16, (uint32_t)p->ninstr);
	for (i = 0; i < PROV_NSTR; i++)
		wb_str(b, REC_HEAD + 4 + 4 * i, s[i]);
	enc_arrays(b, p, PROV_FIXED);
	wb_finish(b);
}

static void
enc_meta(struct wbuf *b, const struct config *cf)
{
	const struct cfg_src	*ini = cf->nsrc > 0 ? &cf->src[0] : NULL;
	unsigned char		*p;

	wb_start(b, TAG_META, META_LEN);
	if (b->oom)
		return;
	p = b->p + REC_HEAD;
	memcpy(p, img_magic, sizeof(img_magic));
	if (ini != NULL) {
		wr64(p + 8, ini->size);
		wr64(p + 16, (uint64_t)ini->mtime);
		wr32(p + 24, ini->mtime_ns);
		memcpy(p + 28, ini->hash, MAC_SHA1_LEN);
	}
	wr32(p + 28 + MAC_SHA1_LEN, (uint32_t)cf->nprov);
	wr32(p + 32 + MAC_SHA1_LEN, (uint32_t)cf->ndomains);
	wb_finish(b);
}

/*
 * A path as the image keeps it: relative to the INI's directory when it
 * is beneath it, so that a server that names the INI another way (an
 * absolute path, another working directory) finds the same files.
 */
static const char *
rel_of(const char *ini, const char *path)
{
	const char	*slash = strrchr(ini, '/');
	size_t		 n = slash != NULL ? (size_t)(slash - ini) + 1 : 0;

	return strncmp(path, ini, n) == 0 && path[0] != '\0' ? path + n :
	    path;
}

/*
 * Every file the config was read from and every include pattern with
 * its matches: the image is current while they are (fresh()).
 */
static void
enc_sources(struct wbuf *b, const struct config *cf)
{
	size_t		 i, j, pos, fixed = REC_HEAD + 8 + SRCE_LEN * cf->nsrc;
	unsigned char	*p;

	for (i = 0; i < cf->npat; i++)
		fixed += 8 + 4 * cf->pat[i].nmatch;
	wb_start(b, TAG_SRC, fixed);
	if (b->oom)
		return;
	wr32(b->p + REC_HEAD, (uint32_t)cf->nsrc);
	wr32(b->p + REC_HEAD + 4, (uint32_t)cf->npat);
	for (i = 0, pos = REC_HEAD + 8; i < cf->nsrc && !b->oom;
	    i++, pos += SRCE_LEN) {
		const struct cfg_src *s = &cf->src[i];

		p = b->p + pos;
		p[4] = (unsigned char)s->kind;
		p[5] = s->racy;
		wr64(p + 8, s->size);
		wr64(p + 16, (uint64_t)s->mtime);
		wr32(p + 24, s->mtime_ns);
		wr32(p + 28, s->ctime_ns);
		wr64(p + 32, (uint64_t)s->ctime);
		wr64(p + 40, s->ino);
		wr64(p + 48, s->dev);
		wr32(p + 56, (uint32_t)s->ndomains);
		memcpy(p + 60, s->hash, MAC_SHA1_LEN);
		wb_str(b, pos, rel_of(cf->file, s->path));
	}
	for (i = 0; i < cf->npat && !b->oom; i++) {
		wr32(b->p + pos + 4, (uint32_t)cf->pat[i].nmatch);
		wb_str(b, pos, rel_of(cf->file, cf->pat[i].pattern));
		pos += 8;
		for (j = 0; j < cf->pat[i].nmatch && !b->oom; j++, pos += 4)
			wb_str(b, pos, rel_of(cf->file, cf->pat[i].match[j]));
	}
	wb_finish(b);
}

static void
enc_globals(struct wbuf *b, const struct config *cf)
{
	unsigned char	*p;

	wb_start(b, TAG_GLOB, GLOB_LEN);
	if (b->oom)
		return;
	p = b->p + REC_HEAD;
	wr32(p, (uint32_t)cf->cache_max_age);
	wr32(p + 4, (uint32_t)cf->ad_ttl);
	wr32(p + 8, cf->catch_all == NULL ? NONE :
	    (uint32_t)(cf->catch_all - cf->prov));
	wr32(p + 24, (uint32_t)cf->max_drop);
	wb_str(b, REC_HEAD + 12, cf->web_host);
	wb_str(b, REC_HEAD + 16, cf->sign_cert);
	wb_str(b, REC_HEAD + 20, cf->sign_key);
	wb_finish(b);
}

/* ---- the writer: the file --------------------------------------------- */

/* cdb_make_add, counting where the data ends (the cdb format's layout) */
struct wfile {
	struct cdb_make	 m;
	size_t		 dpos;
	unsigned	 nrec;
};

static int
img_add(struct wfile *w, const void *k, size_t kl, const void *v, size_t vl)
{
	if (cdb_make_add(&w->m, k, (unsigned)kl, v, (unsigned)vl) != 0)
		return -1;
	w->dpos += 8 + kl + vl;
	w->nrec++;
	return 0;
}

/*
 * Every record.  The meta and global records first, at *metapos and next:
 * a process reads them at every start, and beside the header they share
 * its page.  Each provider before its domains, whose values say where it
 * is (index, position): a lookup reads one hash slot and, most often, one
 * page.  meta: a copy of the meta record, whose file size and header
 * checksum are written in once the file is done.
 */
static int
img_records(struct wfile *w, const struct config *cf, size_t *metapos,
    unsigned char *meta)
{
	struct wbuf	 b;
	unsigned char	 k[6] = { 0, 'p' }, v[8];
	size_t		 i, j;
	int		 rc = 0;

	memset(&b, 0, sizeof(b));
	enc_meta(&b, cf);
	*metapos = w->dpos + 8 + 2;
	if (!b.oom)
		memcpy(meta, b.p, META_LEN);
	rc |= b.oom ? -1 : img_add(w, "\0m", 2, b.p, b.len);
	enc_globals(&b, cf);
	rc |= b.oom ? -1 : img_add(w, "\0g", 2, b.p, b.len);
	enc_sources(&b, cf);
	rc |= b.oom ? -1 : img_add(w, "\0s", 2, b.p, b.len);
	for (i = 0; i < cf->nprov && rc == 0; i++) {
		wr32(k + 2, (uint32_t)i);
		wr32(v, (uint32_t)i);
		wr32(v + 4, (uint32_t)w->dpos);
		enc_provider(&b, &cf->prov[i]);
		rc |= b.oom || w->dpos > UINT32_MAX ? -1 :
		    img_add(w, k, sizeof(k), b.p, b.len);
		for (j = 0; j < cf->prov[i].ndomains && rc == 0; j++)
			rc |= img_add(w, cf->prov[i].domains[j],
			    strlen(cf->prov[i].domains[j]), v, sizeof(v));
	}
	mac_free(b.p);
	return rc;
}

/* The finished file's size and header checksum into its meta record. */
static int
img_seal(int fd, size_t metapos, unsigned char *meta)
{
	unsigned char	head[2048];
	off_t		size;

	if ((size = lseek(fd, 0, SEEK_END)) < 0 || size > UINT32_MAX ||
	    pread(fd, head, sizeof(head), 0) != (ssize_t)sizeof(head))
		return -1;
	wr32(meta + META_FSIZE, (uint32_t)size);
	wr32(meta + META_FSIZE + 4, img_sum(head, sizeof(head)));
	wr32(meta, img_sum(meta + 4, META_LEN - 4));
	if (pwrite(fd, meta, META_LEN, (off_t)metapos) != META_LEN)
		return -1;
	return 0;
}

static struct provider *img_provider(struct image *, uint32_t);
static void	img_free(struct config *);

/*
 * The written file read back as a process will read it: every provider
 * must pass the reader's checks, or the writer and the reader disagree
 * and the image would answer with 500s; --compile fails instead.
 */
static int
img_verify(int fd, const struct config *cf, FILE *err)
{
	struct config	*ic;
	struct provider	*p;
	struct stat	 st;
	const char	*why;
	void		*base;
	size_t		 i;
	int		 rc = 0;

	if (fstat(fd, &st) != 0 || (base = mmap(NULL, (size_t)st.st_size,
	    PROT_READ, MAP_SHARED, fd, 0)) == MAP_FAILED)
		return -1;
	if ((ic = img_open_mem(base, (size_t)st.st_size, NULL, &why)) == NULL)
		rc = -1;
	for (i = 0; rc == 0 && i < cf->nprov; i++) {
		if ((p = img_provider(ic->img, (uint32_t)i)) == NULL) {
			char	 fb[1024], ib[INI_SECTION_MAX * 4];

			fprintf(err, "mailautoconf: %s:%d: [%s] does not read "
			    "back from the compiled image (a bug: please "
			    "report it)\n", diag_safe(fb, sizeof(fb), cf->file),
			    cf->prov[i].line,
			    diag_safe(ib, sizeof(ib), cf->prov[i].id));
			rc = -1;
		}
		mac_free(p);
	}
	if (ic != NULL)
		img_free(ic);
	munmap(base, (size_t)st.st_size);
	return rc;
}

/* The image of ini: ini.cdb. */
int
img_path(char *dst, size_t cap, const char *ini)
{
	int	n = snprintf(dst, cap, "%s.cdb", ini);

	return n >= 0 && (size_t)n < cap ? 0 : -1;
}

/*
 * Write the image of cf to path: a temporary file beside it, synced,
 * given the INI's permissions, renamed over path.  A reader sees the old
 * image or the new one, never a part.
 */
int
img_write(const struct config *cf, const char *path, FILE *err)
{
	struct wfile	 w;
	struct stat	 st;
	unsigned char	 meta[META_LEN];
	char		 tmp[4096], fb[1024];
	size_t		 metapos;
	int		 fd, n;

	n = snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path);
	if (n < 0 || (size_t)n >= sizeof(tmp) || (fd = mkstemp(tmp)) == -1) {
		fprintf(err, "mailautoconf: %s: cannot create: %s\n",
		    diag_safe(fb, sizeof(fb), path), strerror(errno));
		return -1;
	}
	memset(&w, 0, sizeof(w));
	w.dpos = 2048;
	if (cdb_make_start(&w.m, fd) != 0 ||
	    img_records(&w, cf, &metapos, meta) != 0 ||
	    cdb_make_finish(&w.m) != 0 || img_seal(fd, metapos, meta) != 0 ||
	    img_verify(fd, cf, err) != 0)
		goto bad;
	/* readable by whoever can read the INI, as the INI is */
	if (stat(cf->file, &st) == 0) {
		if (geteuid() == 0 && fchown(fd, st.st_uid, st.st_gid) != 0)
			goto bad;
		if (fchmod(fd, st.st_mode & 0644) != 0)
			goto bad;
	}
	if (fsync(fd) != 0 || close(fd) != 0) {
		fd = -1;
		goto bad;
	}
	if (rename(tmp, path) != 0) {
		fd = -1;
		goto bad;
	}
	return 0;
bad:
	fprintf(err, "mailautoconf: %s: cannot write: %s\n",
	    diag_safe(fb, sizeof(fb), path), strerror(errno));
	if (fd != -1)
		close(fd);
	unlink(tmp);
	return -1;
}

/* ---- the reader: checking a record's values --------------------------- */

enum skind {
	S_TEXT, S_URL, S_HOST, S_DOMAIN, S_IDENT, S_USER, S_REDIRECT, S_LANG,
	S_RESTRICT, S_PATH
};

struct dec {
	const unsigned char	*r;
	size_t			 len;
	bool			 bad;
};

/* Only the placeholders the table lets stand there (xmlout.c) */
static bool
tmpl_ok(const char *s, unsigned where)
{
	const struct placeholder	*ph;

	for (; (s = strchr(s, '%')) != NULL; s += ph->len)
		if ((ph = ph_at(s)) == NULL || !(ph->where & where))
			return false;
	return true;
}

static bool
value_ok(const char *s, size_t n, enum skind k)
{
	char		 d[DOMAIN_MAX + 1];
	size_t		 dl;
	const char	*why;

	switch (k) {
	case S_TEXT:
		return n > 0 && mac_text_ok(s, n);
	case S_USER:
		return n > 0 && mac_text_ok(s, n) && tmpl_ok(s, PH_USERNAME);
	case S_REDIRECT:
		return n > 0 && mac_text_ok(s, n) && tmpl_ok(s, PH_REDIRECT) &&
		    strchr(s, '@') != NULL;
	case S_URL:
		return cfg_url_why(s) == NULL;
	case S_HOST:
		return n <= DOMAIN_MAX && prov_host_ok(s, n);
	case S_DOMAIN:
		/* as the loader stores it: its own normal form */
		return mac_domain(d, &dl, s, n, &why) == 0 && dl == n &&
		    memcmp(d, s, n) == 0;
	case S_IDENT:
		/* mobileconfig.identifier: a domain name, kept as written */
		return mac_domain(d, &dl, s, n, &why) == 0;
	case S_LANG:
		return cfg_lang_ok(s);
	case S_PATH:
		return n > 0;
	default:
		return strcmp(s, "client-IP-address") == 0;
	}
}

/* The string whose offset is at pos: inside the record, checked. */
static const char *
dec_str(struct dec *d, size_t pos, enum skind k, bool need)
{
	uint32_t		 off;
	const unsigned char	*nul;

	if (d->bad || pos + 4 > d->len) {
		d->bad = true;
		return NULL;
	}
	if ((off = rd32(d->r + pos)) == 0) {
		d->bad |= need;
		return NULL;
	}
	if (off < REC_HEAD || off >= d->len ||
	    (nul = memchr(d->r + off, '\0', d->len - off)) == NULL ||
	    !value_ok((const char *)d->r + off, (size_t)(nul - d->r - off), k)) {
		d->bad = true;
		return NULL;
	}
	return (const char *)d->r + off;
}

static void
dec_auth(struct dec *d, const unsigned char *p, struct authlist *a)
{
	size_t	i;

	a->n = p[0];
	if (a->n == 0 || a->n > AUTH_MAX)
		d->bad = true;
	memcpy(a->a, p + 1, AUTH_MAX);
	for (i = 0; i < a->n && !d->bad; i++)
		if (a->a[i] >= AUTH__N)
			d->bad = true;
}

static signed char
dec_tri(struct dec *d, unsigned char c)
{
	signed char	v = (signed char)c;

	if (v < -1 || v > 1)
		d->bad = true;
	return v;
}

/*
 * A server's options as the loader's key table allows them: set only on
 * the server types that take them, numbers inside their ranges.
 */
static bool
srv_opts_ok(const struct server *s)
{
	const struct cfg_key	*k;
	const char		*f;
	bool			 set;
	long			 v;

	for (k = cfg_keys; k < cfg_keys + cfg_nkeys; k++) {
		if (k->scope != CFG_SERVER)
			continue;
		f = (const char *)s + k->off;
		if (k->off == offsetof(struct server, restriction))
			set = s->restriction != NULL;
		else if (k->off == offsetof(struct server, days_to_leave) ||
		    k->off == offsetof(struct server, check_interval)) {
			memcpy(&v, f, sizeof(v));
			if ((set = v != -1) && (v < k->min || v > k->max))
				return false;
		} else if (k->off == offsetof(struct server, global_preferred) ||
		    k->off == offsetof(struct server, add_this_server) ||
		    k->off == offsetof(struct server, leave_on_server) ||
		    k->off == offsetof(struct server, download_on_biff))
			set = *(const signed char *)f != -1;
		else
			continue;	/* auth, username: every type */
		if (set && !(k->types & (1u << s->type)))
			return false;
	}
	return true;
}

/* A server at pos; out: the smtp list, else the incoming one. */
static void
dec_server(struct dec *d, size_t pos, struct server *s, bool out)
{
	const unsigned char	*p = d->r + pos;

	s->type = (enum srv_type)p[0];
	s->sock = (enum sock_type)p[1];
	s->port = (unsigned)p[2] | (unsigned)p[3] << 8;
	s->line = (int)rd32(p + 4);
	if (p[0] >= SRV__N || (p[0] == SRV_SMTP) != out || p[1] > SOCK_PLAIN ||
	    s->port == 0 || s->line <= 0)
		d->bad = true;
	s->host = dec_str(d, pos + 8, S_HOST, true);
	s->url = dec_str(d, pos + 12, S_URL, p[0] >= SRV_EWS);
	if (s->url != NULL && p[0] < SRV_EWS)
		d->bad = true;
	/* activesync, jmap: https only, as the loader has it */
	if (s->url != NULL && p[0] >= SRV_ACTIVESYNC &&
	    strncmp(s->url, "https://", 8) != 0)
		d->bad = true;
	s->username = dec_str(d, pos + 16, S_USER, true);
	s->restriction = dec_str(d, pos + 20, S_RESTRICT, false);
	dec_auth(d, p + 24, &s->auth);
	s->global_preferred = dec_tri(d, p[36]);
	s->add_this_server = dec_tri(d, p[37]);
	s->leave_on_server = dec_tri(d, p[38]);
	s->download_on_biff = dec_tri(d, p[39]);
	s->days_to_leave = (int32_t)rd32(p + 40);
	s->check_interval = (int32_t)rd32(p + 44);
	if (!d->bad && !srv_opts_ok(s))
		d->bad = true;
}

static void
dec_texts(struct dec *d, size_t pos, struct text *t, size_t n)
{
	size_t	i;

	for (i = 0; i < n && !d->bad; i++, pos += 8) {
		t[i].lang = dec_str(d, pos, S_LANG, false);
		t[i].text = dec_str(d, pos + 4, S_TEXT, true);
	}
}

/* ---- the reader: a provider record into a struct provider ------------- */

struct pcounts {
	size_t	nd, nin, nout, ndocs, ndescr, ninstr;
};

/* The counts, checked against the record's length; the arrays' size. */
static size_t
dec_counts(struct dec *d, struct pcounts *c)
{
	const unsigned char	*p = d->r + REC_HEAD + 4 + 4 * PROV_NSTR +
				    AUTH_LEN;
	size_t			 i, need;

	c->nd = rd32(p);
	c->nin = rd32(p + 4);
	c->nout = rd32(p + 8);
	c->ndocs = rd32(p + 12);
	c->ninstr = rd32(p + 16);
	c->ndescr = 0;
	/* each count below 2^32: no product or sum here overflows */
	need = PROV_FIXED + 4 * c->nd + SRV_LEN * (c->nin + c->nout) +
	    8 * (c->ndocs + c->ninstr);
	if (c->nd == 0 || need > d->len) {
		d->bad = true;
		return 0;
	}
	p = d->r + need - 8 * (c->ndocs + c->ninstr);
	for (i = 0; i < c->ndocs; i++)
		c->ndescr += rd32(p + 8 * i + 4);
	if (c->ndescr > (d->len - need) / 8) {
		d->bad = true;
		return 0;
	}
	return sizeof(struct provider) + c->nd * sizeof(char *) +
	    (c->nin + c->nout) * sizeof(struct server) +
	    c->ndocs * sizeof(struct doc) +
	    (c->ndescr + c->ninstr) * sizeof(struct text);
}

static void
dec_scalars(struct dec *d, struct provider *p)
{
	const char	**s[PROV_NSTR] = {
		&p->id, &p->name, &p->short_name, &p->username, &p->enable,
		&p->webmail, &p->carddav, &p->caldav, &p->oauth2_issuer,
		&p->oauth2_scope, &p->oauth2_auth_url, &p->oauth2_token_url,
		&p->ad_redirect, &p->mc_identifier, &p->oauth2_client_id,
		&p->oauth2_issuer_url,
	};
	static const enum skind	k[PROV_NSTR] = {
		S_TEXT, S_TEXT, S_TEXT, S_USER, S_URL, S_URL, S_URL, S_URL,
		S_HOST, S_TEXT, S_URL, S_URL, S_REDIRECT, S_IDENT, S_TEXT,
		S_URL,
	};
	/* id, name, short_name, username and the identifier always exist */
	static const bool	need[PROV_NSTR] = {
		true, true, true, true, false, false, false, false, false,
		false, false, false, false, true, false, false,
	};
	size_t			 i;

	p->line = (int)rd32(d->r + REC_HEAD);
	if (p->line <= 0)
		d->bad = true;
	for (i = 0; i < PROV_NSTR; i++)
		*s[i] = dec_str(d, REC_HEAD + 4 + 4 * i, k[i], need[i]);
	/* oauth2: all four or none (providers.c: prov_finish) */
	i = (p->oauth2_issuer != NULL) + (p->oauth2_scope != NULL) +
	    (p->oauth2_auth_url != NULL) + (p->oauth2_token_url != NULL);
	if (i != 0 && i != 4)
		d->bad = true;
	dec_auth(d, d->r + REC_HEAD + 4 + 4 * PROV_NSTR, &p->auth);
}

/* The arrays, carved from the block after the struct provider. */
static void
dec_arrays(struct dec *d, struct provider *p, const struct pcounts *c)
{
	char	*m = (char *)(p + 1);
	size_t	 i, pos = PROV_FIXED;

	p->domains = (const char **)(void *)m;
	m += c->nd * sizeof(char *);
	p->in = (struct server *)(void *)m;
	m += c->nin * sizeof(struct server);
	p->out = (struct server *)(void *)m;
	m += c->nout * sizeof(struct server);
	p->docs = (struct doc *)(void *)m;
	m += c->ndocs * sizeof(struct doc);
	p->instr = (struct text *)(void *)m;
	m += c->ninstr * sizeof(struct text);
	p->ndomains = c->nd;
	p->nin = c->nin;
	p->nout = c->nout;
	p->ndocs = c->ndocs;
	p->ninstr = c->ninstr;
	for (i = 0; i < c->nd; i++, pos += 4)
		p->domains[i] = dec_str(d, pos, S_DOMAIN, true);
	for (i = 0; i < c->nin + c->nout && !d->bad; i++, pos += SRV_LEN)
		dec_server(d, pos, i < c->nin ? &p->in[i] : &p->out[i - c->nin],
		    i >= c->nin);
	for (i = 0; i < c->ndocs && !d->bad; i++, pos += 8) {
		p->docs[i].url = dec_str(d, pos, S_URL, true);
		p->docs[i].ndescr = rd32(d->r + pos + 4);
	}
	for (i = 0; i < c->ndocs && !d->bad; i++) {
		p->docs[i].descr = (struct text *)(void *)m;
		m += p->docs[i].ndescr * sizeof(struct text);
		dec_texts(d, pos, p->docs[i].descr, p->docs[i].ndescr);
		pos += 8 * p->docs[i].ndescr;
	}
	dec_texts(d, pos, p->instr, c->ninstr);
}

/* Check a record's head: length, tag, checksum. */
static bool
rec_ok(const unsigned char *r, size_t len, uint32_t tag, size_t min)
{
	return len >= min && len <= UINT32_MAX && rd32(r + 4) == len &&
	    rd32(r + 8) == tag && rd32(r) == img_sum(r + 4, len - 4);
}

/*
 * A provider record as a struct provider, or NULL.  One allocation holds
 * the view and a copy of the record its strings point into: once decoded,
 * a provider does not depend on the map (a file truncated under us).
 */
static struct provider *
dec_provider(const unsigned char *rec, size_t len)
{
	struct dec	 d = { rec, len, false };
	struct pcounts	 c;
	struct provider	*p;
	size_t		 sz;

	if (!rec_ok(rec, len, TAG_PROV, PROV_FIXED) ||
	    (sz = dec_counts(&d, &c)) == 0 || sz > SIZE_MAX - len ||
	    (p = mac_alloc(sz + len)) == NULL)
		return NULL;
	d.r = memcpy((char *)p + sz, rec, len);
	/* the copy is what counts: checked again, the map may have changed */
	if (!rec_ok(d.r, len, TAG_PROV, PROV_FIXED) ||
	    dec_counts(&d, &c) != sz) {
		mac_free(p);
		return NULL;
	}
	memset(p, 0, sizeof(*p));
	dec_scalars(&d, p);
	if (!d.bad)
		dec_arrays(&d, p, &c);
	if (d.bad || p->nin + p->nout == 0) {
		mac_free(p);
		return NULL;
	}
	prov_pick(p);
	return p;
}

/* ---- the reader: the guard, lookups ----------------------------------- */

static sigjmp_buf		 bus_jmp;
static volatile sig_atomic_t	 bus_armed;

static void
on_bus(int sig)
{
	if (bus_armed)
		siglongjmp(bus_jmp, 1);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void
bus_guard(void)
{
	static bool		done;
	struct sigaction	sa;

	if (done)
		return;
	/*
	 * SA_NODEFER: SIGBUS stays unblocked in the handler, so the jump
	 * out of it needs no saved mask, and sigsetjmp(, 0) no syscall at
	 * every lookup.
	 */
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_bus;
	sa.sa_flags = SA_NODEFER;
	sigaction(SIGBUS, &sa, NULL);
	done = true;
}

/* The value under key, inside the map; NULL: none, or a corrupt table. */
static const unsigned char *
img_get(struct image *im, const void *key, size_t kl, size_t *vl)
{
	if (kl >= UINT32_MAX || cdb_find(&im->db, key, (unsigned)kl) <= 0)
		return NULL;
	*vl = cdb_datalen(&im->db);
	return im->base + cdb_datapos(&im->db);
}

/*
 * cdb_find found no key k: is that what the table says, or a flipped
 * byte?  Every slot of k's hash must lead to a key of that hash.  (A flip
 * in a slot's own hash value stays unseen: only reading the whole file
 * would see it.)
 */
static bool
absent_ok(const struct image *im, const void *k, unsigned kl)
{
	const unsigned char	*b = im->base, *t, *sl;
	unsigned		 h = cdb_hash(k, kl), n, pos, i, rp, l;
	unsigned		 dend = im->db.cdb_dend;

	t = b + ((h << 3) & 2047);
	if ((n = rd32(t + 4)) == 0)
		return true;
	pos = rd32(t);
	if (n > im->len / 8 || pos < dend || pos > im->len ||
	    (size_t)n * 8 > im->len - pos)
		return false;
	/*
	 * Every slot on k's probe path holds the hash of the key it leads
	 * to: a flipped hash value on the path (which made cdb_find pass k
	 * by) is seen, at the cost of reading a few keys on a miss.
	 */
	for (i = 0; i < n; i++) {
		sl = b + pos + 8 * (((h >> 8) + i) % n);
		if ((rp = rd32(sl + 4)) == 0)
			return true;
		if (rp < 2048 || rp > dend - 8 ||
		    (l = rd32(b + rp)) > dend - rp - 8 ||
		    cdb_hash(b + rp + 8, l) != rd32(sl))
			return false;
	}
	return true;
}

/*
 * The file was cut under the map: a cut inside the last page reads as
 * zeros, not SIGBUS, and zeros look like empty hash slots.  Asked when a
 * domain is not found (that is what zeros make of any lookup).
 */
static bool
shrunk(const struct image *im)
{
	struct stat	st;

	return im->fd != -1 && (fstat(im->fd, &st) != 0 ||
	    (uintmax_t)st.st_size != im->len);
}

static struct provider *
img_provider(struct image *im, uint32_t idx)
{
	unsigned char		 k[6] = { 0, 'p' };
	const unsigned char	*r;
	size_t			 len;

	if (idx >= im->nprov)
		return NULL;
	wr32(k + 2, idx);
	if ((r = img_get(im, k, sizeof(k), &len)) == NULL)
		return NULL;
	return dec_provider(r, len);
}

/*
 * Provider idx from its cdb record at pos, as a domain's value gives it:
 * the record must be inside the data, and its key that provider's.
 */
static struct provider *
img_provider_at(struct image *im, uint32_t idx, uint32_t pos)
{
	const unsigned char	*b = im->base;
	unsigned char		 k[6] = { 0, 'p' };
	unsigned		 dend = im->db.cdb_dend, vl;

	wr32(k + 2, idx);
	if (idx >= im->nprov || pos < 2048 || pos > dend - 8 - sizeof(k) ||
	    rd32(b + pos) != sizeof(k) ||
	    (vl = rd32(b + pos + 4)) > dend - pos - 8 - sizeof(k) ||
	    memcmp(b + pos + 8, k, sizeof(k)) != 0)
		return NULL;
	return dec_provider(b + pos + 8 + sizeof(k), vl);
}

/* The provider idx (at pos) through the cache; NULL: a broken record. */
static const struct provider *
img_cached(struct image *im, uint32_t idx, uint32_t pos)
{
	size_t		 slot = idx % IMG_CACHE;
	struct provider	*p;

	if (im->cache[slot].p != NULL && im->cache[slot].idx == idx)
		return im->cache[slot].p;
	if ((p = img_provider_at(im, idx, pos)) == NULL)
		return NULL;
	mac_free(im->cache[slot].p);
	im->cache[slot].p = p;
	im->cache[slot].idx = idx;
	return p;
}

/* A slot for domain d among seen[]: cheap, a clash only costs a lookup. */
static size_t
seen_slot(const char *d, size_t n)
{
	return (n * 131 + (unsigned char)d[0] * 31 +
	    (unsigned char)d[n - 1] * 7 + (unsigned char)d[n / 2]) % IMG_CACHE;
}

static const struct provider *
lookup(struct image *im, const char *d, size_t n)
{
	const unsigned char	*v;
	const struct provider	*p;
	size_t			 vl, s, c;

	if (n == 0 || d[0] == '\0')
		return im->catch_all;
	/* a domain seen lately, whose provider is still decoded: no cdb */
	s = seen_slot(d, n);
	if (im->seen != NULL) {
		c = im->seen[s].idx % IMG_CACHE;
		if (im->seen[s].n == n && memcmp(im->seen[s].d, d, n) == 0 &&
		    im->cache[c].p != NULL && im->cache[c].idx == im->seen[s].idx)
			return im->cache[c].p;
	}
	if ((v = img_get(im, d, n, &vl)) == NULL) {
		/* cdb_find fails with EPROTO on a corrupt table */
		if (errno == EPROTO || !absent_ok(im, d, (unsigned)n) ||
		    shrunk(im))
			im->broken = true;
		return im->broken ? NULL : im->catch_all;
	}
	if (vl != 8 || (p = img_cached(im, rd32(v), rd32(v + 4))) == NULL) {
		im->broken = true;
		return NULL;
	}
	if (im->seen == NULL && im->looked &&
	    (im->seen = mac_alloc(IMG_CACHE * sizeof(*im->seen))) != NULL)
		memset(im->seen, 0, IMG_CACHE * sizeof(*im->seen));
	im->looked = true;
	if (im->seen != NULL && n <= DOMAIN_MAX) {
		memcpy(im->seen[s].d, d, n);
		im->seen[s].n = (unsigned char)n;
		im->seen[s].idx = rd32(v);
	}
	return p;
}

/*
 * The provider serving domain d; NULL: none, or a broken image
 * (img_broken tells: the request gets a 500, never another provider).
 */
static const struct provider *
img_lookup(const struct config *cf, const char *d, size_t n)
{
	struct image		*im = cf->img;
	const struct provider	*p;

	if (im->broken)
		return NULL;
	if (sigsetjmp(bus_jmp, 0) != 0) {
		bus_armed = 0;
		im->broken = true;
		return NULL;
	}
	bus_armed = 1;
	errno = 0;
	p = lookup(im, d, n);
	bus_armed = 0;
	return p;
}

/* Whether the image has a record for domain d (no catch-all). */
bool
img_served(const struct config *cf, const char *d, size_t n)
{
	struct image	*im = cf->img;
	size_t		 vl;
	bool		 r;

	if (n == 0 || d[0] == '\0' || im->broken)
		return false;
	if (sigsetjmp(bus_jmp, 0) != 0) {
		bus_armed = 0;
		im->broken = true;
		return false;
	}
	bus_armed = 1;
	r = img_get(im, d, n, &vl) != NULL;
	bus_armed = 0;
	return r;
}

static void
each_record(const struct image *im, void (*fn)(void *, const char *, size_t),
    void *arg)
{
	size_t	pos = 2048, dend = im->db.cdb_dend, kl, vl;

	while (pos + 8 <= dend) {
		kl = rd32(im->base + pos);
		vl = rd32(im->base + pos + 4);
		if (kl > dend - pos - 8 || vl > dend - pos - 8 - kl)
			break;
		if (kl > 0 && kl <= DOMAIN_MAX && im->base[pos + 8] != '\0')
			fn(arg, (const char *)im->base + pos + 8, kl);
		pos += 8 + kl + vl;
	}
}

/* Every domain of the image, to fn: the records in file order. */
void
img_each_domain(const struct config *cf,
    void (*fn)(void *, const char *, size_t), void *arg)
{
	struct image	*im = cf->img;

	if (im->broken)
		return;
	if (sigsetjmp(bus_jmp, 0) != 0) {
		bus_armed = 0;
		im->broken = true;
		return;
	}
	bus_armed = 1;
	each_record(im, fn, arg);
	bus_armed = 0;
}

bool
img_broken(const struct config *cf)
{
	return cf->img != NULL && cf->img->broken;
}

/* ---- the reader: opening ---------------------------------------------- */

/* The reason an image is stale, naming the file: fresh() writes it. */
static char	stale_why[1200];

static bool
stale(const char **why, const char *path, const char *what)
{
	char	pb[1024];

	snprintf(stale_why, sizeof(stale_why), "%s %s",
	    diag_safe(pb, sizeof(pb), path), what);
	*why = stale_why;
	return false;
}

/*
 * One recorded file is as it was: its stat says so (size, mtime, ctime,
 * inode; ctime cannot be set back by a copy), or, when anything differs
 * or it changed just before --compile read it, its text does.
 */
static bool
src_fresh(const struct cfg_src *s, const char *path, const char **why)
{
	struct stat	 st;
	unsigned char	 h[MAC_SHA1_LEN];
	const char	*w;
	char		*buf;
	size_t		 len;

	if (stat(path, &st) != 0)
		return stale(why, path, "is gone");
	if (!s->racy && (uint64_t)st.st_size == s->size &&
	    st.st_mtim.tv_sec == s->mtime &&
	    (uint32_t)st.st_mtim.tv_nsec == s->mtime_ns &&
	    st.st_ctim.tv_sec == s->ctime &&
	    (uint32_t)st.st_ctim.tv_nsec == s->ctime_ns &&
	    (uint64_t)st.st_ino == s->ino && (uint64_t)st.st_dev == s->dev)
		return true;
	if ((uint64_t)st.st_size != s->size)
		return stale(why, path, "changed");
	if (prov_fs->read(path, &buf, &len, &st, &w) != 0)
		return stale(why, path, "cannot be read");
	mac_sha1(buf, len, h);
	mac_free(buf);
	if (len != s->size || memcmp(h, s->hash, MAC_SHA1_LEN) != 0)
		return stale(why, path, "changed");
	return true;
}

/* A pattern's recorded matches, for in_list(): dir is the INI's. */
struct plist {
	const struct cfg_pat	*p;
	size_t			 dl;	/* bytes of the INI's directory, '/' */
	const char		*dir;
};

/* The recorded names are relative and strictly ascending (bytewise). */
static bool
plist_ok(const struct cfg_pat *p)
{
	size_t	i;

	for (i = 0; i < p->nmatch; i++)
		if (p->match[i][0] == '/' ||
		    (i > 0 && strcmp(p->match[i - 1], p->match[i]) >= 0))
			return false;
	return true;
}

/*
 * The path is one of the recorded names joined to the INI's directory,
 * as pat_fresh() joins them: plist_ok() found those ascending, so a
 * binary search finds it.
 */
static bool
in_list(const struct plist *l, const char *path)
{
	size_t	lo = 0, hi = l->p->nmatch, mid;
	int	c;

	if (strncmp(path, l->dir, l->dl) != 0)
		return false;
	path += l->dl;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if ((c = strcmp(path, l->p->match[mid])) == 0)
			return true;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return false;
}

/*
 * glob(3) of a pattern whose only wildcards, '*' and '?', are in its last
 * part reads one directory and matches each name with fnmatch(3) as glob
 * does (FNM_PERIOD).  So does this, but a recorded name matched then and
 * matches now: only other names are matched.  Distinct names find
 * distinct records, so as many found as recorded and no new match is the
 * same list, with no sort and no copy.  1: the same; 0: not; -1: not
 * such a pattern; -2: the directory cannot be read (glob_err()).
 */
static int
dir_same(const struct plist *l, const char *pat)
{
	const char	*last = strrchr(pat, '/');
	char		 path[4096 + 256];
	struct dirent	*e;
	DIR		*d;
	size_t		 dl, n = 0;
	int		 rc = 1;

	if (last == NULL || last == pat || strpbrk(pat, "[\\") != NULL ||
	    strstr(pat, "//") != NULL || strpbrk(last, "*?") == NULL ||
	    strcspn(pat, "*?") < (size_t)(last - pat))
		return -1;
	dl = (size_t)(last - pat);
	memcpy(path, pat, dl);
	path[dl] = '\0';
	if ((d = opendir(path)) == NULL)
		return errno == ENOENT || errno == ENOTDIR ?
		    l->p->nmatch == 0 : -2;
	path[dl++] = '/';
	while (rc == 1 && (errno = 0, e = readdir(d)) != NULL) {
		memcpy(path + dl, e->d_name, strlen(e->d_name) + 1);
		if (in_list(l, path))
			n++;
		else if (fnmatch(last + 1, e->d_name, FNM_PERIOD) == 0)
			rc = 0;
	}
	if (rc == 1 && errno != 0)
		rc = -2;
	closedir(d);
	return rc == 1 ? n == l->p->nmatch : rc;
}

/* An include pattern matches the files it matched, no more, no fewer. */
static bool
pat_fresh(const struct cfg_pat *p, const char *ini, const char **why)
{
	char		**names, pat[4096], m[4096];
	const char	*w;
	size_t		 n, i;
	const char	*slash = strrchr(ini, '/');
	struct plist	 l = { p, slash != NULL ? (size_t)(slash - ini) + 1 : 0,
			    ini };
	bool		 same;
	int		 rc = -1;

	if (strpbrk(p->pattern, "*?[") == NULL)
		return true;	/* a file: its record says */
	if (!prov_beside(pat, sizeof(pat), ini, p->pattern))
		return stale(why, p->pattern, "cannot be matched");
	if (plist_ok(p) && (rc = dir_same(&l, pat)) >= 0)
		return rc == 1 ? true : stale(why, pat, "matches other files now");
	if (rc == -2 || prov_fs->glob(pat, &names, &n, &w) != 0)
		return stale(why, p->pattern, "cannot be matched");
	same = n == p->nmatch;
	for (i = 0; same && i < n; i++)
		same = prov_beside(m, sizeof(m), ini, p->match[i]) &&
		    strcmp(names[i], m) == 0;
	prov_names_free(names, n);
	return same ? true : stale(why, pat, "matches other files now");
}

/*
 * The image is current when every file it was made from is unchanged
 * (the INI is ini itself, whatever name --compile gave it).
 */
static bool
fresh(const struct config *cf, const char *ini, const char **why)
{
	char	path[4096];
	size_t	i;

	for (i = 0; i < cf->nsrc; i++) {
		if (i > 0 && !prov_beside(path, sizeof(path), ini,
		    cf->src[i].path))
			return stale(why, cf->src[i].path, "path too long");
		if (!src_fresh(&cf->src[i], i == 0 ? ini : path, why))
			return false;
	}
	for (i = 0; i < cf->npat; i++)
		if (!pat_fresh(&cf->pat[i], ini, why))
			return false;
	return true;
}

/* The sources record's counts, checked; the arrays' size. */
static size_t
src_counts(struct dec *d, size_t *nsrc, size_t *npat, size_t *nmatch)
{
	size_t	i, pos, n;

	*nsrc = rd32(d->r + REC_HEAD);
	*npat = rd32(d->r + REC_HEAD + 4);
	*nmatch = 0;
	if (*nsrc == 0 || *nsrc > d->len / SRCE_LEN || *npat > d->len / 8)
		return 0;
	pos = REC_HEAD + 8 + SRCE_LEN * *nsrc;
	for (i = 0; i < *npat; i++) {
		if (pos + 8 > d->len || (n = rd32(d->r + pos + 4)) >
		    (d->len - pos - 8) / 4)
			return 0;
		*nmatch += n;
		pos += 8 + 4 * n;
	}
	return *nsrc * sizeof(struct cfg_src) + *npat * sizeof(struct cfg_pat) +
	    (*nmatch + 1) * sizeof(char *);
}

static void
dec_source(struct dec *d, size_t pos, struct cfg_src *s)
{
	const unsigned char	*p = d->r + pos;

	s->path = dec_str(d, pos, S_PATH, true);
	s->kind = p[4];
	s->racy = p[5] != 0;
	s->size = rd64(p + 8);
	s->mtime = (int64_t)rd64(p + 16);
	s->mtime_ns = rd32(p + 24);
	s->ctime_ns = rd32(p + 28);
	s->ctime = (int64_t)rd64(p + 32);
	s->ino = rd64(p + 40);
	s->dev = rd64(p + 48);
	s->ndomains = rd32(p + 56);
	memcpy(s->hash, p + 60, MAC_SHA1_LEN);
	if (p[4] > SRC_DOMAINS || p[5] > 1)
		d->bad = true;
}

/* What the image was made from, into cf->src and cf->pat. */
static bool
dec_sources(struct image *im, struct config *cf)
{
	const unsigned char	*r;
	struct dec		 d;
	size_t			 len, sz, nsrc, npat, nmatch, i, j, pos;
	const char		**m;

	if ((r = img_get(im, "\0s", 2, &len)) == NULL || len > INI_FILE_MAX ||
	    (im->srcrec = mac_alloc(len)) == NULL)
		return false;
	d.r = memcpy(im->srcrec, r, len);
	d.len = len;
	d.bad = false;
	if (!rec_ok(d.r, len, TAG_SRC, REC_HEAD + 8) ||
	    (sz = src_counts(&d, &nsrc, &npat, &nmatch)) == 0 ||
	    (cf->src = mac_alloc(sz)) == NULL)
		return false;
	cf->pat = (struct cfg_pat *)(void *)(cf->src + nsrc);
	m = (const char **)(void *)(cf->pat + npat);
	cf->nsrc = nsrc;
	cf->npat = npat;
	for (i = 0, pos = REC_HEAD + 8; i < nsrc; i++, pos += SRCE_LEN)
		dec_source(&d, pos, &cf->src[i]);
	for (i = 0; i < npat && !d.bad; i++) {
		cf->pat[i].pattern = dec_str(&d, pos, S_PATH, true);
		cf->pat[i].nmatch = rd32(d.r + pos + 4);
		cf->pat[i].match = m;
		pos += 8;
		for (j = 0; j < cf->pat[i].nmatch; j++, pos += 4)
			*m++ = dec_str(&d, pos, S_PATH, true);
	}
	return !d.bad && cf->src[0].kind == SRC_INI;
}

/* The global keys into cf; false: a value the INI cannot hold. */
static bool
dec_globals(struct image *im, struct config *cf)
{
	const unsigned char	*r;
	struct dec		 d;
	size_t			 len;
	uint32_t		 ca;
	int32_t			 ttl;

	if ((r = img_get(im, "\0g", 2, &len)) == NULL || len > 65536 ||
	    (im->glob = mac_alloc(len)) == NULL)
		return false;
	/* a copy, as dec_provider's: the strings outlive the map */
	r = memcpy(im->glob, r, len);
	if (!rec_ok(r, len, TAG_GLOB, GLOB_LEN))
		return false;
	d.r = r;
	d.len = len;
	d.bad = false;
	cf->cache_max_age = rd32(r + REC_HEAD);
	ttl = (int32_t)rd32(r + REC_HEAD + 4);
	cf->ad_ttl = ttl;
	ca = rd32(r + REC_HEAD + 8);
	cf->web_host = dec_str(&d, REC_HEAD + 12, S_DOMAIN, false);
	cf->sign_cert = dec_str(&d, REC_HEAD + 16, S_TEXT, false);
	cf->sign_key = dec_str(&d, REC_HEAD + 20, S_TEXT, false);
	cf->max_drop = (long)rd32(r + REC_HEAD + 24);
	if (d.bad || cf->cache_max_age > CACHE_AGE_MAX || cf->max_drop > 100 ||
	    (ttl != -1 && (ttl < 1 || ttl > AD_TTL_MAX)) ||
	    (cf->sign_cert == NULL) != (cf->sign_key == NULL))
		return false;
	if (ca != NONE && (im->catch_all = img_provider(im, ca)) == NULL)
		return false;
	cf->catch_all = im->catch_all;
	return true;
}

/* The signing key, read now as the INI loader reads it. */
static bool
img_signer(struct config *cf, const char *ini, const char **why)
{
	char	cp[4096], kp[4096], err[256];

	if (cf->sign_cert == NULL)
		return true;
	*why = "its signing key cannot be loaded";
	if (ini == NULL || !prov_beside(cp, sizeof(cp), ini, cf->sign_cert) ||
	    !prov_beside(kp, sizeof(kp), ini, cf->sign_key))
		return false;
	return (cf->mc_signer = mc_sign_load(cp, kp, err, sizeof(err))) != NULL;
}

static bool
img_init(struct image *im, struct config *cf, const char *ini, bool check,
    const char **why)
{
	const unsigned char	*m;
	size_t			 len;
	unsigned		 dend;

	memset(&im->db, 0, sizeof(im->db));
	im->db.cdb_fd = -1;
	im->db.cdb_fsize = (unsigned)im->len;
	im->db.cdb_mem = im->base;
	/* as cdb_init: the data end, inside [2048, size] */
	dend = cdb_unpack(im->base);
	im->db.cdb_dend = dend < 2048 ? 2048 : dend > im->len ?
	    (unsigned)im->len : dend;
	*why = "not a compiled mailautoconf config of this version";
	if ((m = img_get(im, "\0m", 2, &len)) == NULL || len != META_LEN ||
	    !rec_ok(m, len, TAG_META, META_LEN) ||
	    memcmp(m + REC_HEAD, img_magic, sizeof(img_magic)) != 0)
		return false;
	*why = "corrupt (its size or header)";
	if (rd32(m + META_FSIZE) != im->len ||
	    rd32(m + META_FSIZE + 4) != img_sum(im->base, 2048))
		return false;
	m += REC_HEAD;
	if (!dec_sources(im, cf))
		return false;
	if (ini != NULL && check && !fresh(cf, ini, why))
		return false;
	im->nprov = rd32(m + 28 + MAC_SHA1_LEN);
	cf->nprov = im->nprov;
	cf->ndomains = rd32(m + 32 + MAC_SHA1_LEN);
	*why = "corrupt";
	if (!dec_globals(im, cf))
		return false;
	return img_signer(cf, ini, why);
}

/*
 * A config answering from the image at base (len bytes).  ini: the INI it
 * must be current with (check), also naming the config; NULL: no such
 * check (the fuzz target).  NULL and *why when the image cannot be used.
 */
static struct config *
img_open(const void *base, size_t len, const char *ini, bool check,
    const char **why)
{
	struct config	*cf;
	struct image	*im;
	const char	*name = ini != NULL ? ini : "(image)";
	bool		 ok;

	*why = "too short or too long for a compiled config";
	if (len < 2048 || len > UINT32_MAX)
		return NULL;
	*why = "out of memory";
	if ((cf = mac_alloc(sizeof(*cf) + sizeof(*im) + strlen(name) + 1)) ==
	    NULL)
		return NULL;
	memset(cf, 0, sizeof(*cf) + sizeof(*im));
	im = (struct image *)(cf + 1);
	im->fd = -1;
	cf->img = im;
	cf->lookup = img_lookup;
	cf->release = img_free;
	cf->file = memcpy((char *)(im + 1), name, strlen(name) + 1);
	cf->max_drop = MAX_DROP_DEFAULT;
	im->base = base;
	im->len = len;
	bus_guard();
	if (sigsetjmp(bus_jmp, 0) != 0) {
		bus_armed = 0;
		*why = "truncated while being read";
		img_free(cf);
		return NULL;
	}
	bus_armed = 1;
	ok = img_init(im, cf, ini, check, why);
	bus_armed = 0;
	if (!ok) {
		img_free(cf);
		return NULL;
	}
	return cf;
}

struct config *
img_open_mem(const void *base, size_t len, const char *ini, const char **why)
{
	return img_open(base, len, ini, true, why);
}

/*
 * Whoever can write the image decides every answer (its checksums are no
 * defence against forgery): it must belong to the INI's owner or root,
 * be writable by nobody else, and a symbolic link to it likewise.
 * Opened without blocking (a FIFO), and only a regular file is taken.
 * The open descriptor, or -1 and *why (with the fix).
 */
static int
img_trusted(const char *path, const char *ini, struct stat *st,
    const char **why)
{
	static char	 buf[1200];
	struct stat	 ls, is;
	char		 pb[1024];
	int		 fd;

	if (stat(ini, &is) != 0) {
		*why = strerror(errno);
		return -1;
	}
	diag_safe(pb, sizeof(pb), path);
	/* a symbolic link (the one case that needs lstat): whose is it? */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOFOLLOW);
	if (fd == -1 && errno == ELOOP && lstat(path, &ls) == 0 &&
	    S_ISLNK(ls.st_mode)) {
		if (ls.st_uid != 0 && ls.st_uid != is.st_uid) {
			snprintf(buf, sizeof(buf), "a symbolic link owned by "
			    "uid %u, not by the INI's owner or root (fix: "
			    "remove it and compile again)", (unsigned)ls.st_uid);
			*why = buf;
			errno = EPERM;
			return -1;
		}
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	}
	if (fd == -1 || fstat(fd, st) != 0) {
		*why = strerror(errno);
		if (fd != -1)
			close(fd);
		return -1;
	}
	if (!S_ISREG(st->st_mode))
		snprintf(buf, sizeof(buf), "not a regular file");
	else if (st->st_uid != 0 && st->st_uid != is.st_uid)
		snprintf(buf, sizeof(buf), "owned by uid %u, not by the INI's "
		    "owner (uid %u) or root (fix: chown %u %s, or run "
		    "--compile as that user)", (unsigned)st->st_uid,
		    (unsigned)is.st_uid, (unsigned)is.st_uid, pb);
	else if (st->st_mode & (S_IWGRP | S_IWOTH))
		snprintf(buf, sizeof(buf), "writable by group or others "
		    "(fix: chmod go-w %s)", pb);
	else
		return fd;
	*why = buf;
	close(fd);
	errno = EPERM;
	return -1;
}

/*
 * The image into private memory, as one moment's bytes: a file copied
 * over it in place later cannot change what this process answers.
 */
static void *
img_copy(int fd, const struct stat *st, const char **why)
{
	struct stat	 st2;
	char		*buf;
	size_t		 got;

	*why = "out of memory";
	if ((buf = mac_alloc((size_t)st->st_size)) == NULL)
		return NULL;
	got = mac_read_all(fd, buf, (size_t)st->st_size);
	*why = "changed while being read";
	if (got != (size_t)st->st_size || fstat(fd, &st2) != 0 ||
	    st2.st_size != st->st_size ||
	    st2.st_mtim.tv_sec != st->st_mtim.tv_sec ||
	    st2.st_mtim.tv_nsec != st->st_mtim.tv_nsec ||
	    st2.st_ctim.tv_sec != st->st_ctim.tv_sec ||
	    st2.st_ctim.tv_nsec != st->st_ctim.tv_nsec) {
		mac_free(buf);
		return NULL;
	}
	return buf;
}

/* One line on log: the image is not used, why, and the fix. */
static void
not_used(FILE *log, const char *path, const char *ini, const char *why)
{
	char	pb[1024], ib[1024];

	if (log == NULL)
		return;
	diag_safe(pb, sizeof(pb), path);
	diag_safe(ib, sizeof(ib), ini);
	fprintf(log, "mailautoconf: %s: compiled config not used (%s); "
	    "parsing %s instead (fix: mailautoconf --compile -c %s)\n", pb,
	    why, ib, ib);
}

/*
 * The config of ini from its image, or NULL after one line on log saying
 * why the INI must be parsed instead, and how to fix that.  IMG_QUIET: no
 * line when there is no image at all (a CGI: a small config needs none,
 * and a line at every request would drown the one a rejected request
 * gets); a stale, untrusted or corrupt image is always said.  IMG_COPY:
 * into private memory (a server), else mapped (a CGI lives one request).
 * IMG_ANY_AGE: stale is good enough (the INI does not load).
 */
struct config *
img_load(const char *ini, FILE *log, unsigned flags)
{
	char		 path[4096];
	struct stat	 st;
	struct config	*cf = NULL;
	const char	*why = "path too long";
	void		*base;
	int		 fd = -1;

	if (img_path(path, sizeof(path), ini) != 0)
		goto say;
	errno = 0;
	if ((fd = img_trusted(path, ini, &st, &why)) == -1) {
		if (errno == ENOENT && (flags & IMG_QUIET))
			return NULL;
		if (errno == ENOENT)
			why = "missing";
		goto say;
	}
	why = "too short or too long for a compiled config";
	if (st.st_size < 2048 || (uintmax_t)st.st_size > UINT32_MAX)
		goto say;
	if (flags & IMG_COPY)
		base = img_copy(fd, &st, &why);
	else if ((base = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED,
	    fd, 0)) == MAP_FAILED) {
		why = strerror(errno);
		base = NULL;
	}
	if (base == NULL)
		goto say;
	if ((cf = img_open(base, (size_t)st.st_size, ini,
	    !(flags & IMG_ANY_AGE), &why)) == NULL) {
		if (flags & IMG_COPY)
			mac_free(base);
		else
			munmap(base, (size_t)st.st_size);
		goto say;
	}
	cf->img->owned = (flags & IMG_COPY) != 0;
	cf->img->mapped = !cf->img->owned;
	if (cf->img->mapped)
		cf->img->fd = fd;
	else
		close(fd);
	return cf;
say:
	if (fd != -1)
		close(fd);
	not_used(log, path, ini, why);
	return NULL;
}

static void
img_free(struct config *cf)
{
	struct image	*im = cf->img;
	size_t		 i;

	for (i = 0; i < IMG_CACHE; i++)
		mac_free(im->cache[i].p);
	mac_free(im->catch_all);
	mac_free(im->glob);
	mac_free(im->seen);
	mac_free(im->srcrec);
	mac_free(cf->src);
	mc_sign_free(cf->mc_signer);
	if (im->mapped)
		munmap((void *)(uintptr_t)im->base, im->len);
	if (im->owned)
		mac_free((void *)(uintptr_t)im->base);
	if (im->fd != -1)
		close(im->fd);
	mac_free(cf);
}

/*
 * For the fuzz target: every record's checksum, the file size and the
 * header's checksum made right again, so that a mutated image gets past
 * the checksums to the checks of its values.
 */
void
img_reseal(unsigned char *b, size_t len)
{
	unsigned char	*v, *meta = NULL;
	size_t		 pos = 2048, dend, kl, vl;

	if (len < 2048 || len > UINT32_MAX)
		return;
	if ((dend = rd32(b)) > len)
		dend = len;
	while (pos + 8 <= dend) {
		kl = rd32(b + pos);
		vl = rd32(b + pos + 4);
		if (kl > dend - pos - 8 || vl > dend - pos - 8 - kl)
			break;
		v = b + pos + 8 + kl;
		if (kl == 2 && memcmp(b + pos + 8, "\0m", 2) == 0 &&
		    vl == META_LEN)
			meta = v;
		else if (vl >= REC_HEAD)
			wr32(v, img_sum(v + 4, vl - 4));
		pos += 8 + kl + vl;
	}
	if (meta != NULL) {
		wr32(meta + META_FSIZE, (uint32_t)len);
		wr32(meta + META_FSIZE + 4, img_sum(b, 2048));
		wr32(meta, img_sum(meta + 4, META_LEN - 4));
	}
}
