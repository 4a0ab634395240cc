/*
 * rssp-fault-proxy EMU_DIR UPSTREAM_PORT: the fault proxy (fault_proxy.h)
 * for shell tests. Prints its port on the first line of stdout, then reads
 * one command per line from stdin and answers each with one line ("ok",
 * a JSON object for "stats", or "error: ..."). EOF or "quit" stops it.
 *
 *   pass                          new connections relay, no rule, no slowness
 *   stall                         new connections are accepted and never answered
 *   refuse MS                     refuse new connections for MS ms
 *   reset N                       reset (RST) the next N new connections
 *   rule ACTION COUNT [match=PATH] [reused] [refuse=MS] [reset=N]
 *                                 ACTION: pass drop no_answer hold; COUNT -1 = all
 *   slow BYTES MS                 answers in BYTES-byte chunks every MS ms
 *   close                         close every open connection
 *   stats / zero                  print / zero the counters
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fault_proxy.h"

static int parse_rule(char *args, rssp_proxy_rule *r)
{
    char *save = NULL;
    char *action = strtok_r(args, " \t", &save);
    char *count = strtok_r(NULL, " \t", &save);
    if (action == NULL || count == NULL)
        return -1;
    static const char *const names[] = {"pass", "drop", "no_answer", "hold"};
    int a = -1;
    for (int i = 0; i < 4; i++)
        if (strcmp(action, names[i]) == 0)
            a = i;
    if (a < 0)
        return -1;
    r->action = (rssp_proxy_req_action)a;
    r->count = atoi(count);
    for (char *w; (w = strtok_r(NULL, " \t", &save)) != NULL;) {
        if (strncmp(w, "match=", 6) == 0)
            r->match = w + 6;
        else if (strcmp(w, "reused") == 0)
            r->reused_only = true;
        else if (strncmp(w, "refuse=", 7) == 0)
            r->refuse_ms = atoi(w + 7);
        else if (strncmp(w, "reset=", 6) == 0)
            r->reset_next = atoi(w + 6);
        else
            return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s EMU_DIR UPSTREAM_PORT\n", argv[0]);
        return 2;
    }
    rssp_proxy *p;
    if (rssp_proxy_start(argv[1], atoi(argv[2]), &p) != 0)
        return 1;
    printf("%d\n", rssp_proxy_port(p));
    fflush(stdout);
    char line[1024];
    while (fgets(line, sizeof line, stdin) != NULL) {
        line[strcspn(line, "\r\n")] = '\0';
        char *args = strchr(line, ' ');
        if (args != NULL)
            *args++ = '\0';
        int ok = 0;
        if (strcmp(line, "quit") == 0) {
            break;
        } else if (strcmp(line, "pass") == 0) {
            rssp_proxy_set_conn_mode(p, RSSP_PROXY_CONN_PASS);
            rssp_proxy_set_rule(p, NULL);
            rssp_proxy_set_slow(p, 0, 0);
        } else if (strcmp(line, "stall") == 0) {
            rssp_proxy_set_conn_mode(p, RSSP_PROXY_CONN_STALL);
        } else if (strcmp(line, "refuse") == 0 && args != NULL) {
            rssp_proxy_refuse(p, atoi(args));
        } else if (strcmp(line, "reset") == 0 && args != NULL) {
            rssp_proxy_reset_next(p, atoi(args));
        } else if (strcmp(line, "rule") == 0 && args != NULL) {
            rssp_proxy_rule r = {0};
            ok = parse_rule(args, &r);
            if (ok == 0)
                rssp_proxy_set_rule(p, &r);
        } else if (strcmp(line, "slow") == 0 && args != NULL) {
            int bytes = 0, ms = 0;
            ok = sscanf(args, "%d %d", &bytes, &ms) == 2 ? 0 : -1;
            if (ok == 0)
                rssp_proxy_set_slow(p, bytes, ms);
        } else if (strcmp(line, "close") == 0) {
            rssp_proxy_close_all(p);
        } else if (strcmp(line, "zero") == 0) {
            rssp_proxy_reset_stats(p);
        } else if (strcmp(line, "stats") == 0) {
            rssp_proxy_stats s;
            rssp_proxy_get_stats(p, &s);
            printf("{\"connections\":%ld,\"resets\":%ld,\"refusedMs\":%ld,\"requests\":%ld,"
                   "\"matched\":%ld,"
                   "\"faults\":%ld,\"inFlight\":%ld,\"maxInFlight\":%ld}\n",
                   s.connections, s.resets, s.refused_ms, s.requests, s.matched, s.faults,
                   s.in_flight, s.max_in_flight);
            fflush(stdout);
            continue;
        } else {
            ok = -1;
        }
        puts(ok == 0 ? "ok" : "error: unknown command or bad arguments");
        fflush(stdout);
    }
    rssp_proxy_stop(p);
    return 0;
}
