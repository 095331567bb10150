/* worker.c — the background thread shared by the calendar sync loop and the
 * outbox: pass, wait (period, wake or stop), repeat. */
#include "cal/worker.h"

#include <pthread.h>
#include <stdlib.h>
#include <time.h>

struct worker {
    worker_pass pass;
    void *ctx;
    tp_time now_base;
    time_t started;
    int period_ms;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int stop, wake;
};

static void *worker_main(void *arg)
{
    worker *w = arg;
    pthread_mutex_lock(&w->mu);
    while (!w->stop) {
        pthread_mutex_unlock(&w->mu);
        time_t real = time(NULL);
        int more = w->pass(w->ctx, w->now_base ? w->now_base + (real - w->started) : real, w);
        pthread_mutex_lock(&w->mu);
        if (w->stop) break;
        if (!more && !w->wake) {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            long ns = ts.tv_nsec + (long)(w->period_ms % 1000) * 1000000L;
            ts.tv_sec += w->period_ms / 1000 + ns / 1000000000L;
            ts.tv_nsec = ns % 1000000000L;
            pthread_cond_timedwait(&w->cv, &w->mu, &ts);
        }
        w->wake = 0;
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

worker *worker_start(worker_pass pass, void *ctx, tp_time now_base, int period_ms)
{
    worker *w = calloc(1, sizeof *w);
    if (!w) return NULL;
    *w = (worker){.pass = pass,
                  .ctx = ctx,
                  .now_base = now_base,
                  .started = time(NULL),
                  .period_ms = period_ms > 0 ? period_ms : 1000};
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cv, NULL);
    if (pthread_create(&w->thread, NULL, worker_main, w) != 0) {
        pthread_mutex_destroy(&w->mu);
        pthread_cond_destroy(&w->cv);
        free(w);
        return NULL;
    }
    return w;
}

int worker_stopping(worker *w)
{
    pthread_mutex_lock(&w->mu);
    int stop = w->stop;
    pthread_mutex_unlock(&w->mu);
    return stop;
}

static int stopping_hook(void *w)
{
    return worker_stopping(w);
}

net_abort worker_abort(worker *w)
{
    return (net_abort){stopping_hook, w};
}

void worker_wake(worker *w)
{
    if (!w) return;
    pthread_mutex_lock(&w->mu);
    w->wake = 1;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

void worker_stop(worker *w)
{
    if (!w) return;
    pthread_mutex_lock(&w->mu);
    w->stop = 1;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
    pthread_join(w->thread, NULL);
    pthread_mutex_destroy(&w->mu);
    pthread_cond_destroy(&w->cv);
    free(w);
}
