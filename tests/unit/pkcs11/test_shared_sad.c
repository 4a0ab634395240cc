/* pkcs11/shared_sad.c: a SAD shared without copies, wiped by its last holder. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "common/secmem.h"
#include "pkcs11/shared_sad.h"

static rssp_sad make_sad(void)
{
    rssp_sad sad = {.sad = rssp_secret_strdup("SAD-7hQ"),
                    .entity_name = strdup("entity-1"),
                    .expires_in = 300,
                    .obtained_ms = 42,
                    .remaining_counter = -1};
    assert_non_null(sad.sad);
    assert_non_null(sad.entity_name);
    return sad;
}

static void test_references_share_one_sad(void **state)
{
    (void)state;
    rssp_sad sad = make_sad();
    char *value = sad.sad;
    p11_shared_sad *s = p11_shared_sad_new(&sad);
    assert_non_null(s);
    assert_null(sad.sad); /* moved in */
    p11_shared_sad *r = p11_shared_sad_ref(s);
    assert_ptr_equal(r, s);
    assert_ptr_equal(r->sad.sad, value); /* no copy of the secret */
    p11_shared_sad_release(s);
    assert_string_equal(r->sad.sad, "SAD-7hQ"); /* still held by r */
    p11_shared_sad_release(r);
    p11_shared_sad_release(NULL);
}

static void test_take_moves_the_last_reference(void **state)
{
    (void)state;
    rssp_sad sad = make_sad();
    char *value = sad.sad;
    p11_shared_sad *s = p11_shared_sad_new(&sad);
    rssp_sad out;
    assert_true(p11_shared_sad_take(s, &out));
    assert_ptr_equal(out.sad, value);
    assert_string_equal(out.entity_name, "entity-1");
    assert_int_equal(out.expires_in, 300);
    rssp_sad_clear(&out);

    assert_true(p11_shared_sad_take(NULL, &out));
    assert_null(out.sad);
}

static void test_take_copies_while_others_hold_it(void **state)
{
    (void)state;
    rssp_sad sad = make_sad();
    p11_shared_sad *s = p11_shared_sad_new(&sad);
    p11_shared_sad *signer = p11_shared_sad_ref(s);
    rssp_sad out;
    assert_true(p11_shared_sad_take(s, &out));
    assert_ptr_not_equal(out.sad, signer->sad.sad);
    assert_string_equal(out.sad, "SAD-7hQ");
    assert_string_equal(out.entity_name, "entity-1");
    assert_int_equal(out.obtained_ms, 42);
    assert_string_equal(signer->sad.sad, "SAD-7hQ"); /* the signer's reference is intact */
    p11_shared_sad_release(signer);
    rssp_sad_clear(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_references_share_one_sad),
        cmocka_unit_test(test_take_moves_the_last_reference),
        cmocka_unit_test(test_take_copies_while_others_hold_it),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
