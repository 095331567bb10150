/* mail.c — formats an iMIP message (multipart/alternative: text/plain +
 * text/calendar, both base64) and hands it to an SMTP server with libcurl. */
#include "cal/mail.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/array.h"

typedef struct {
    char *p;
    size_t n, cap;
    int oom;
} buf;

static void put(buf *b, const char *s, size_t n)
{
    if (b->oom) return;
    if (ARRAY_RESERVE(b->p, b->cap, b->n + n + 1, 256) != 0) {
        b->oom = 1;
        return;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
}

static void puts_(buf *b, const char *s)
{
    put(b, s, strlen(s));
}

static const char B64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Base64 of S[0..N), in lines of 76 characters when WRAP. */
static void base64(buf *b, const unsigned char *s, size_t n, int wrap)
{
    size_t col = 0;
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)s[i] << 16;
        if (i + 1 < n) v |= (unsigned)s[i + 1] << 8;
        if (i + 2 < n) v |= s[i + 2];
        char q[4] = {B64[v >> 18 & 63], B64[v >> 12 & 63], i + 1 < n ? B64[v >> 6 & 63] : '=',
                     i + 2 < n ? B64[v & 63] : '='};
        put(b, q, 4);
        col += 4;
        if (wrap && col >= 76) {
            puts_(b, "\r\n");
            col = 0;
        }
    }
    if (wrap && col) puts_(b, "\r\n");
}

static int has_break(const char *s)
{
    return s && strpbrk(s, "\r\n") != NULL;
}

static int is_ascii(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s >= 0x80) return 0;
    return 1;
}

char *mail_format(const mail_msg *m)
{
    if (!m->from || !m->to || !m->subject || !m->text || has_break(m->from) || has_break(m->to) ||
        has_break(m->subject) || has_break(m->message_id) || has_break(m->method))
        return NULL;
    buf b = {0};
    char line[512], date[64];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm);
    const char *boundary = "=_tripod_part_boundary_7f3a";
    snprintf(line, sizeof line, "From: %s\r\nTo: %s\r\nDate: %s\r\n", m->from, m->to, date);
    puts_(&b, line);
    if (m->message_id) {
        snprintf(line, sizeof line, "Message-ID: <%s>\r\n", m->message_id);
        puts_(&b, line);
    }
    puts_(&b, "Subject: ");
    if (is_ascii(m->subject)) {
        puts_(&b, m->subject);
    } else {
        puts_(&b, "=?UTF-8?B?");
        base64(&b, (const unsigned char *)m->subject, strlen(m->subject), 0);
        puts_(&b, "?=");
    }
    snprintf(
        line, sizeof line,
        "\r\nMIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=\"%s\"\r\n\r\n",
        boundary);
    puts_(&b, line);
    snprintf(line, sizeof line,
             "--%s\r\nContent-Type: text/plain; charset=UTF-8\r\n"
             "Content-Transfer-Encoding: base64\r\n\r\n",
             boundary);
    puts_(&b, line);
    base64(&b, (const unsigned char *)m->text, strlen(m->text), 1);
    if (m->ics) {
        snprintf(line, sizeof line,
                 "--%s\r\nContent-Type: text/calendar; charset=UTF-8; method=%s\r\n"
                 "Content-Transfer-Encoding: base64\r\n\r\n",
                 boundary, m->method ? m->method : "REQUEST");
        puts_(&b, line);
        base64(&b, (const unsigned char *)m->ics, strlen(m->ics), 1);
    }
    snprintf(line, sizeof line, "--%s--\r\n", boundary);
    puts_(&b, line);
    if (b.oom) {
        free(b.p);
        return NULL;
    }
    return b.p;
}

typedef struct {
    const char *p;
    size_t left;
} reader;

static size_t on_read(char *dst, size_t size, size_t n, void *userp)
{
    reader *r = userp;
    size_t k = size * n < r->left ? size * n : r->left;
    memcpy(dst, r->p, k);
    r->p += k;
    r->left -= k;
    return k;
}

int mail_send(const mail_msg *m, char *err, size_t errlen)
{
    if (!m->smtp_url || !*m->smtp_url) {
        snprintf(err, errlen, "no mail server configured (TRIPOD_SMTP_URL)");
        return -1;
    }
    char *text = mail_format(m);
    if (!text) {
        snprintf(err, errlen, "cannot format the message (bad address or header)");
        return -1;
    }
    CURL *h = curl_easy_init();
    struct curl_slist *rcpt = NULL;
    char from[512], to[512];
    int rc = -1;
    snprintf(from, sizeof from, "<%s>", m->from);
    snprintf(to, sizeof to, "<%s>", m->to);
    if (!h || !(rcpt = curl_slist_append(NULL, to))) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    reader r = {text, strlen(text)};
    curl_easy_setopt(h, CURLOPT_URL, m->smtp_url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    net_limits(h, m->timeout_s, &m->abort);
    curl_easy_setopt(h, CURLOPT_MAIL_FROM, from);
    curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(h, CURLOPT_READFUNCTION, on_read);
    curl_easy_setopt(h, CURLOPT_READDATA, &r);
    curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
    CURLcode cc = curl_easy_perform(h);
    if (cc != CURLE_OK) {
        long code = 0;
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
        if (code)
            snprintf(err, errlen, "mail server answered %ld (%s)", code, curl_easy_strerror(cc));
        else
            snprintf(err, errlen, "mail: %s", curl_easy_strerror(cc));
        goto out;
    }
    rc = 0;
out:
    curl_slist_free_all(rcpt);
    if (h) curl_easy_cleanup(h);
    free(text);
    return rc;
}
