/*
 * probe_dns.c: the DNS look-ups of the clients' lists, through ldns, to
 * the resolver of /etc/resolv.conf or to the one --resolver names.  A
 * client sees what its resolver sees, so the probe asks a resolver too
 * (recursion desired) and reads the answer section: the CNAME chain and
 * the records at its end.  Names that come back are checked as host
 * names before anyone uses them.
 *
 * A lost UDP reply is asked again (ldns would otherwise mark the server
 * unreachable for the rest of the run), every answer is kept for the run
 * (no question is sent twice), and records too short for their type are
 * skipped, never read.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ldns/ldns.h>

#include "probe.h"

static ldns_resolver	*res;
static char		 last_error[PR_MSG_MAX];
static char		 server_name[64];	/* for messages */

/* the answers of this run, by question */
struct pd_cached {
	char		 name[DOMAIN_MAX + 1];
	ldns_rr_type	 type;
	enum pd_rc	 rc;
	ldns_pkt	*pkt;		/* PD_OK only */
	char		 err[PR_MSG_MAX];
};
static struct pd_cached	 cache[PR_DNS_CACHE];
static size_t		 ncache, oldest;
unsigned long		 pd_queries;	/* questions sent: the cost of a run */

const char *
pd_error(void)
{
	return last_error;
}

/* "IP" or "IP:PORT" or "[IPv6]:PORT"; NULL: /etc/resolv.conf */
static int
pd_server(const char *spec, char *err, size_t en)
{
	char		 ip[64];
	const char	*p = NULL, *e;
	long long	 port = 53;
	ldns_rdf	*ns;

	if (spec[0] == '[' && (e = strchr(spec, ']')) != NULL) {
		pp_copy(ip, sizeof(ip), spec + 1, (size_t)(e - spec - 1));
		p = e[1] == ':' ? e + 2 : (e[1] == '\0' ? NULL : e);
	} else if ((e = strchr(spec, ':')) != NULL && strchr(e + 1, ':') ==
	    NULL) {
		pp_copy(ip, sizeof(ip), spec, (size_t)(e - spec));
		p = e + 1;
	} else
		pp_copy(ip, sizeof(ip), spec, strlen(spec));
	if (p != NULL && mac_strtonum(p, 1, 65535, &port) != 0) {
		pr_msg(err, en, "--resolver %s: not IP[:PORT]", spec);
		return -1;
	}
	ns = ldns_rdf_new_frm_str(strchr(ip, ':') != NULL ? LDNS_RDF_TYPE_AAAA :
	    LDNS_RDF_TYPE_A, ip);
	if (ns == NULL) {
		pr_msg(err, en, "--resolver %s: not an IP address", spec);
		return -1;
	}
	res = ldns_resolver_new();
	if (res == NULL || ldns_resolver_push_nameserver(res, ns) !=
	    LDNS_STATUS_OK) {
		ldns_rdf_deep_free(ns);
		pr_msg(err, en, "out of memory");
		return -1;
	}
	ldns_rdf_deep_free(ns);
	ldns_resolver_set_port(res, (uint16_t)port);
	pr_msg(server_name, sizeof(server_name), strchr(ip, ':') != NULL ?
	    "[%s]:%lld" : "%s:%lld", ip, port);
	ldns_resolver_set_recursive(res, true);
	return 0;
}

int
pd_init(const char *spec, char *err, size_t en)
{
	struct timeval	tv = { pr_timeout, 0 };

	if (spec != NULL) {
		if (pd_server(spec, err, en) != 0)
			return -1;
	} else if (ldns_resolver_new_frm_file(&res, NULL) != LDNS_STATUS_OK) {
		pr_msg(err, en, "no resolver: /etc/resolv.conf unreadable "
		    "(use --resolver IP)");
		return -1;
	} else
		mac_strlcpy(server_name, "the resolver of /etc/resolv.conf",
		    sizeof(server_name));
	ldns_resolver_set_timeout(res, tv);
	/* as glibc's resolver: a second try when a reply is lost */
	ldns_resolver_set_retry(res, PR_DNS_TRIES);
	/* names are absolute: no search list, no default domain */
	ldns_resolver_set_defnames(res, false);
	ldns_resolver_set_dnsrch(res, false);
	ldns_resolver_set_fallback(res, true);
	return 0;
}

