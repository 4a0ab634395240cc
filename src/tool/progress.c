#include "tool/progress.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

typedef struct {
    void (*work)(void *);
    void *arg;
    int done_fd; /* written once work has returned */
} job;

static void *run_job(void *p)
{
    job *j = p;
    j->work(j->arg);
    char byte = 1;
    while (write(j->done_fd, &byte, 1) < 0 && errno == EINTR)
        ;
    return NULL;
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void tool_wait_with_progress(void (*work)(void *), void *arg, const char *what, long limit_ms)
{
    int fds[2];
    if (!isatty(STDERR_FILENO) || pipe(fds) != 0) {
        work(arg);
        return;
    }
    job j = {work, arg, fds[1]};
    pthread_t thread;
    if (pthread_create(&thread, NULL, run_job, &j) != 0) {
        close(fds[0]);
        close(fds[1]);
        work(arg);
        return;
    }
    long long deadline = now_ms() + limit_ms;
    for (;;) {
        long long left = deadline - now_ms();
        if (left < 0)
            left = 0;
        long s = (long)((left + 999) / 1000);
        /* \r and "erase to the end of line": one line, rewritten in place. */
        fprintf(stderr, "\rrssp-tool: %s, %ld:%02ld left\033[K", what, s / 60, s % 60);
        fflush(stderr);
        struct pollfd pf = {fds[0], POLLIN, 0};
        int n = poll(&pf, 1, 1000);
        if (n > 0 || (n < 0 && errno != EINTR))
            break;
    }
    fputs("\r\033[K", stderr);
    fflush(stderr);
    pthread_join(thread, NULL);
    close(fds[0]);
    close(fds[1]);
}
