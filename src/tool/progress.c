#include "tool/progress.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#include "rssp/client.h"
#include "tool/terminal.h"

typedef struct {
    void (*work)(void *);
    void *arg;
    pthread_mutex_t lock;
    pthread_cond_t finished;
    bool done; /* set under lock once work has returned */
} job;

static void *run_job(void *p)
{
    job *j = p;
    j->work(j->arg);
    pthread_mutex_lock(&j->lock);
    j->done = true;
    pthread_cond_signal(&j->finished);
    pthread_mutex_unlock(&j->lock);
    return NULL;
}

/* Wait up to a second for the job; true once it is done. */
static bool wait_a_second(job *j)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 1;
    pthread_mutex_lock(&j->lock);
    while (!j->done && pthread_cond_timedwait(&j->finished, &j->lock, &until) == 0)
        ;
    bool done = j->done;
    pthread_mutex_unlock(&j->lock);
    return done;
}

void tool_wait_with_progress(void (*work)(void *), void *arg, const char *what, long limit_ms)
{
    job j = {.work = work, .arg = arg, .done = false};
    if (!tool_stderr_is_terminal()) {
        work(arg);
        return;
    }
    if (pthread_mutex_init(&j.lock, NULL) != 0) {
        work(arg);
        return;
    }
    if (pthread_cond_init(&j.finished, NULL) != 0) {
        pthread_mutex_destroy(&j.lock);
        work(arg);
        return;
    }
    pthread_t thread;
    if (pthread_create(&thread, NULL, run_job, &j) != 0) {
        work(arg);
    } else {
        long long deadline = rssp_monotonic_ms() + limit_ms;
        do {
            long long left = deadline - rssp_monotonic_ms();
            if (left < 0)
                left = 0;
            long s = (long)((left + 999) / 1000);
            /* \r and "erase to the end of line": one line, rewritten in place. */
            fprintf(stderr, "\rrssp-tool: %s, %ld:%02ld left\033[K", what, s / 60, s % 60);
            fflush(stderr);
        } while (!wait_a_second(&j));
        fputs("\r\033[K", stderr);
        fflush(stderr);
        pthread_join(thread, NULL);
    }
    pthread_cond_destroy(&j.finished);
    pthread_mutex_destroy(&j.lock);
}
