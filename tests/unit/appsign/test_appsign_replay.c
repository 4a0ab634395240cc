/* Unit tests of src/appsign: the single-use replay cache (bounds, expiry, threads). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "appsign_test_util.h"

static char *single_use(int64_t current_time, unsigned random)
{
    char digits[12];
    snprintf(digits, sizeof(digits), "%u", random);
    return tu_make(current_time, 0, digits);
}

static void test_full_cache_refuses_instead_of_forgetting(void **state)
{
    (void)state;
    rssp_appsign_policy policy = {30, 300, 3};
    rssp_appsign_verifier *v = tu_verifier(&policy);
    char *signs[5];
    for (unsigned i = 0; i < 5; i++)
        signs[i] = single_use(TU_NOW + i, i);

    for (int i = 0; i < 3; i++)
        assert_int_equal(rssp_appsign_verify(v, signs[i], TU_NOW + 10, NULL), RSSP_APPSIGN_OK);
    /* Full of live entries: a new single-use sign waits, the old ones stay remembered. */
    assert_int_equal(rssp_appsign_verify(v, signs[3], TU_NOW + 10, NULL), RSSP_APPSIGN_BUSY);
    for (int i = 0; i < 3; i++)
        assert_int_equal(rssp_appsign_verify(v, signs[i], TU_NOW + 10, NULL),
                         RSSP_APPSIGN_REPLAYED);
    /* Multi-use signs do not need the cache. */
    char *multi = tu_make(TU_NOW, 100, "77");
    assert_int_equal(rssp_appsign_verify(v, multi, TU_NOW + 10, NULL), RSSP_APPSIGN_OK);
    free(multi);

    /* signs[0] (current_time TU_NOW) is forgotten once older than max_age: room again. */
    assert_int_equal(rssp_appsign_verify(v, signs[3], TU_NOW + 301, NULL), RSSP_APPSIGN_OK);
    /* The forgotten sign cannot come back: it is too old now. */
    assert_int_equal(rssp_appsign_verify(v, signs[0], TU_NOW + 301, NULL), RSSP_APPSIGN_EXPIRED);
    assert_int_equal(rssp_appsign_verify(v, signs[4], TU_NOW + 301, NULL), RSSP_APPSIGN_BUSY);
    assert_int_equal(rssp_appsign_verify(v, signs[4], TU_NOW + 302, NULL), RSSP_APPSIGN_OK);

    for (int i = 0; i < 5; i++)
        free(signs[i]);
    rssp_appsign_verifier_free(v);
}

static void test_capacity_limit(void **state)
{
    (void)state;
    rssp_appsign_verifier *v = NULL;
    rssp_appsign_policy huge = {30, 300, (size_t)1 << 40};
    assert_int_equal(rssp_appsign_verifier_new(tu_lookup, NULL, &huge, &v), RSSP_APPSIGN_BAD_INPUT);
    assert_null(v);
}

/* A naive model of the cache: a list scanned linearly. */
#define MODEL_CAP 8
#define MODEL_MAX_AGE 20
#define MODEL_MAX_SKEW 5

typedef struct {
    char *sign;
    int64_t forget_after;
} model_entry;

static rssp_appsign_result model_verify(model_entry *m, size_t *count, char *sign, int64_t current,
                                        int64_t now)
{
    if (current > now + MODEL_MAX_SKEW)
        return RSSP_APPSIGN_FUTURE;
    if (current < now - MODEL_MAX_AGE)
        return RSSP_APPSIGN_EXPIRED;
    for (size_t i = 0; i < *count;) {
        if (m[i].forget_after < now)
            m[i] = m[--*count];
        else
            i++;
    }
    for (size_t i = 0; i < *count; i++) {
        if (strcmp(m[i].sign, sign) == 0)
            return RSSP_APPSIGN_REPLAYED;
    }
    if (*count == MODEL_CAP)
        return RSSP_APPSIGN_BUSY;
    m[*count].sign = sign;
    m[*count].forget_after = current + MODEL_MAX_AGE;
    (*count)++;
    return RSSP_APPSIGN_OK;
}

