/* davxml.h — reading WebDAV multistatus replies (RFC 4918 §13) with
 * libxml2, shared by the CalDAV client (caldav.c) and calendar discovery
 * (discover.c): elements matched by namespace URI, never by prefix. */
#ifndef TRIPOD_DAVXML_H
#define TRIPOD_DAVXML_H

#include <libxml/tree.h>
#include <stddef.h>

#define DAVXML_NS_DAV "DAV:"
#define DAVXML_NS_CALDAV "urn:ietf:params:xml:ns:caldav"
#define DAVXML_NS_CS "http://calendarserver.org/ns/"
#define DAVXML_NS_APPLE "http://apple.com/ns/ical/"

/* 1 when N is the element NS:NAME (namespace URI, any prefix). */
int davxml_is(const xmlNode *n, const char *ns, const char *name);

/* The first child element NS:NAME of N, or NULL (N may be NULL). Borrowed. */
xmlNode *davxml_child(const xmlNode *n, const char *ns, const char *name);

/* The text of N as a malloc'ed string; NULL when N is NULL or memory ran out. */
char *davxml_text(const xmlNode *n);

/* The text of N with leading and trailing white space removed; malloc'ed,
 * NULL when N is NULL or memory ran out. */
char *davxml_text_trim(const xmlNode *n);

/* The first prop element NS:NAME under a propstat of RESPONSE whose status
 * says 200, or NULL. Borrowed from RESPONSE's document. */
xmlNode *davxml_prop(const xmlNode *response, const char *ns, const char *name);

/* 1 when RESPONSE carries its own status line (not a propstat's) containing
 * CODE, e.g. " 404". */
int davxml_response_status(const xmlNode *response, const char *code);

/* Parses BODY[0..LEN) as a DAV:multistatus document (no network access, no
 * entity expansion). Returns the document (free with xmlFreeDoc), or NULL
 * with ERR set when it is not well-formed XML or not a multistatus. */
xmlDoc *davxml_parse_multistatus(const char *body, size_t len, char *err, size_t errlen);

/* The DAV:href of a response as a path: trimmed, scheme and host dropped,
 * so every report names one resource the same way. Malloc'ed; NULL when
 * there is none or memory ran out. */
char *davxml_href_path(const xmlNode *response);

#endif
