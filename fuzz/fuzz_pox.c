/*
 * fuzz_pox.c: req_pox, the bounded POX scanner (DESIGN.md §4), and what follows
 * it for a POST: req_finish and the answer, against the shipped
 * mailbox.org section and one with ews and owa lines (EXCH and WEB
 * blocks; an odd-sized input is asked as Outlook, which gets neither).
 * mailbox.org and redirect.example have activesync URLs: a mobilesync
 * schema gets the MobileSync answer, or its Redirect.
 * The answer must never hold the markup an attacker sent: the corpus
 * plants "<injected" and "X-Evil" in every field.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);
int	LLVMFuzzerInitialize(int *, char ***);

static const char INI[] =
    "[mailbox.org]\n"
    "imap = imap.mailbox.org:993 ssl\n"
    "pop3 = pop3.mailbox.org:995 ssl\n"
    "smtp = smtp.mailbox.org:465 ssl\n"
    "activesync = https://sync.mailbox.org/Microsoft-Server-ActiveSync\n"
    "[redirect.example]\n"
    "activesync = https://sync.%EMAILDOMAIN%/Microsoft-Server-ActiveSync\n"
    "autodiscover.redirect = %EMAILLOCALPART%@mailbox.org\n"
    "imap = mail.%EMAILDOMAIN% ssl username=%EMAILLOCALPART%\n"
    "smtp = mail.%EMAILDOMAIN% starttls\n"
    "[ews.example]\n"
    "ews = https://mail.%EMAILDOMAIN%:8443/EWS/Exchange.asmx auth=NTLM "
    "username=EWS\\%EMAILLOCALPART%\n"
    "owa = https://mail.ews.example/owa/?u=%EMAILADDRESS% "
    "auth=OAuth2,password-cleartext\n"
    "imap = imap.ews.example ssl\n"
    "smtp = smtp.ews.example ssl\n";

static struct config	*cf;
static struct request	 req;
static struct response	 resp;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	cf = fuzz_config(INI);
	return 0;
}

static void
check_answer(const struct response *rs)
{
	if (rs->blen > sizeof(rs->body) || rs->hlen > sizeof(rs->head))
		abort();
	if (memmem(rs->body, rs->blen, "<injected", 9) != NULL ||
	    memmem(rs->head, rs->hlen, "X-Evil", 6) != NULL)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int	st;

	if (size > BODY_MAX)
		return 0;
	memset(&req, 0, offsetof(struct request, body));
	req.method = M_POST;
	req.ep = EP_POX;
	req.body_want = -1;
	req.now_ms = 1;
	memcpy(req.body, data, size);
	req.bodylen = size;
	st = req_pox(&req, req.body, req.bodylen);
	if (st != 0)
		abort();	/* no address in the query: never a 4xx */
	if (!req.pox_error && strlen(req.qaddr) >= sizeof(req.qaddr))
		abort();
	if (strlen(req.schema_uri) > SCHEMA_MAX)
		abort();
	/* the whole request path, as main.c runs it */
	memset(&req, 0, offsetof(struct request, body));
	req.method = M_POST;
	req.ep = EP_POX;
	req.now_ms = 1;
	req.bodylen = size;
	req.ua_outlook = (size & 1) != 0;
	if ((st = req_finish(&req)) != 0)
		http_error(&resp, &req, st);
	else
		http_respond(cf, &req, &resp);
	check_answer(&resp);
	return 0;
}
