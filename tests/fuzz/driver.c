/*
 * A stand-in for libFuzzer in the default build: runs the harness over every
 * file of a seed corpus folder, then over a fixed number of deterministic
 * pseudo-random mutations of each seed (bit flips, interesting bytes and
 * tokens, inserts, deletes, duplicated chunks, truncation, splices of other
 * seeds). Same seed files, same inputs, on every run.
 *
 *   driver CORPUS_DIR [MUTATIONS_PER_SEED]   (default 2000)
 *   driver FILE...                           run these inputs once each
 *
 * When an input crashes the process it is written to crash-<pid>.bin in the
 * current folder first, so that it can be replayed and minimised.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fuzz.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define DRIVER_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define DRIVER_ASAN 1
#endif
#ifdef DRIVER_ASAN
#include <sanitizer/common_interface_defs.h>
#endif

#define DEFAULT_MUTATIONS 2000
/* Mutated inputs never grow past the seed by more than this. */
#define MAX_GROWTH 4096
#define MAX_STACKED 4

typedef struct {
    char *name;
    unsigned char *data;
    size_t len;
} seed;

/* The input being run, for the crash handler. */
static const unsigned char *volatile current_data;
static volatile size_t current_len;

static uint64_t rng_state;

static uint64_t rng(void)
{
    /* xorshift64*: small, fast and reproducible; quality is not the point. */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 2685821657736338717ULL;
}

static size_t below(size_t n)
{
    return n == 0 ? 0 : (size_t)(rng() % n);
}

static uint64_t hash_name(const char *s)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (; *s != '\0'; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h != 0 ? h : 1;
}

static void dump_current(void)
{
    char name[64];
    /* Async-signal-safe: no stdio, a hand-made decimal pid. */
    char digits[24];
    size_t nd = 0;
    for (unsigned long p = (unsigned long)getpid(); nd == 0 || p > 0; p /= 10)
        digits[nd++] = (char)('0' + p % 10);
    size_t k = 0;
    static const char prefix[] = "crash-", suffix[] = ".bin";
    memcpy(name, prefix, sizeof prefix - 1);
    k = sizeof prefix - 1;
    while (nd > 0)
        name[k++] = digits[--nd];
    memcpy(name + k, suffix, sizeof suffix);
    int fd = open(name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd >= 0) {
        const unsigned char *d = current_data;
        size_t left = current_len;
        while (left > 0) {
            ssize_t w = write(fd, d, left);
            if (w <= 0)
                break;
            d += w;
            left -= (size_t)w;
        }
        close(fd);
    }
    static const char msg1[] = "fuzz driver: the crashing input is in ";
    if (write(STDERR_FILENO, msg1, sizeof msg1 - 1) < 0 ||
        write(STDERR_FILENO, name, strlen(name)) < 0 || write(STDERR_FILENO, "\n", 1) < 0)
        return;
}

static void on_fatal_signal(int sig)
{
    dump_current();
    signal(sig, SIG_DFL);
    raise(sig);
}

static void install_crash_dump(void)
{
#ifdef DRIVER_ASAN
    __sanitizer_set_death_callback(dump_current);
#endif
    static const int sigs[] = {SIGABRT, SIGSEGV, SIGBUS, SIGFPE, SIGILL};
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        signal(sigs[i], on_fatal_signal);
}

/* Run one input from an exactly sized heap copy, so that overreads are real overreads. */
static void run_one(const unsigned char *data, size_t len)
{
    unsigned char *copy = malloc(len > 0 ? len : 1);
    if (copy == NULL) {
        fprintf(stderr, "fuzz driver: out of memory\n");
        exit(1);
    }
    if (len > 0)
        memcpy(copy, data, len);
    current_data = copy;
    current_len = len;
    LLVMFuzzerTestOneInput(copy, len);
    current_data = NULL;
    current_len = 0;
    free(copy);
}

static int read_file(const char *path, unsigned char **data, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return -1;
    unsigned char *buf = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (n == cap) {
            size_t ncap = cap == 0 ? 4096 : cap * 2;
            unsigned char *nb = realloc(buf, ncap);
            if (nb == NULL) {
                free(buf);
                fclose(f);
                return -1;
            }
            buf = nb;
            cap = ncap;
        }
        size_t r = fread(buf + n, 1, cap - n, f);
        n += r;
        if (r == 0)
            break;
    }
    int failed = ferror(f);
    fclose(f);
    if (failed) {
        free(buf);
        return -1;
    }
    *data = buf;
    *len = n;
    return 0;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(((const seed *)a)->name, ((const seed *)b)->name);
}

