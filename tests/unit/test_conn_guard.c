/* test_conn_guard.c — the trusted-proxy list (TRIPOD_TRUSTED_PROXIES) and
 * the client address taken from X-Forwarded-For: only trusted peers are
 * believed, and what a client writes into the header itself never is. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "api/conn_guard.h"

/* A config trusting TEXT (which must parse). */
static tripod_config trusting(const char *text)
{
    tripod_config cfg;
    char err[160];
    memset(&cfg, 0, sizeof cfg);
    assert_int_equal(guard_parse_proxies(text, cfg.trusted_proxies, CONFIG_MAX_TRUSTED_PROXIES,
                                         &cfg.n_trusted_proxies, err, sizeof err),
                     0);
    return cfg;
}

static void test_proxy_lists(void **state)
{
    (void)state;
    tripod_config cfg = trusting(" 10.0.0.0/8, 192.168.1.5 ::1,fd00::/8 ");
    assert_int_equal(cfg.n_trusted_proxies, 4);
    assert_int_equal(cfg.trusted_proxies[0].prefix, 8);
    assert_int_equal(cfg.trusted_proxies[1].prefix, 32);
    assert_int_equal(cfg.trusted_proxies[2].prefix, 128);
    assert_int_equal(trusting("").n_trusted_proxies, 0);

    static const char *const bad[] = {"example.com", "10.0.0.0/33", "::1/129", "10.0.0.0/",
                                      "10.0.0.0/8x", "1.2.3.4.5",   "[::1]",   "10.0.0.0/-1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        config_cidr out[CONFIG_MAX_TRUSTED_PROXIES];
        size_t n = 99;
        char err[160] = "";
        assert_int_equal(
            guard_parse_proxies(bad[i], out, CONFIG_MAX_TRUSTED_PROXIES, &n, err, sizeof err), -1);
        assert_int_equal(n, 0);
        assert_non_null(strstr(err, "not an IP address"));
    }
    config_cidr two[2];
    size_t n;
    char err[160];
    assert_int_equal(guard_parse_proxies("1.1.1.1 2.2.2.2 3.3.3.3", two, 2, &n, err, sizeof err),
                     -1);
    assert_non_null(strstr(err, "at most 2"));
}

static void expect_client(const tripod_config *cfg, const char *peer, const char *xff,
                          const char *want)
{
    char got[64];
    assert_int_equal(guard_client_address(cfg, peer, xff, got, sizeof got), 0);
    assert_string_equal(got, want);
}

static void test_forwarded_client(void **state)
{
    (void)state;
    tripod_config none = trusting(""), cfg = trusting("127.0.0.1, 10.0.0.0/8, ::1");
    /* Without trust the header is ignored, whatever it says. */
    expect_client(&none, "127.0.0.1", "203.0.113.7", "127.0.0.1");
    /* From a trusted proxy: the last address that is not a trusted proxy. */
    expect_client(&cfg, "127.0.0.1", "203.0.113.7", "203.0.113.7");
    expect_client(&cfg, "127.0.0.1", "198.51.100.1, 203.0.113.7, 10.1.2.3", "203.0.113.7");
    expect_client(&cfg, "::1", " 2001:db8::5 ", "2001:db8::5");
    expect_client(&cfg, "127.0.0.1", "[2001:db8::5]:4711, 203.0.113.7:80", "203.0.113.7");
    expect_client(&cfg, "127.0.0.1", "10.0.0.9, 10.0.0.8", "10.0.0.9");    /* all proxies */
    expect_client(&cfg, "127.0.0.1", "203.0.113.7, garbage", "127.0.0.1"); /* unreadable */
    expect_client(&cfg, "127.0.0.1", "garbage, 203.0.113.7", "203.0.113.7");
    expect_client(&cfg, "127.0.0.1", "", "127.0.0.1");
    expect_client(&cfg, "127.0.0.1", NULL, "127.0.0.1");
    expect_client(&cfg, "::ffff:127.0.0.1", "203.0.113.7", "203.0.113.7"); /* IPv4-mapped */
    /* A client that is not a proxy cannot name another address. */
    expect_client(&cfg, "203.0.113.7", "127.0.0.1", "203.0.113.7");
    expect_client(&cfg, "11.0.0.1", "1.2.3.4", "11.0.0.1"); /* outside 10.0.0.0/8 */
    char out[64];
    assert_int_equal(guard_client_address(&cfg, "nope", NULL, out, sizeof out), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_proxy_lists),
        cmocka_unit_test(test_forwarded_client),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