void
pd_free(void)
{
	size_t	i;

	for (i = 0; i < ncache; i++)
		ldns_pkt_free(cache[i].pkt);
	ncache = 0;
	if (res != NULL)
		ldns_resolver_deep_free(res);
	res = NULL;
}

/* a domain name rdf as text without the final dot, bounded */
static void
pd_name(const ldns_rdf *rd, char *dst, size_t n)
{
	char	*s = ldns_rdf2str(rd);
	size_t	 l;

	dst[0] = '\0';
	if (s == NULL)
		return;
	l = strlen(s);
	if (l > 1 && s[l - 1] == '.')
		l--;
	pp_copy(dst, n, s, l);
	free(s);
}

/* every server counts as reachable again: one lost reply is not a verdict */
static void
pd_revive(void)
{
	size_t	i;

	for (i = 0; i < ldns_resolver_nameserver_count(res); i++)
		ldns_resolver_set_nameserver_rtt(res, i, LDNS_RESOLV_RTT_MIN);
}

/* each try gets its share of what is left of the domain's time */
static bool	 expired;	/* the last question was not sent */

static int
pd_timeout(void)
{
	struct timeval	tv;
	long		left = pn_left() / PR_DNS_TRIES;

	expired = left <= 0;
	if (expired) {
		pr_msg(last_error, sizeof(last_error), "not asked: the "
		    "probe's time for this domain (%ld s) ran out",
		    pr_timeout * PR_DEADLINE_STEPS);
		return -1;
	}
	tv.tv_sec = left / 1000;
	tv.tv_usec = (left % 1000) * 1000;
	ldns_resolver_set_timeout(res, tv);
	return 0;
}

/* the question sent; *pkt holds the answer on PD_OK, else NULL */
static enum pd_rc
pd_send(const char *name, ldns_rr_type t, ldns_pkt **pkt)
{
	ldns_rdf	*q;
	ldns_status	 st;
	ldns_pkt_rcode	 rc;
	char		*tn;

	*pkt = NULL;
	if ((q = ldns_dname_new_frm_str(name)) == NULL) {
		pr_msg(last_error, sizeof(last_error), "not a DNS name");
		return PD_FAIL;
	}
	if (pd_timeout() != 0) {
		ldns_rdf_deep_free(q);
		return PD_FAIL;
	}
	pd_revive();
	pd_queries++;
	st = ldns_resolver_send(pkt, res, q, t, LDNS_RR_CLASS_IN, LDNS_RD);
	ldns_rdf_deep_free(q);
	tn = ldns_rr_type2str(t);
	if (st != LDNS_STATUS_OK || *pkt == NULL) {
		pr_msg(last_error, sizeof(last_error), "%s %s to %s: %s",
		    tn != NULL ? tn : "?", name, server_name,
		    ldns_get_errorstr_by_id(st));
		free(tn);
		return PD_FAIL;
	}
	rc = ldns_pkt_get_rcode(*pkt);
	if (rc != LDNS_RCODE_NOERROR && rc != LDNS_RCODE_NXDOMAIN) {
		const ldns_lookup_table *lt = ldns_lookup_by_id(ldns_rcodes,
		    (int)rc);

		pr_msg(last_error, sizeof(last_error), "%s answers %s %s with "
		    "rcode %d (%s)", server_name, tn != NULL ? tn : "?", name,
		    (int)rc, lt != NULL ? lt->name : "unknown");
	}
	free(tn);
	if (rc == LDNS_RCODE_NOERROR)
		return PD_OK;
	ldns_pkt_free(*pkt);
	*pkt = NULL;
	return rc == LDNS_RCODE_NXDOMAIN ? PD_NXDOMAIN : PD_FAIL;
}

