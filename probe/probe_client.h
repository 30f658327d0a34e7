/*
 * probe_client.h: what probe_client.c (the clients' discovery lists and
 * acceptance rules) hands probe.c (options and output).
 */
#ifndef PROBE_CLIENT_H
#define PROBE_CLIENT_H

#include "probe.h"

/* steps in one client's list; Thunderbird's is the longest (ten) */
#define PC_STEPS_MAX	16
/* distinct mail servers checked in one run, shared by the domains of --all */
#define PC_CHECKS_MAX	256

struct pctx {
	struct address		 addr;
	char			 qaddr[ADDR_MAX * 3 + 1];	/* %-encoded */
	char			 xaddr[ADDR_MAX * 6 + 1];	/* XML-escaped */
	char			 mx[DOMAIN_MAX + 1];		/* "" none */
	char			 mxfull[DOMAIN_MAX + 1];
	char			 mxbase[DOMAIN_MAX + 1];
	char			 webhost[DOMAIN_MAX + 1];	/* for fixes */
	char			 webcanon[DOMAIN_MAX + 1];	/* its CNAME end */
	char			 webaddr[48];			/* "" unknown */
	const struct config	*cf;		/* -c, or NULL */
	bool			 onecert;	/* the SRV route, one certificate */
	const struct provider	*prov;		/* the address's, or NULL */
};

struct stepres {
	int		 verdict;	/* enum pv */
	char		 what[PR_URL_MAX];
	char		 problem[PR_MSG_MAX];
	char		 fix[PR_MSG_MAX];
	char		 note[PR_MSG_MAX];
};

struct srvuse {
	int		 check;		/* index into pc_checks */
	bool		 primary;	/* the default of its kind */
};

struct client;

struct clientres {
	const struct client	*c;
	struct stepres		 steps[PC_STEPS_MAX];
	size_t			 nsteps;
	int			 chosen;	/* -1: none */
	struct answer		 ans;
	struct srvuse		 use[PR_SRV_MAX];
	size_t			 nuse;
	size_t			 unchecked;	/* past PR_MAIL_CHECKS */
	int			 verdict;
	char			 summary[PR_MSG_MAX];
	char			 fix[PR_MSG_MAX];
};

struct pcheck {
	struct msrv	 s;
	struct mcheck	 m;
};

extern struct pcheck	 pc_checks[PC_CHECKS_MAX];
extern const size_t	 pc_nclients;

const char	*pc_client_id(size_t);
const char	*pc_client_name(size_t);
bool		 pc_client_future(size_t);
void		 pc_run(struct pctx *, size_t, struct clientres *);

#endif
