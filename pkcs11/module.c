#include "pkcs11/module.h"

#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/platform.h"
#include "pkcs11/login.h"
#include "pkcs11/login_model.h"
#include "pkcs11/reserved.h"

p11_module p11_g;

static void observe_call(void *ctx, const char *method, long duration_ms, const rssp_status *st)
{
    (void)ctx;
    atomic_store(&p11_g.service_unreachable, st->err == RSSP_ERR_TRANSPORT);
    rssp_info_log("rssp %s: %ld ms, %s, responseCode %d, billCode %s", method, duration_ms,
                  rssp_err_name(st->err), st->response_code,
                  st->bill_code[0] ? st->bill_code : "-");
}

/* Cache file and key: one cache per service, relying party and account. */
static CK_RV setup_cache(void)
{
    if (rssp_config_cache_location(&p11_g.cfg, &p11_g.cache_path, &p11_g.cache_key) != 0)
        return CKR_HOST_MEMORY;
    return CKR_OK;
}

/*
 * Why there are no tokens, on standard error (the one message the module
 * prints without being asked: there is no other channel) and in the log. The
 * same message is printed once per process, however often the application
 * initialises the module again.
 */
static void tell_no_tokens(const char *why)
{
    static pthread_mutex_t told_lock = PTHREAD_MUTEX_INITIALIZER;
    static char told[512];
    pthread_mutex_lock(&told_lock);
    if (strcmp(told, why) != 0) {
        fprintf(stderr, "rssp-pkcs11: no tokens: %s\n", why);
        snprintf(told, sizeof told, "%s", why);
    }
    pthread_mutex_unlock(&told_lock);
    rssp_error("no tokens: %s", why);
}

/*
 * Read the configuration and make the client. Failure leaves a module with no
 * slots. reserved: CK_C_INITIALIZE_ARGS.pReserved (untrusted, may be NULL).
 * no_threads: the application forbids creating threads.
 */
static CK_RV setup_service(const void *reserved, bool no_threads)
{
    char err[1024] = "";
    char reserved_path[PATH_MAX];
    const char *init_reserved = NULL;
    if (reserved != NULL) {
        if (p11_reserved_path(reserved, reserved_path, sizeof reserved_path))
            init_reserved = reserved_path;
        else
            rssp_warn("pReserved of C_Initialize is not a path; ignored");
    }
    const char *env = getenv("RSSP_PKCS11_CONF");
    rssp_config_files files;
    if (rssp_config_locate(init_reserved, &files, err, sizeof err) != 0) {
        /*
         * A file named on purpose that is missing is a mistake to report; no
         * configuration anywhere is a module installed but not set up (p11-kit
         * loads it into every program), which only the log mentions.
         */
        if ((env != NULL && env[0] != '\0') || init_reserved != NULL)
            tell_no_tokens(err);
        else
            rssp_warn("no configuration: %s", err);
        return CKR_OK;
    }
    int rc = rssp_config_load_files(&files, &p11_g.cfg, err, sizeof err);
    rssp_config_files_clear(&files);
    if (rc != 0) {
        tell_no_tokens(err);
        return CKR_OK;
    }
    rssp_log_open((rssp_log_level)p11_g.cfg.log_level, p11_g.cfg.log_file);

    rssp_client_config cc;
    rssp_status st;
    rssp_config_client(&p11_g.cfg, &cc);
    cc.resolve_in_caller = no_threads;
    if (rssp_client_new(&cc, &p11_g.client, &st) != RSSP_OK) {
        rssp_error("cannot use the service configuration: %s", st.message);
        rssp_config_clear(&p11_g.cfg);
        return CKR_OK;
    }
    rssp_client_set_observer(p11_g.client, observe_call, NULL);
    char program[256];
    p11_program_name(program, sizeof program);
    p11_g.key_login = p11_login_model_is_key(&p11_g.cfg, program);
    rssp_info_log("%s login model for %s", p11_g.key_login ? "key" : "token",
                  program[0] ? program : "an unnamed program");
    p11_g.have_config = true;
    return setup_cache();
}