/* Every regular, non-hidden file of dir, sorted by name. */
static int load_corpus(const char *dir, seed **out, size_t *n_out)
{
    DIR *d = opendir(dir);
    if (d == NULL) {
        fprintf(stderr, "fuzz driver: cannot open %s: %s\n", dir, strerror(errno));
        return -1;
    }
    seed *seeds = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    int rc = 0;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char path[4096];
        struct stat sb;
        if (snprintf(path, sizeof path, "%s/%s", dir, e->d_name) >= (int)sizeof path ||
            stat(path, &sb) != 0 || !S_ISREG(sb.st_mode))
            continue;
        if (n == cap) {
            cap = cap == 0 ? 16 : cap * 2;
            seed *ns = realloc(seeds, cap * sizeof *ns);
            if (ns == NULL) {
                rc = -1;
                break;
            }
            seeds = ns;
        }
        seeds[n].name = strdup(e->d_name);
        if (seeds[n].name == NULL || read_file(path, &seeds[n].data, &seeds[n].len) != 0) {
            fprintf(stderr, "fuzz driver: cannot read %s\n", path);
            free(seeds[n].name);
            rc = -1;
            break;
        }
        n++;
    }
    closedir(d);
    if (rc == 0 && n > 0)
        qsort(seeds, n, sizeof *seeds, by_name);
    *out = seeds;
    *n_out = n;
    return rc;
}

static const unsigned char interesting_bytes[] = {
    0x00, 0x01, 0x7f, 0x80, 0xff, 0xfe, '"',  '\\', '{',  '}',  '[',  ']',  ':',  ',',
    '0',  '9',  '-',  'e',  '.',  '=',  '&',  '\n', ' ',  '/',  '+',  0x02, 0x03, 0x04,
    0x05, 0x06, 0x30, 0x31, 0x81, 0x82, 0x83, 0x84, 0xa0, 0xc0, 0xe0, 0xf0, 0xf8};

static const char *const tokens[] = {
    "null",
    "true",
    "false",
    "1e999",
    "-1",
    "0",
    "-0",
    "2147483648",
    "9007199254740993",
    "1.5",
    "\"\"",
    "[]",
    "{}",
    "[[[[[[[[[[[[[[[[",
    "\"\\u0000\"",
    "\\ud800",
    "\\uDFFF\\u0041",
    "\"\\",
    "==",
    "=",
    "AAAA",
    "////",
    "\xc3\x28",
    "\xef\xbf\xbf",
    "%n%s",
    "[section]",
    "key = value",
    "\\n",
    "\x30\x80",
    "\x02\x81\x80",
    "\x30\x84\xff\xff\xff\xff",
    "\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x01\x0a",
};

static void insert_bytes(unsigned char *buf, size_t *len, size_t cap, size_t at,
                         const unsigned char *src, size_t n)
{
    if (*len + n > cap)
        n = cap - *len;
    if (n == 0)
        return;
    memmove(buf + at + n, buf + at, *len - at);
    memcpy(buf + at, src, n);
    *len += n;
}