/* one question, answered from this run's cache when it was asked before */
static enum pd_rc
pd_ask(const char *name, ldns_rr_type t, ldns_pkt **pkt)
{
	struct pd_cached	*c;
	enum pd_rc		 rc;
	size_t			 i;

	for (i = 0; i < ncache; i++) {
		c = &cache[i];
		if (c->type != t || strcasecmp(c->name, name) != 0)
			continue;
		*pkt = c->pkt != NULL ? ldns_pkt_clone(c->pkt) : NULL;
		mac_strlcpy(last_error, c->err, sizeof(last_error));
		return c->rc == PD_OK && *pkt == NULL ? PD_FAIL : c->rc;
	}
	rc = pd_send(name, t, pkt);
	if (expired || strlen(name) > DOMAIN_MAX)
		return rc;
	/* full: the oldest answer makes room (a ring; memory stays bounded) */
	c = &cache[ncache < PR_DNS_CACHE ? ncache : oldest++ % PR_DNS_CACHE];
	ldns_pkt_free(c->pkt);
	c->pkt = NULL;
	if (rc == PD_OK && (c->pkt = ldns_pkt_clone(*pkt)) == NULL)
		return rc;
	mac_strlcpy(c->name, name, sizeof(c->name));
	c->type = t;
	c->rc = rc;
	mac_strlcpy(c->err, rc == PD_FAIL ? last_error : "", sizeof(c->err));
	if (ncache < PR_DNS_CACHE)
		ncache++;
	return rc;
}

/* the records of type t in the answer, NULL when there are none */
static ldns_rr_list *
pd_rrs(ldns_pkt *pkt, ldns_rr_type t)
{
	return ldns_pkt_rr_list_by_type(pkt, t, LDNS_SECTION_ANSWER);
}

static void
pd_collect(ldns_pkt *pkt, ldns_rr_type t, struct pd_addrs *out)
{
	ldns_rr_list	*l;
	size_t		 i;

	if ((l = pd_rrs(pkt, t)) == NULL)
		return;
	for (i = 0; i < ldns_rr_list_rr_count(l) && out->n < PR_ADDRS_MAX;
	    i++) {
		const ldns_rdf	*rd = ldns_rr_rdf(ldns_rr_list_rr(l, i), 0);
		char		*s = rd != NULL ? ldns_rdf2str(rd) : NULL;

		if (s != NULL)
			pp_copy(out->a[out->n++], sizeof(out->a[0]), s,
			    strlen(s));
		free(s);
	}
	if (out->cname[0] == '\0' && (t == LDNS_RR_TYPE_A ||
	    t == LDNS_RR_TYPE_AAAA)) {
		ldns_rr_list *c = pd_rrs(pkt, LDNS_RR_TYPE_CNAME);

		if (c != NULL && ldns_rr_list_rr_count(c) > 0 && ldns_rr_rdf(
		    ldns_rr_list_rr(c, ldns_rr_list_rr_count(c) - 1), 0) != NULL)
			pd_name(ldns_rr_rdf(ldns_rr_list_rr(c,
			    ldns_rr_list_rr_count(c) - 1), 0), out->cname,
			    sizeof(out->cname));
		ldns_rr_list_deep_free(c);
	}
	ldns_rr_list_deep_free(l);
}

/* A and AAAA of one name, as a client's getaddrinfo would ask */
static enum pd_rc
pd_addr1(const char *name, struct pd_addrs *out)
{
	ldns_pkt	*pkt;
	enum pd_rc	 rc, rc6;

	rc = pd_ask(name, LDNS_RR_TYPE_A, &pkt);
	if (pkt != NULL) {
		pd_collect(pkt, LDNS_RR_TYPE_A, out);
		ldns_pkt_free(pkt);
	}
	if (rc == PD_FAIL || rc == PD_NXDOMAIN)
		return rc;
	rc6 = pd_ask(name, LDNS_RR_TYPE_AAAA, &pkt);
	if (pkt != NULL) {
		pd_collect(pkt, LDNS_RR_TYPE_AAAA, out);
		ldns_pkt_free(pkt);
	}
	if (out->n > 0)
		return PD_OK;
	return rc6 == PD_FAIL ? PD_FAIL : PD_NODATA;
}

/* the addresses of a name: a resolver answers with the whole CNAME chain */
enum pd_rc
pd_addr(const char *name, struct pd_addrs *out)
{
	memset(out, 0, sizeof(*out));
	return pd_addr1(name, out);
}

