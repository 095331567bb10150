/* ratelimit.c — token buckets keyed by client address in a chained hash table;
 * idle buckets (full again) are dropped when the table is swept. */
#include "api/ratelimit.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define RL_BUCKETS 1024
#define RL_SWEEP_EVERY 4096 /* requests between sweeps of idle clients */

typedef struct rl_entry {
    struct rl_entry *next;
    int64_t last_ms; /* when TOKENS was last refilled */
    double tokens;
    char client[64];
} rl_entry;

struct ratelimit {
    pthread_mutex_t mu;
    int limit;
    double per_ms; /* tokens regained per millisecond */
    unsigned ops;
    rl_entry *table[RL_BUCKETS];
};

static unsigned rl_hash(const char *s)
{
    unsigned h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h % RL_BUCKETS;
}

ratelimit *ratelimit_new(int limit)
{
    ratelimit *rl = calloc(1, sizeof *rl);
    if (!rl) return NULL;
    pthread_mutex_init(&rl->mu, NULL);
    rl->limit = limit;
    rl->per_ms = limit / 60000.0;
    return rl;
}

void ratelimit_free(ratelimit *rl)
{
    if (!rl) return;
    for (size_t i = 0; i < RL_BUCKETS; i++) {
        rl_entry *e = rl->table[i];
        while (e) {
            rl_entry *next = e->next;
            free(e);
            e = next;
        }
    }
    pthread_mutex_destroy(&rl->mu);
    free(rl);
}

static void rl_refill(ratelimit *rl, rl_entry *e, int64_t now_ms)
{
    if (now_ms > e->last_ms) {
        e->tokens += (double)(now_ms - e->last_ms) * rl->per_ms;
        if (e->tokens > rl->limit) e->tokens = rl->limit;
        e->last_ms = now_ms;
    }
}

/* Drops clients whose bucket is full again: they are indistinguishable from new ones. */
static void rl_sweep(ratelimit *rl, int64_t now_ms)
{
    for (size_t i = 0; i < RL_BUCKETS; i++) {
        rl_entry **pp = &rl->table[i];
        while (*pp) {
            rl_entry *e = *pp;
            rl_refill(rl, e, now_ms);
            if (e->tokens >= rl->limit) {
                *pp = e->next;
                free(e);
            } else {
                pp = &e->next;
            }
        }
    }
}

int ratelimit_take(ratelimit *rl, const char *client, int64_t now_ms)
{
    int wait = 0;
    pthread_mutex_lock(&rl->mu);
    if (++rl->ops % RL_SWEEP_EVERY == 0) rl_sweep(rl, now_ms);
    unsigned h = rl_hash(client);
    rl_entry *e = rl->table[h];
    while (e && strcmp(e->client, client) != 0)
        e = e->next;
    if (!e) {
        e = calloc(1, sizeof *e);
        if (!e) goto out; /* out of memory: let the request through rather than fail it */
        strncpy(e->client, client, sizeof e->client - 1);
        e->tokens = rl->limit;
        e->last_ms = now_ms;
        e->next = rl->table[h];
        rl->table[h] = e;
    }
    rl_refill(rl, e, now_ms);
    if (e->tokens >= 1.0) {
        e->tokens -= 1.0;
    } else {
        double ms = (1.0 - e->tokens) / rl->per_ms;
        wait = (int)(ms / 1000.0) + 1;
    }
out:
    pthread_mutex_unlock(&rl->mu);
    return wait;
}
