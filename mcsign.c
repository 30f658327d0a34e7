/*
 * mcsign.c: signing Apple configuration profiles (SPEC §6) as CMS
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
#include <sys/stat.h>

#include <limits.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "mailautoconf.h"

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
	unsigned long	 e = ERR_get_error();

	if (e == 0)
		mac_strlcpy(msg, "no details", sizeof(msg));
	else
		ERR_error_string_n(e, msg, sizeof(msg));
	ERR_clear_error();
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
	if ((b = BIO_new_file(file, "r")) == NULL) {
		ssl_error(err, errlen, "cannot open the certificate file");
		return false;
	}
	s->cert = PEM_read_bio_X509(b, NULL, no_passphrase, NULL);
	if (s->cert == NULL) {
		BIO_free(b);
		ssl_error(err, errlen, "no PEM certificate");
		return false;
	}
	if ((s->chain = sk_X509_new_null()) == NULL) {
		BIO_free(b);
		ssl_error(err, errlen, "out of memory");
		return false;
	}
	while ((x = PEM_read_bio_X509(b, NULL, no_passphrase, NULL)) != NULL)
		if (!sk_X509_push(s->chain, x)) {
			X509_free(x);
			BIO_free(b);
			ssl_error(err, errlen, "out of memory");
			return false;
		}
	ERR_clear_error();	/* the end of the file reads as an error */
	BIO_free(b);
	return true;
}

static bool
load_key(struct mc_signer *s, const char *file, char *err, size_t errlen)
{
	BIO	*b;

	if (!pem_file(file, "key", err, errlen))
		return false;
	if ((b = BIO_new_file(file, "r")) == NULL) {
		ssl_error(err, errlen, "cannot open the key file");
		return false;
	}
	s->key = PEM_read_bio_PrivateKey(b, NULL, no_passphrase, NULL);
	BIO_free(b);
	if (s->key == NULL) {
		ssl_error(err, errlen, "no unencrypted PEM private key");
		return false;
	}
	if (X509_check_private_key(s->cert, s->key) != 1) {
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

	if ((s = mac_alloc(sizeof(*s))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	memset(s, 0, sizeof(*s));
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
	X509_free(s->cert);
	EVP_PKEY_free(s->key);
	sk_X509_pop_free(s->chain, X509_free);
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

	if (n > INT_MAX || (in = BIO_new_mem_buf(data, (int)n)) == NULL)
		return -1;
	cms = CMS_sign(s->cert, s->key, s->chain, in,
	    CMS_BINARY | CMS_NOSMIMECAP);
	BIO_free(in);
	if (cms == NULL)
		goto done;
	if ((len = i2d_CMS_ContentInfo(cms, NULL)) <= 0)
		goto done;
	if ((size_t)len > o->cap - o->len) {
		o->err = true;
		rc = 0;
		goto done;
	}
	p = (unsigned char *)o->buf + o->len;
	if (i2d_CMS_ContentInfo(cms, &p) != len)
		goto done;
	o->len += (size_t)len;
	rc = 0;
done:
	CMS_ContentInfo_free(cms);
	if (rc != 0 && err != NULL)
		ssl_error(err, errlen, "cannot sign");
	ERR_clear_error();
	return rc;
}
