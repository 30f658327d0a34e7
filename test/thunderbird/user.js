// The profile of test/t21-thunderbird.sh (@HTTP_PORT@ and @MN_PORT@ are
// filled in).  Every HTTP and HTTPS request goes to the suite's nginx as
// proxy, never directly; nothing else of Thunderbird talks to a network.
user_pref("marionette.port", @MN_PORT@);

// all of http and https through nginx on 127.0.0.1; https (CONNECT) fails
user_pref("network.proxy.type", 1);
user_pref("network.proxy.http", "127.0.0.1");
user_pref("network.proxy.http_port", @HTTP_PORT@);
user_pref("network.proxy.ssl", "127.0.0.1");
user_pref("network.proxy.ssl_port", @HTTP_PORT@);
user_pref("network.proxy.share_proxy_settings", false);
user_pref("network.proxy.no_proxies_on", "");
user_pref("network.proxy.allow_hijacking_localhost", true);
user_pref("network.proxy.failover_direct", false);
// the test serves http only: no upgrade of preloaded HSTS domains (such
// as mailbox.org, whose every subdomain would otherwise be https)
user_pref("network.stricttransportsecurity.preloadlist", false);
// the native resolver answers 127.0.0.1 for every name; no DNS over HTTPS
user_pref("network.dns.native-is-localhost", true);
user_pref("network.trr.mode", 5);
user_pref("network.dns.disablePrefetch", true);
user_pref("network.predictor.enabled", false);
user_pref("network.prefetch-next", false);
user_pref("network.http.speculative-parallel-limit", 0);
user_pref("network.captive-portal-service.enabled", false);
user_pref("network.connectivity-service.enabled", false);

// no updates, telemetry, add-on or remote-settings traffic
user_pref("app.update.auto", false);
user_pref("app.update.enabled", false);
user_pref("extensions.update.enabled", false);
user_pref("extensions.systemAddon.update.enabled", false);
user_pref("extensions.getAddons.cache.enabled", false);
user_pref("datareporting.policy.dataSubmissionEnabled", false);
user_pref("datareporting.healthreport.uploadEnabled", false);
user_pref("toolkit.telemetry.enabled", false);
user_pref("toolkit.telemetry.unified", false);
user_pref("toolkit.telemetry.archive.enabled", false);
user_pref("toolkit.telemetry.server", "");
user_pref("browser.safebrowsing.malware.enabled", false);
user_pref("browser.safebrowsing.phishing.enabled", false);
user_pref("browser.safebrowsing.downloads.enabled", false);
user_pref("browser.safebrowsing.provider.mozilla.updateURL", "");
user_pref("mail.provider.enabled", false);
user_pref("mail.shell.checkDefaultClient", false);
user_pref("mailnews.start_page.enabled", false);
user_pref("mail.rights.version", 1);

// account setup: the ISP database is mailautoconf itself (Thunderbird
// puts the domain where {{domain}} stands); http lookups allowed
user_pref("mailnews.auto_config_url", "http://autoconfig.{{domain}}/v1.1/mail/config-v1.1.xml");
user_pref("mailnews.auto_config.fetchFromISP.enabled", true);
user_pref("mailnews.auto_config.fetchFromISP.sslOnly", false);
user_pref("mailnews.auto_config.fetchFromISP.sendEmailAddress", true);
user_pref("mailnews.auto_config.fetchFromExchange.enabled", true);
// Microsoft Graph servers: read by readFromXML only with this pref, which
// is false in 153 ESR (true from 154 on)
user_pref("mail.graph.enabled", true);
