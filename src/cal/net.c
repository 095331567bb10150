/* net.c — the libcurl settings shared by the CalDAV, ICS and SMTP clients. */
#include "cal/net.h"

int net_aborted(const net_abort *abort)
{
    return abort && abort->fn && abort->fn(abort->ctx);
}

static int on_progress(void *ctx, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow)
{
    (void)dltotal;
    (void)dlnow;
    (void)ultotal;
    (void)ulnow;
    return net_aborted(ctx);
}

void net_limits(CURL *h, long timeout_s, const net_abort *abort)
{
    long timeout = timeout_s > 0 ? timeout_s : 20;
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, timeout);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, timeout < 10 ? timeout : 10L);
    if (abort && abort->fn) {
        curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
        curl_easy_setopt(h, CURLOPT_XFERINFODATA, (void *)abort);
        curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    }
}
