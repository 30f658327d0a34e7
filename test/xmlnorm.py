#!/usr/bin/env python3
"""xmlnorm.py FILE [--no-domains]: a config-v1.1.xml as the clients read it,
one line per element, for comparing two answers (t13-import.sh).

Children are put in a stable order by element name: the order among
siblings of one name (servers, authentication methods, descriptions) is
kept, because it matters to clients; the order of different names
(hostname before port) is not, because no reader cares.  Text is
trimmed with inner white space as one space, as readers see it.
--no-domains drops <domain> elements: a served answer lists only the
domain asked about.
"""
import sys
import xml.etree.ElementTree as ET


def norm(text):
    return " ".join((text or "").split())


def walk(el, path, out, no_domains):
    if no_domains and el.tag == "domain":
        return
    here = path + "/" + el.tag
    attrs = " ".join('%s="%s"' % kv for kv in sorted(el.attrib.items()))
    out.append("%s [%s] %s" % (here, attrs, norm(el.text)))
    for child in sorted(list(el), key=lambda c: c.tag):
        walk(child, here, out, no_domains)


def main():
    no_domains = "--no-domains" in sys.argv[2:]
    out = []
    walk(ET.parse(sys.argv[1]).getroot(), "", out, no_domains)
    print("\n".join(out))


main()
