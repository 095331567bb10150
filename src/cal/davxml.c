/* davxml.c — WebDAV multistatus helpers on libxml2 (see davxml.h). */
#include "cal/davxml.h"

#include <libxml/parser.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int davxml_is(const xmlNode *n, const char *ns, const char *name)
{
    return n && n->type == XML_ELEMENT_NODE && n->ns && n->ns->href &&
           strcmp((const char *)n->ns->href, ns) == 0 && strcmp((const char *)n->name, name) == 0;
}

xmlNode *davxml_child(const xmlNode *n, const char *ns, const char *name)
{
    for (xmlNode *k = n ? n->children : NULL; k; k = k->next)
        if (davxml_is(k, ns, name)) return k;
    return NULL;
}

char *davxml_text(const xmlNode *n)
{
    if (!n) return NULL;
    xmlChar *x = xmlNodeGetContent(n);
    char *s = strdup(x ? (const char *)x : "");
    xmlFree(x);
    return s;
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

char *davxml_text_trim(const xmlNode *n)
{
    char *s = davxml_text(n);
    if (!s) return NULL;
    char *p = s, *end = s + strlen(s);
    while (is_space(*p))
        p++;
    while (end > p && is_space(end[-1]))
        end--;
    memmove(s, p, (size_t)(end - p));
    s[end - p] = '\0';
    return s;
}

/* 1 when a propstat's status line says 200. */
static int propstat_ok(const xmlNode *ps)
{
    char *st = davxml_text(davxml_child(ps, DAVXML_NS_DAV, "status"));
    int ok = st && strstr(st, " 200") != NULL;
    free(st);
    return ok;
}

xmlNode *davxml_prop(const xmlNode *response, const char *ns, const char *name)
{
    for (xmlNode *ps = response->children; ps; ps = ps->next) {
        if (!davxml_is(ps, DAVXML_NS_DAV, "propstat") || !propstat_ok(ps)) continue;
        xmlNode *v = davxml_child(davxml_child(ps, DAVXML_NS_DAV, "prop"), ns, name);
        if (v) return v;
    }
    return NULL;
}

int davxml_response_status(const xmlNode *response, const char *code)
{
    char *st = davxml_text(davxml_child(response, DAVXML_NS_DAV, "status"));
    int hit = st && strstr(st, code) != NULL;
    free(st);
    return hit;
}

xmlDoc *davxml_parse_multistatus(const char *body, size_t len, char *err, size_t errlen)
{
    xmlDoc *doc = len <= INT_MAX
                      ? xmlReadMemory(body, (int)len, "multistatus.xml", NULL,
                                      XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING)
                      : NULL;
    if (!doc || !davxml_is(xmlDocGetRootElement(doc), DAVXML_NS_DAV, "multistatus")) {
        snprintf(err, errlen, "unreadable multistatus reply");
        xmlFreeDoc(doc);
        return NULL;
    }
    return doc;
}

char *davxml_href_path(const xmlNode *response)
{
    char *h = davxml_text_trim(davxml_child(response, DAVXML_NS_DAV, "href"));
    if (!h) return NULL;
    const char *p = h;
    if (strncasecmp(p, "http://", 7) == 0 || strncasecmp(p, "https://", 8) == 0) {
        const char *slash = strchr(strstr(p, "//") + 2, '/');
        p = slash ? slash : "/";
    }
    char *out = strdup(p);
    free(h);
    return out;
}