static void mutate(unsigned char *buf, size_t *len, size_t cap, const seed *seeds, size_t n_seeds)
{
    size_t at = below(*len + 1);
    switch (below(11)) {
    case 0: /* flip a bit */
        if (*len > 0)
            buf[below(*len)] ^= (unsigned char)(1u << below(8));
        break;
    case 1: /* an interesting byte */
        if (*len > 0)
            buf[below(*len)] = interesting_bytes[below(sizeof interesting_bytes)];
        break;
    case 2: { /* insert random bytes */
        unsigned char r[8];
        size_t n = 1 + below(sizeof r);
        for (size_t i = 0; i < n; i++)
            r[i] = (unsigned char)rng();
        insert_bytes(buf, len, cap, at, r, n);
        break;
    }
    case 3: /* delete a range */
        if (at < *len) {
            size_t n = 1 + below(*len - at < 16 ? *len - at : 16);
            memmove(buf + at, buf + at + n, *len - at - n);
            *len -= n;
        }
        break;
    case 4: /* duplicate a chunk elsewhere */
        if (*len > 0) {
            size_t from = below(*len);
            size_t n = 1 + below(*len - from < 64 ? *len - from : 64);
            unsigned char chunk[64];
            memcpy(chunk, buf + from, n);
            insert_bytes(buf, len, cap, at, chunk, n);
        }
        break;
    case 5: /* truncate */
        *len = at;
        break;
    case 6: /* overwrite with random bytes */
        for (size_t i = at, n = 1 + below(8); i < *len && n > 0; i++, n--)
            buf[i] = (unsigned char)rng();
        break;
    case 7: /* nudge a byte */
        if (*len > 0) {
            size_t i = below(*len);
            buf[i] = (unsigned char)(buf[i] + (below(2) != 0 ? 1 : 0xff));
        }
        break;
    case 8: { /* a token */
        const char *t = tokens[below(sizeof tokens / sizeof tokens[0])];
        insert_bytes(buf, len, cap, at, (const unsigned char *)t, strlen(t));
        break;
    }
    case 9: { /* replace a range with a token */
        const char *t = tokens[below(sizeof tokens / sizeof tokens[0])];
        size_t n = strlen(t);
        if (at + n <= *len)
            memcpy(buf + at, t, n);
        break;
    }
    default: { /* splice in a chunk of another seed */
        const seed *o = &seeds[below(n_seeds)];
        if (o->len > 0) {
            size_t from = below(o->len);
            size_t n = 1 + below(o->len - from < 256 ? o->len - from : 256);
            insert_bytes(buf, len, cap, at, o->data + from, n);
        }
        break;
    }
    }
}

static int run_files(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        unsigned char *data;
        size_t len;
        if (read_file(argv[i], &data, &len) != 0) {
            fprintf(stderr, "fuzz driver: cannot read %s\n", argv[i]);
            return 1;
        }
        run_one(data, len);
        free(data);
    }
    printf("fuzz driver: ran %d input(s)\n", argc - 1);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s CORPUS_DIR [MUTATIONS_PER_SEED] | %s FILE...\n", argv[0],
                argv[0]);
        return 2;
    }
    install_crash_dump();
    struct stat sb;
    if (stat(argv[1], &sb) == 0 && S_ISREG(sb.st_mode))
        return run_files(argc, argv);
    if (argc > 3) {
        fprintf(stderr, "fuzz driver: one corpus folder and a count at most\n");
        return 2;
    }
    long mutations = DEFAULT_MUTATIONS;
    if (argc == 3) {
        char *end;
        mutations = strtol(argv[2], &end, 10);
        if (*end != '\0' || mutations < 0) {
            fprintf(stderr, "fuzz driver: bad mutation count %s\n", argv[2]);
            return 2;
        }
    }
    seed *seeds = NULL;
    size_t n_seeds = 0;
    if (load_corpus(argv[1], &seeds, &n_seeds) != 0)
        return 1;
    if (n_seeds == 0) {
        fprintf(stderr, "fuzz driver: no seed in %s\n", argv[1]);
        return 1;
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    unsigned long long runs = 0;
    for (size_t s = 0; s < n_seeds; s++) {
        run_one(seeds[s].data, seeds[s].len);
        runs++;
        size_t cap = seeds[s].len + MAX_GROWTH;
        unsigned char *buf = malloc(cap);
        if (buf == NULL) {
            fprintf(stderr, "fuzz driver: out of memory\n");
            return 1;
        }
        rng_state = hash_name(seeds[s].name);
        for (long m = 0; m < mutations; m++) {
            size_t len = seeds[s].len;
            memcpy(buf, seeds[s].data, len);
            for (size_t k = 1 + below(MAX_STACKED); k > 0; k--)
                mutate(buf, &len, cap, seeds, n_seeds);
            run_one(buf, len);
            runs++;
        }
        free(buf);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    printf("fuzz driver: %zu seeds, %llu executions in %.2f s, no crash\n", n_seeds, runs, secs);
    for (size_t s = 0; s < n_seeds; s++) {
        free(seeds[s].name);
        free(seeds[s].data);
    }
    free(seeds);
    return 0;
}
