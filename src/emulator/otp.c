#include "emulator/otp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "emulator/access.h"
#include "emulator/outbox.h"
#include "emulator/random.h"

#define PLACEHOLDER "{AuthorizeCode}"
#define DEFAULT_TEMPLATE                                                                           \
    "Your rssp-emulator signing code is " PLACEHOLDER ". It is valid for 300 s."
#define TEMPLATE_MAX 1000

/* template with every {AuthorizeCode} replaced by otp; malloc'ed. */
static char *render(const char *template_text, const char *otp)
{
    size_t n = 0, plen = strlen(PLACEHOLDER);
    for (const char *p = strstr(template_text, PLACEHOLDER); p != NULL;
         p = strstr(p + plen, PLACEHOLDER))
        n++;
    size_t len = strlen(template_text) + n * strlen(otp) + 1;
    char *out = malloc(len), *o = out;
    if (out == NULL)
        return NULL;
    const char *p = template_text;
    for (const char *hit = strstr(p, PLACEHOLDER); hit != NULL; hit = strstr(p, PLACEHOLDER)) {
        memcpy(o, p, (size_t)(hit - p));
        o += hit - p;
        strcpy(o, otp);
        o += strlen(otp);
        p = hit + plen;
    }
    strcpy(o, p);
    return out;
}

void emu_handle_send_otp(emu_req *r)
{
    emu_principal p;
    const char *template_text = DEFAULT_TEMPLATE, *subject = NULL;
    emu_credential *c;
    char otp[8], id[72], channel[8], to[160] = "";
    bool email = false;

    if (emu_require_access(r, &p, false) != 0 ||
        emu_get_string(r, r->body, "notificationTemplate", &template_text) < 0 ||
        emu_get_string(r, r->body, "notificationSubject", &subject) < 0)
        return;
    if (strlen(template_text) > TEMPLATE_MAX || strstr(template_text, PLACEHOLDER) == NULL) {
        emu_fail(r, 3100, "notificationTemplate must contain %s and be at most %d characters",
                 PLACEHOLDER, TEMPLATE_MAX);
        return;
    }
    if (emu_random_digits(otp, 6) != 0) {
        emu_fail(r, 9000, "no randomness");
        return;
    }
    emu_state *st = r->ctx->st;
    bool changed = false;
    pthread_mutex_lock(&st->lock);
    if (emu_resolve_credential(r, p, &c, NULL) != 0)
        goto unlock;
    email = strcmp(c->auth_mode, "EXPLICIT/OTP-EMAIL") == 0;
    if (!email && strcmp(c->auth_mode, "EXPLICIT/OTP-SMS") != 0) {
        emu_fail(r, 3021, "the credential's authMode is %s, not an OTP by SMS or e-mail",
                 c->auth_mode);
        goto unlock;
    }
    long long now = (long long)time(NULL);
    if (c->lock_until > now) {
        emu_fail(r, 3012, NULL);
        emu_put_int(r, "temporaryLockTime", c->lock_until - now);
        goto unlock;
    }
    if (email && subject == NULL) {
        emu_fail(r, 3100, "notificationSubject is required for EXPLICIT/OTP-EMAIL");
        goto unlock;
    }
    const emu_agreement *a = emu_find_agreement(st, c->agreement);
    const emu_owner *owner = a == NULL ? NULL : emu_find_owner(st, a->owner_uuid);
    if (owner != NULL)
        snprintf(to, sizeof(to), "%s", email ? owner->email : owner->phone);
    /* A new OTP replaces any outstanding one. */
    memcpy(c->otp, otp, sizeof(otp));
    c->otp_time = now;
    changed = true;
    emu_state_changed(st);
    snprintf(id, sizeof(id), "%s", c->id);
    snprintf(channel, sizeof(channel), "%s", email ? "EMAIL" : "SMS");
unlock:
    pthread_mutex_unlock(&st->lock);
    if (!changed) {
        OPENSSL_cleanse(otp, sizeof(otp));
        return;
    }
    emu_state_flush(st);
    char *text = render(template_text, otp);
    if (text == NULL ||
        emu_outbox_add(r->ctx->outbox, id, channel, to, email ? subject : NULL, text, otp) != 0)
        emu_fail(r, 9000, "cannot deliver the OTP to the outbox");
    else
        emu_fail(r, 1007, NULL);
    if (text != NULL)
        OPENSSL_cleanse(text, strlen(text));
    free(text);
    OPENSSL_cleanse(otp, sizeof(otp));
}