/*
 * The gate in front of the module's state. state moves OFF -> STARTING ->
 * RUNNING -> STOPPING -> OFF; active counts the calls inside. A call counts
 * itself first and then checks the state, and C_Finalize changes the state
 * first and then waits for the count to reach zero (both sequentially
 * consistent), so no call can be inside once C_Finalize frees.
 */
enum { GATE_OFF, GATE_STARTING, GATE_RUNNING, GATE_STOPPING };
static atomic_int gate_state;
static atomic_long gate_active;
/* rssp_process_generation() when C_Initialize ran: another value means a forked child. */
static atomic_ulong gate_generation;

CK_RV p11_enter(void)
{
    atomic_fetch_add(&gate_active, 1);
    if (atomic_load(&gate_state) != GATE_RUNNING ||
        atomic_load(&gate_generation) != rssp_process_generation()) {
        atomic_fetch_sub(&gate_active, 1);
        return CKR_CRYPTOKI_NOT_INITIALIZED;
    }
    return CKR_OK;
}

CK_RV p11_leave(CK_RV rv)
{
    /* Abandoned by C_Finalize: as if the call had come after it. */
    if (rv != CKR_OK && atomic_load(&gate_state) == GATE_STOPPING)
        rv = CKR_CRYPTOKI_NOT_INITIALIZED;
    atomic_fetch_sub(&gate_active, 1);
    return rv;
}

/* Take the gate from OFF to STARTING, waiting out a C_Finalize in progress. */
static CK_RV gate_start(void)
{
    for (;;) {
        int state = atomic_load(&gate_state);
        if (state != GATE_OFF && atomic_load(&gate_generation) != rssp_process_generation()) {
            /*
             * A child after fork(): the parent's state (TLS connections,
             * mutexes possibly held by threads that do not exist here) must
             * not be touched, not even to free it. Forget it and start
             * afresh, as the spec requires.
             */
            memset(&p11_g, 0, sizeof p11_g);
            atomic_store(&gate_active, 0);
            atomic_store(&gate_state, GATE_OFF);
            continue;
        }
        if (state == GATE_RUNNING)
            return CKR_CRYPTOKI_ALREADY_INITIALIZED;
        if (state == GATE_OFF &&
            atomic_compare_exchange_strong(&gate_state, &state, GATE_STARTING)) {
            atomic_store(&gate_generation, rssp_process_generation());
            return CKR_OK;
        }
        rssp_sleep_ms(1); /* another thread is initialising or finalising */
    }
}

CK_RV p11_initialize(CK_VOID_PTR init_args)
{
    const CK_C_INITIALIZE_ARGS *args = init_args;
    CK_RV rv;

    if ((rv = gate_start()) != CKR_OK)
        return rv;
    if ((rv = p11_locking_setup(args)) != CKR_OK) {
        atomic_store(&gate_state, GATE_OFF);
        return rv;
    }

    /* Logging before the configuration is read: only the environment says. */
    int env_level = rssp_log_level_parse(getenv("RSSP_PKCS11_LOG"));
    if (env_level > 0)
        rssp_log_open((rssp_log_level)env_level, getenv("RSSP_PKCS11_LOG_FILE"));

    if ((rv = p11_mutex_new(&p11_g.lock)) != CKR_OK ||
        (rv = p11_mutex_new(&p11_g.load_lock)) != CKR_OK)
        goto fail;
    const void *reserved = args != NULL ? args->pReserved : NULL;
    /*
     * The module creates no threads; the only one libcurl would start is its
     * host-name resolver, which the client then replaces by a lookup in the
     * calling thread. NSS sets this flag for every module it loads.
     */
    bool no_threads = args != NULL && (args->flags & CKF_LIBRARY_CANT_CREATE_OS_THREADS);
    if ((rv = setup_service(reserved, no_threads)) != CKR_OK)
        goto fail;
    p11_tokens_load_cached();
    rssp_debug("initialised (%s)", p11_g.have_config ? p11_g.cfg.path : "no configuration");
    atomic_store(&gate_state, GATE_RUNNING);
    return CKR_OK;
fail:
    p11_mutex_free(p11_g.lock);
    p11_mutex_free(p11_g.load_lock);
    memset(&p11_g, 0, sizeof p11_g);
    atomic_store(&gate_state, GATE_OFF);
    return rv;
}

