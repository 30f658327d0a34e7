/*
 * mcsign.c: signing Apple configuration profiles (DESIGN.md §6) as CMS
 * SignedData, with libcrypto.
 *
 * An unsigned profile installs, but iOS and macOS mark it "Not Verified";
 * signed with a certificate the device trusts it shows "Verified".  The
 * certificate and key (global keys mobileconfig.sign_cert and
 * mobileconfig.sign_key, PEM) are read once when the config is loaded;
 * further certificates in the sign_cert file (the intermediate chain) go
 * into the signature so that the device can build the path.
 *
 * At load a throw-away signature is made: it proves the key matches, and
 * it makes OpenSSL read its own configuration and seed its random
 * generator then, not at the first request (when a sandbox may no longer
 * allow it).  Signing a request allocates inside OpenSSL; that is the one
 * exception to "no allocation per request", and only for signed profiles.
 */
#include <sys/prctl.h>
#include <sys/stat.h>

#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/opensslv.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "mailautoconf.h"

/*
 * libcrypto is opened when a config asks for signing, not linked: linked,
 * the dynamic loader spends about 3.8 million instructions relocating it
 * at every start, twenty times what a whole CGI request costs us
 * (callgrind), for a feature most sites never turn on.
 */
#define STR_(x)		#x
#define STR(x)		STR_(x)
#define LIBCRYPTO	"libcrypto.so." STR(OPENSSL_VERSION_MAJOR)

/*
 * Each pointer has the type of the real declaration in the OpenSSL
 * headers (__typeof__), so the compiler checks every call through it.
 */
#define FN(n)	__typeof__(n)	*n
static struct {
	void		*dl;
	FN(BIO_new_file);
	FN(BIO_new_mem_buf);
	FN(BIO_free);
	FN(PEM_read_bio_X509);
	FN(PEM_read_bio_PrivateKey);
	FN(X509_free);
	FN(X509_check_private_key);
	FN(EVP_PKEY_free);
	FN(OPENSSL_sk_new_null);
	FN(OPENSSL_sk_push);
	FN(OPENSSL_sk_pop_free);
	FN(CMS_sign);
	FN(CMS_ContentInfo_free);
	FN(i2d_CMS_ContentInfo);
	FN(ERR_get_error);
	FN(ERR_error_string_n);
	FN(ERR_clear_error);
} ssl;
#undef FN

static const struct {
	const char	*name;
	size_t		 off;
} ssl_syms[] = {
#define SYM(n)	{ #n, offsetof(__typeof__(ssl), n) }
	SYM(BIO_new_file), SYM(BIO_new_mem_buf), SYM(BIO_free),
	SYM(PEM_read_bio_X509), SYM(PEM_read_bio_PrivateKey),
	SYM(X509_free), SYM(X509_check_private_key), SYM(EVP_PKEY_free),
	SYM(OPENSSL_sk_new_null), SYM(OPENSSL_sk_push),
	SYM(OPENSSL_sk_pop_free), SYM(CMS_sign), SYM(CMS_ContentInfo_free),
	SYM(i2d_CMS_ContentInfo), SYM(ERR_get_error),
	SYM(ERR_error_string_n), SYM(ERR_clear_error),
#undef SYM
};

/*
 * Set before a server enters its sandbox, which lets no new library be
 * mapped: a reload that turns signing on fails with a message that says
 * what to do, instead of dlopen()'s "cannot open shared object file".
 */
static bool	sealed;

void
mc_sign_seal(void)
{
	sealed = true;
}