static void test_matches_naive_model(void **state)
{
    (void)state;
    rssp_appsign_policy policy = {MODEL_MAX_SKEW, MODEL_MAX_AGE, MODEL_CAP};
    rssp_appsign_verifier *v = tu_verifier(&policy);
    model_entry model[MODEL_CAP];
    size_t count = 0;
    unsigned x = 2463534242u;
    int seen[5] = {0};
    /* Signs stay alive while the model may point at them. */
    enum { STEPS = 3000 };
    char **made = calloc(STEPS, sizeof(*made));
    assert_non_null(made);

    for (int step = 0; step < STEPS; step++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        int64_t now = TU_NOW + step / 4;
        /* current_time in now-25 .. now+7, random from a small set so replays happen. */
        int64_t current = now - 25 + (int64_t)(x % 33);
        made[step] = single_use(current, (x >> 8) % 6);
        rssp_appsign_result want = model_verify(model, &count, made[step], current, now);
        rssp_appsign_result got = rssp_appsign_verify(v, made[step], now, NULL);
        assert_int_equal(got, want);
        switch (got) {
        case RSSP_APPSIGN_OK:
            seen[0]++;
            break;
        case RSSP_APPSIGN_REPLAYED:
            seen[1]++;
            break;
        case RSSP_APPSIGN_BUSY:
            seen[2]++;
            break;
        case RSSP_APPSIGN_EXPIRED:
            seen[3]++;
            break;
        default:
            seen[4]++;
            break;
        }
    }
    /* The walk must have exercised every outcome. */
    for (int i = 0; i < 5; i++)
        assert_true(seen[i] > 0);
    for (int i = 0; i < STEPS; i++)
        free(made[i]);
    free(made);
    rssp_appsign_verifier_free(v);
}

#define THREADS 4
#define THREAD_SIGNS 300

typedef struct {
    rssp_appsign_verifier *v;
    char **signs;
    atomic_int *accepted;
    atomic_int *other;
} thread_arg;

static void *verify_all(void *p)
{
    thread_arg *a = p;
    for (int i = 0; i < THREAD_SIGNS; i++) {
        rssp_appsign_result r = rssp_appsign_verify(a->v, a->signs[i], TU_NOW, NULL);
        if (r == RSSP_APPSIGN_OK)
            atomic_fetch_add(&a->accepted[i], 1);
        else if (r != RSSP_APPSIGN_REPLAYED)
            atomic_fetch_add(a->other, 1);
    }
    return NULL;
}

static void test_each_sign_accepted_once_across_threads(void **state)
{
    (void)state;
    rssp_appsign_verifier *v = tu_verifier(NULL);
    char *signs[THREAD_SIGNS];
    atomic_int accepted[THREAD_SIGNS];
    atomic_int other = 0;
    for (unsigned i = 0; i < THREAD_SIGNS; i++) {
        signs[i] = single_use(TU_NOW, i);
        atomic_init(&accepted[i], 0);
    }
    thread_arg arg = {v, signs, accepted, &other};
    pthread_t threads[THREADS];
    for (int t = 0; t < THREADS; t++)
        assert_int_equal(pthread_create(&threads[t], NULL, verify_all, &arg), 0);
    for (int t = 0; t < THREADS; t++)
        assert_int_equal(pthread_join(threads[t], NULL), 0);
    for (int i = 0; i < THREAD_SIGNS; i++) {
        assert_int_equal(atomic_load(&accepted[i]), 1);
        free(signs[i]);
    }
    assert_int_equal(atomic_load(&other), 0);
    rssp_appsign_verifier_free(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full_cache_refuses_instead_of_forgetting),
        cmocka_unit_test(test_capacity_limit),
        cmocka_unit_test(test_matches_naive_model),
        cmocka_unit_test(test_each_sign_accepted_once_across_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