/* a record with all the fields of its type (a hostile answer may cut it) */
static bool
pd_whole(const ldns_rr *rr, size_t fields)
{
	size_t	i;

	if (ldns_rr_rd_count(rr) < fields)
		return false;
	for (i = 0; i < fields; i++)
		if (ldns_rr_rdf(rr, i) == NULL || ldns_rdf_size(ldns_rr_rdf(rr,
		    i)) == 0)
			return false;
	return ldns_rdf_size(ldns_rr_rdf(rr, 0)) == 2;
}

/*
 * The record of type t with the lowest first number (MX pref, SRV prio);
 * records cut short are skipped, and when none is whole: PD_NODATA.
 */
static enum pd_rc
pd_best(const char *name, ldns_rr_type t, size_t target, char *dst,
    size_t dn, unsigned *port)
{
	ldns_pkt	*pkt;
	ldns_rr_list	*l;
	ldns_rr		*rr, *best = NULL;
	enum pd_rc	 rc;
	size_t		 i;
	unsigned	 low = 65536;

	dst[0] = '\0';
	if ((rc = pd_ask(name, t, &pkt)) != PD_OK)
		return rc;
	if ((l = pd_rrs(pkt, t)) == NULL) {
		ldns_pkt_free(pkt);
		return PD_NODATA;
	}
	for (i = 0; i < ldns_rr_list_rr_count(l); i++) {
		rr = ldns_rr_list_rr(l, i);
		if (!pd_whole(rr, target + 1) || (port != NULL &&
		    ldns_rdf_size(ldns_rr_rdf(rr, 2)) != 2))
			continue;
		if (ldns_rdf2native_int16(ldns_rr_rdf(rr, 0)) < low)
			low = ldns_rdf2native_int16(ldns_rr_rdf(rr, 0)), best = rr;
	}
	if (best != NULL) {
		pd_name(ldns_rr_rdf(best, target), dst, dn);
		if (port != NULL)
			*port = ldns_rdf2native_int16(ldns_rr_rdf(best, 2));
	} else
		pr_msg(last_error, sizeof(last_error), "every %s record of %s "
		    "is cut short", t == LDNS_RR_TYPE_MX ? "MX" : "SRV", name);
	ldns_rr_list_deep_free(l);
	ldns_pkt_free(pkt);
	return best != NULL ? PD_OK : PD_NODATA;
}

enum pd_rc
pd_mx(const char *name, char *dst, size_t dn)
{
	return pd_best(name, LDNS_RR_TYPE_MX, 1, dst, dn, NULL);
}

/* RFC 2782: the target "." means "not offered here" (dst "") */
enum pd_rc
pd_srv(const char *name, char *dst, size_t dn, unsigned *port)
{
	enum pd_rc	rc = pd_best(name, LDNS_RR_TYPE_SRV, 3, dst, dn, port);

	if (rc == PD_OK && (strcmp(dst, ".") == 0 || dst[0] == '\0'))
		dst[0] = '\0';
	return rc;
}

/* the first TXT record, its strings joined */
enum pd_rc
pd_txt(const char *name, char *dst, size_t dn)
{
	ldns_pkt	*pkt;
	ldns_rr_list	*l;
	ldns_rr		*rr;
	enum pd_rc	 rc;
	size_t		 i, o = 0;

	dst[0] = '\0';
	if ((rc = pd_ask(name, LDNS_RR_TYPE_TXT, &pkt)) != PD_OK)
		return rc;
	if ((l = pd_rrs(pkt, LDNS_RR_TYPE_TXT)) == NULL) {
		ldns_pkt_free(pkt);
		return PD_NODATA;
	}
	rr = ldns_rr_list_rr(l, 0);
	for (i = 0; i < ldns_rr_rd_count(rr); i++) {
		const uint8_t	*d = ldns_rdf_data(ldns_rr_rdf(rr, i));
		size_t		 sz = ldns_rdf_size(ldns_rr_rdf(rr, i));

		if (sz < 1 || (size_t)d[0] + 1 > sz || o + d[0] + 1 > dn)
			break;
		memcpy(dst + o, d + 1, d[0]);
		o += d[0];
	}
	dst[o] = '\0';
	ldns_rr_list_deep_free(l);
	ldns_pkt_free(pkt);
	return PD_OK;
}