/* Open libcrypto once; it stays open for the life of the process. */
static bool
ssl_open(char *err, size_t errlen)
{
	size_t		 i;
	void		*p;
	const char	*e;

	if (ssl.dl != NULL)
		return true;
	if (sealed) {
		snprintf(err, errlen, "signing needs a restart: this server "
		    "started without it, and its sandbox loads no library");
		return false;
	}
	if ((ssl.dl = dlopen(LIBCRYPTO, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		e = dlerror();
		snprintf(err, errlen, "signing needs %s: %s", LIBCRYPTO,
		    e != NULL ? e : "cannot load it");
		return false;
	}
	for (i = 0; i < sizeof(ssl_syms) / sizeof(ssl_syms[0]); i++) {
		if ((p = dlsym(ssl.dl, ssl_syms[i].name)) == NULL) {
			snprintf(err, errlen, "%s has no %s", LIBCRYPTO,
			    ssl_syms[i].name);
			dlclose(ssl.dl);
			ssl.dl = NULL;
			return false;
		}
		memcpy((char *)&ssl + ssl_syms[i].off, &p, sizeof(p));
	}
	return true;
}

struct mc_signer {
	X509		*cert;
	EVP_PKEY	*key;
	STACK_OF(X509)	*chain;
};

/* Encrypted keys are refused rather than prompted for on a terminal. */
static int
no_passphrase(char *buf, int size, int rw, void *u)
{
	(void)buf;
	(void)size;
	(void)rw;
	(void)u;
	return -1;
}

static void
ssl_error(char *err, size_t errlen, const char *what)
{
	char		 msg[160];
	unsigned long	 e = ssl.ERR_get_error();

	if (e == 0)
		mac_strlcpy(msg, "no details", sizeof(msg));
	else
		ssl.ERR_error_string_n(e, msg, sizeof(msg));
	ssl.ERR_clear_error();
	snprintf(err, errlen, "%s: %s", what, msg);
}

/*
 * A PEM file is a small regular file: not a FIFO, a device or /dev/zero,
 * which would block or never end the load.
 */
static bool
pem_file(const char *file, const char *what, char *err, size_t errlen)
{
	struct stat	st;

	if (stat(file, &st) != 0 || !S_ISREG(st.st_mode) ||
	    st.st_size > MC_PEM_MAX) {
		snprintf(err, errlen, "the %s file is not a regular file of at "
		    "most %d bytes", what, MC_PEM_MAX);
		return false;
	}
	return true;
}

/* The first certificate is the signer's; the rest are its chain. */
static bool
load_certs(struct mc_signer *s, const char *file, char *err, size_t errlen)
{
	BIO	*b;
	X509	*x;

	if (!pem_file(file, "certificate", err, errlen))
		return false;
	if ((b = ssl.BIO_new_file(file, "r")) == NULL) {
		ssl_error(err, errlen, "cannot open the certificate file");
		return false;
	}
	s->cert = ssl.PEM_read_bio_X509(b, NULL, no_passphrase, NULL);
	if (s->cert == NULL) {
		ssl.BIO_free(b);
		ssl_error(err, errlen, "no PEM certificate");
		return false;
	}
	if ((s->chain = (STACK_OF(X509) *)ssl.OPENSSL_sk_new_null()) == NULL) {
		ssl.BIO_free(b);
		ssl_error(err, errlen, "out of memory");
		return false;
	}
	while ((x = ssl.PEM_read_bio_X509(b, NULL, no_passphrase, NULL)) != NULL)
		if (!ssl.OPENSSL_sk_push((OPENSSL_STACK *)s->chain, x)) {
			ssl.X509_free(x);
			ssl.BIO_free(b);
			ssl_error(err, errlen, "out of memory");
			return false;
		}
	ssl.ERR_clear_error();	/* the end of the file reads as an error */
	ssl.BIO_free(b);
	return true;
}

static bool
load_key(struct mc_signer *s, const char *file, char *err, size_t errlen)
{
	BIO	*b;

	if (!pem_file(file, "key", err, errlen))
		return false;
	if ((b = ssl.BIO_new_file(file, "r")) == NULL) {
		ssl_error(err, errlen, "cannot open the key file");
		return false;
	}
	s->key = ssl.PEM_read_bio_PrivateKey(b, NULL, no_passphrase, NULL);
	ssl.BIO_free(b);
	if (s->key == NULL) {
		ssl_error(err, errlen, "no unencrypted PEM private key");
		return false;
	}
	if (ssl.X509_check_private_key(s->cert, s->key) != 1) {
		ssl_error(err, errlen, "the key does not match the certificate");
		return false;
	}
	return true;
}

struct mc_signer *
mc_sign_load(const char *cert, const char *key, char *err, size_t errlen)
{
	struct mc_signer	*s;
	char			 buf[8192];
	struct out		 o;

	if (!ssl_open(err, errlen))
		return NULL;
	if ((s = mac_alloc(sizeof(*s))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	memset(s, 0, sizeof(*s));
	/*
	 * A private key is about to be in memory: the Speculative Store
	 * Bypass mitigation goes on, for good (Spectre v4 could leak it; why
	 * it is off otherwise: sandbox.c).  ENXIO: the CPU is not affected,
	 * or the kernel's mitigation is off or forced either way.
	 */
	if (prctl(PR_SET_SPECULATION_CTRL, PR_SPEC_STORE_BYPASS,
	    PR_SPEC_DISABLE, 0, 0) != 0 && errno != ENXIO)
		fprintf(stderr, "mailautoconf: speculation control: %s\n",
		    strerror(errno));
	if (!load_certs(s, cert, err, errlen) ||
	    !load_key(s, key, err, errlen))
		goto bad;
	out_init(&o, buf, sizeof(buf));
	if (mc_sign(s, "warm-up", 7, &o, err, errlen) != 0)
		goto bad;
	return s;
bad:
	mc_sign_free(s);
	return NULL;
}

void
mc_sign_free(struct mc_signer *s)
{
	if (s == NULL)
		return;
	ssl.X509_free(s->cert);
	ssl.EVP_PKEY_free(s->key);
	if (s->chain != NULL)
		ssl.OPENSSL_sk_pop_free((OPENSSL_STACK *)s->chain,
		    (void (*)(void *))ssl.X509_free);
	mac_free(s);
}

/*
 * n bytes of profile into a DER SignedData with the content attached, as
 * Apple devices read it, straight into the output buffer.  Returns 0, or
 * -1 with OpenSSL's reason in err (when not NULL); a result that does not
 * fit sets o->err.
 */
int
mc_sign(const struct mc_signer *s, const char *data, size_t n, struct out *o,
    char *err, size_t errlen)
{
	CMS_ContentInfo	*cms = NULL;
	BIO		*in;
	unsigned char	*p;
	int		 len, rc = -1;

	if (n > INT_MAX || (in = ssl.BIO_new_mem_buf(data, (int)n)) == NULL)
		return -1;
	cms = ssl.CMS_sign(s->cert, s->key, s->chain, in,
	    CMS_BINARY | CMS_NOSMIMECAP);
	ssl.BIO_free(in);
	if (cms == NULL)
		goto done;
	if ((len = ssl.i2d_CMS_ContentInfo(cms, NULL)) <= 0)
		goto done;
	if ((size_t)len > o->cap - o->len) {
		o->err = true;
		rc = 0;
		goto done;
	}
	p = (unsigned char *)o->buf + o->len;
	if (ssl.i2d_CMS_ContentInfo(cms, &p) != len)
		goto done;
	o->len += (size_t)len;
	rc = 0;
done:
	ssl.CMS_ContentInfo_free(cms);
	if (rc != 0 && err != NULL)
		ssl_error(err, errlen, "cannot sign");
	ssl.ERR_clear_error();
	return rc;
}
