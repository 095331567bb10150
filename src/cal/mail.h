/* mail.h — iMIP mail over SMTP with libcurl: a text/plain part for people
 * and a text/calendar part (method=REQUEST or CANCEL) for their calendars. */
#ifndef TRIPOD_MAIL_H
#define TRIPOD_MAIL_H

#include <stddef.h>

#include "cal/net.h"

typedef struct {
    const char *smtp_url; /* e.g. "smtp://127.0.0.1:2525" (TRIPOD_SMTP_URL) */
    const char *from;     /* envelope and From: address (TRIPOD_MAIL_FROM) */
    const char *to;       /* one recipient */
    const char *subject;
    const char *text;       /* the human-readable body */
    const char *ics;        /* the iTIP object; NULL: no calendar part */
    const char *method;     /* "REQUEST" or "CANCEL" */
    const char *message_id; /* stable per delivery item, so a repeat can be recognised */
    long timeout_s;         /* 0 means 20 s */
    net_abort abort;        /* abandons a running send (server stopping); zero: never */
} mail_msg;

/* The MIME message text (CRLF line ends). Malloc'ed; NULL when memory ran
 * out or a header field holds a line break. */
char *mail_format(const mail_msg *m);

/* Sends M. Returns 0 once the server accepted it, or -1 with the reason in
 * ERR (no server, refused, timeout, bad address). */
int mail_send(const mail_msg *m, char *err, size_t errlen);

#endif