/*
 * Wait until no call is inside the module. Calls blocked in the network are
 * abandoned (the client's abort: within about a second); calls waiting for a
 * lock get it when its holder returns. Progress is logged every 5 s.
 */
static void drain_calls(void)
{
    rssp_client_abort(p11_g.client, true);
    long waited_ms = 0;
    while (atomic_load(&gate_active) > 0) {
        rssp_sleep_ms(1);
        if (++waited_ms % 5000 == 0)
            rssp_warn("C_Finalize: still waiting for %ld call(s) in other threads",
                      atomic_load(&gate_active));
    }
    if (waited_ms > 0)
        rssp_info_log("C_Finalize waited about %ld ms for calls in other threads", waited_ms);
    rssp_client_abort(p11_g.client, false);
}

CK_RV p11_finalize(const void *reserved)
{
    if (reserved != NULL)
        return CKR_ARGUMENTS_BAD;
    int running = GATE_RUNNING;
    if (atomic_load(&gate_generation) != rssp_process_generation() ||
        !atomic_compare_exchange_strong(&gate_state, &running, GATE_STOPPING))
        return CKR_CRYPTOKI_NOT_INITIALIZED;
    drain_calls();
    p11_sessions_destroy();
    /*
     * Revoking is a courtesy (SADs and tokens expire by themselves); with the
     * service unreachable it would only make the application wait at exit.
     */
    bool revoke = !atomic_load(&p11_g.service_unreachable);
    if (!revoke)
        rssp_info_log("service unreachable: SADs and tokens are left to expire");
    /*
     * Every SAD, then the session, at once and within revoke_budget_ms in
     * total (rssp_revoke_all: libcurl multi, no thread): a program's exit
     * waits one or two round trips at most, never a time-out per token.
     */
    bool any_login = false;
    size_t n = p11_g.n_tokens, n_refs = 0;
    rssp_sad *sads = calloc(n > 0 ? n : 1, sizeof *sads);
    rssp_sad_ref *refs = calloc(n > 0 ? n : 1, sizeof *refs);
    for (size_t i = 0; i < n; i++) {
        p11_token *tok = p11_g.tokens[i];
        any_login |= p11_token_logout(tok, sads != NULL ? &sads[i] : NULL);
        if (sads != NULL && refs != NULL && sads[i].sad != NULL)
            refs[n_refs++] = (rssp_sad_ref){sads[i].sad, tok->credential_id};
    }
    if (revoke && refs != NULL)
        p11_revoke(refs, n_refs, any_login);
    for (size_t i = 0; sads != NULL && i < n; i++)
        rssp_sad_clear(&sads[i]);
    free(sads);
    free(refs);
    p11_tokens_forget();
    rssp_client_free(p11_g.client);
    rssp_config_clear(&p11_g.cfg);
    free(p11_g.cache_path);
    free(p11_g.cache_key);
    p11_mutex_free(p11_g.lock);
    p11_mutex_free(p11_g.load_lock);
    rssp_debug("finalised");
    rssp_log_close();
    memset(&p11_g, 0, sizeof p11_g);
    atomic_store(&gate_state, GATE_OFF);
    return CKR_OK;
}

CK_RV p11_token_get(CK_SLOT_ID slot_id, p11_token **out)
{
    p11_tokens_load();
    p11_mutex_lock(p11_g.lock);
    CK_RV rv = CKR_SLOT_ID_INVALID;
    for (size_t i = 0; i < p11_g.n_tokens; i++) {
        if (p11_g.tokens[i]->slot_id == slot_id) {
            *out = p11_g.tokens[i];
            rv = CKR_OK;
            break;
        }
    }
    p11_mutex_unlock(p11_g.lock);
    return rv;
}
