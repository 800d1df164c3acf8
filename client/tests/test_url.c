/*
 * test_url: RFC 3986 resolution (every example of §5.4.1 and §5.4.2) and the
 * http URL checks that run before anything is sent (NE-05..09, SEC-08).
 */
#include "url.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>

static const char *const resolve_cases[][2] = {
    /* §5.4.1 normal */
    {"g:h", "g:h"}, {"g", "http://a/b/c/g"}, {"./g", "http://a/b/c/g"}, {"g/", "http://a/b/c/g/"},
    {"/g", "http://a/g"}, {"//g", "http://g"}, {"?y", "http://a/b/c/d;p?y"}, {"g?y", "http://a/b/c/g?y"},
    {"#s", "http://a/b/c/d;p?q#s"}, {"g#s", "http://a/b/c/g#s"}, {"g?y#s", "http://a/b/c/g?y#s"},
    {";x", "http://a/b/c/;x"}, {"g;x", "http://a/b/c/g;x"}, {"g;x?y#s", "http://a/b/c/g;x?y#s"},
    {"", "http://a/b/c/d;p?q"}, {".", "http://a/b/c/"}, {"./", "http://a/b/c/"}, {"..", "http://a/b/"},
    {"../", "http://a/b/"}, {"../g", "http://a/b/g"}, {"../..", "http://a/"}, {"../../", "http://a/"},
    {"../../g", "http://a/g"},
    /* §5.4.2 abnormal */
    {"../../../g", "http://a/g"}, {"../../../../g", "http://a/g"}, {"/./g", "http://a/g"}, {"/../g", "http://a/g"},
    {"g.", "http://a/b/c/g."}, {".g", "http://a/b/c/.g"}, {"g..", "http://a/b/c/g.."}, {"..g", "http://a/b/c/..g"},
    {"./../g", "http://a/b/g"}, {"./g/.", "http://a/b/c/g/"}, {"g/./h", "http://a/b/c/g/h"},
    {"g/../h", "http://a/b/c/h"}, {"g;x=1/./y", "http://a/b/c/g;x=1/y"}, {"g;x=1/../y", "http://a/b/c/y"},
    {"g?y/./x", "http://a/b/c/g?y/./x"}, {"g?y/../x", "http://a/b/c/g?y/../x"}, {"g#s/./x", "http://a/b/c/g#s/./x"},
    {"g#s/../x", "http://a/b/c/g#s/../x"}, {"http:g", "http:g"},
};

static void test_resolve(void)
{
    for (size_t i = 0; i < sizeof resolve_cases / sizeof resolve_cases[0]; i++) {
        char *r = uri_resolve("http://a/b/c/d;p?q", resolve_cases[i][0]);
        ok(r && !strcmp(r, resolve_cases[i][1]), "RFC 3986 §5.4: \"%s\" -> %s (got %s)", resolve_cases[i][0],
           resolve_cases[i][1], r ? r : "NULL");
        free(r);
    }
    /* RD-12: the redirect forms of the catalogue */
    const char *rd[][3] = {{"http://h/a/b/c", "../d", "http://h/a/d"}, {"http://h/a/b/c", "?q=2", "http://h/a/b/c?q=2"},
                           {"http://h/a/b/c", "./", "http://h/a/b/"}, {"http://h/x", "//other/p", "http://other/p"},
                           /* RFC 3986 §5.2.3: a base with an authority and an empty path merges as "/" */
                           {"http://h", "d", "http://h/d"}, {"http://h?q", "d?r", "http://h/d?r"}};
    for (size_t i = 0; i < sizeof rd / sizeof rd[0]; i++) {
        char *r = uri_resolve(rd[i][0], rd[i][1]);
        ok(r && !strcmp(r, rd[i][2]), "RD-12: %s + %s -> %s (got %s)", rd[i][0], rd[i][1], rd[i][2], r ? r : "NULL");
        free(r);
    }
}

#define L61 "aaaaaaaaaabbbbbbbbbbccccccccccddddddddddeeeeeeeeeeffffffffffg"
#define L63 L61 "hi"

static const struct {
    const char *in;
    httpref_code rc;
    const char *authority, *path_query, *user, *password;
    const char *id;
} parse_cases[] = {
    {"http://h/p?q=1", HTTPREF_OK, "h", "/p?q=1", NULL, NULL, "RQ-01"},
    {"http://h", HTTPREF_OK, "h", "/", NULL, NULL, "RQ-02"},
    {"http://h/a#frag", HTTPREF_OK, "h", "/a", NULL, NULL, "RQ-03"},
    {"http://u:p@h/", HTTPREF_OK, "h", "/", "u", "p", "RQ-05"},
    {"http://fulano:silva@h/", HTTPREF_OK, "h", "/", "fulano", "silva", "seed"},
    {"http://us%20er:p%40ss@h/", HTTPREF_OK, "h", "/", "us er", "p@ss", "userinfo percent-decoded"},
    {"http://H.Example:8080/", HTTPREF_OK, "h.example:8080", "/", NULL, NULL, "NE-13 port kept, host lowercased"},
    {"http://h:80/", HTTPREF_OK, "h", "/", NULL, NULL, "NE-13 default port dropped"},
    {"http://[::1]:8080/x", HTTPREF_OK, "[::1]:8080", "/x", NULL, NULL, "NE-05"},
    {"http://h/a b", HTTPREF_OK, "h", "/a%20b", NULL, NULL, "RQ-09 space escaped"},
    {"http://h/caf\xc3\xa9", HTTPREF_OK, "h", "/caf%C3%A9", NULL, NULL, "RD-37 UTF-8 escaped"},
    {"http://h/100%", HTTPREF_OK, "h", "/100%25", NULL, NULL, "lone % escaped"},
    {"http://h/%41", HTTPREF_OK, "h", "/%41", NULL, NULL, "valid escape kept"},
    {"http://h:70000/", HTTPREF_E_URL_PORT, NULL, NULL, NULL, NULL, "NE-06 port 70000"},
    {"http://h:0/", HTTPREF_E_URL_PORT, NULL, NULL, NULL, NULL, "NE-06 port 0"},
    {"http://h:8o/", HTTPREF_E_URL_PORT, NULL, NULL, NULL, NULL, "NE-06 port 8o"},
    {"http:///path", HTTPREF_E_URL_HOST, NULL, NULL, NULL, NULL, "NE-07 empty host"},
    {"http://:80/", HTTPREF_E_URL_HOST, NULL, NULL, NULL, NULL, "NE-07 empty host with port"},
    {"http://a.example%2F.evil/", HTTPREF_E_URL_HOST, NULL, NULL, NULL, NULL, "NE-08 %2F in host"},
    {"http://a b.example/", HTTPREF_E_URL_HOST, NULL, NULL, NULL, NULL, "NE-08 space in host"},
    {"http://a.example\r\nX: y/", HTTPREF_E_URL, NULL, NULL, NULL, NULL, "NE-08 CRLF in host"},
    {"http://h/x\r\nInjected: 1", HTTPREF_E_URL, NULL, NULL, NULL, NULL, "SEC-08 CRLF in path"},
    {"http://0123456789012345678901234567890123456789012345678901234567890123.example/", HTTPREF_E_URL_HOST, NULL, NULL,
     NULL, NULL, "NE-09 64-character label"},
    {"https://h/", HTTPREF_OK, "h", "/", NULL, NULL, "https parses (whether it can be fetched is the build's)"},
    {"HTTPS://h:443/x", HTTPREF_OK, "h", "/x", NULL, NULL, "https, scheme case-insensitive, default port given"},
    {"httpx://h/", HTTPREF_E_URL_SCHEME, NULL, NULL, NULL, NULL, "httpx"},
    {"ftp://h/", HTTPREF_E_URL_SCHEME, NULL, NULL, NULL, NULL, "ftp"},
    {"h/path", HTTPREF_E_URL, NULL, NULL, NULL, NULL, "no scheme"},
    {"http://a%3Ab:c@h/", HTTPREF_E_BAD_CREDENTIALS, NULL, NULL, NULL, NULL, "AU-13 colon in user-id"},
    {"http://a%0D%0A:c@h/", HTTPREF_E_BAD_CREDENTIALS, NULL, NULL, NULL, NULL, "AU-14 CRLF in user-id"},
    {"http://u:p%00w@h/", HTTPREF_E_BAD_CREDENTIALS, NULL, NULL, NULL, NULL, "NUL in the password"},
    {"http://u@h/", HTTPREF_OK, "h", "/", "u", "", "user without password: password empty"},
    {"http://a@b@h/", HTTPREF_E_URL, NULL, NULL, NULL, NULL, "a raw '@' in the userinfo: refused (SEC-19)"},
    {"http://a%40b@h/", HTTPREF_OK, "h", "/", "a@b", "", "an escaped '@' in the user-id is fine"},
    {"http://h.example\\@127.0.0.1/", HTTPREF_E_URL, NULL, NULL, NULL, NULL,
     "a backslash in the userinfo: refused, never a second reading of the host (SEC-19)"},
    {"http://u!$&'()*+,;=~._-:p@h/", HTTPREF_OK, "h", "/", "u!$&'()*+,;=~._-", "p", "every sub-delim is userinfo"},
    {"ht_tp://h/", HTTPREF_E_URL, NULL, NULL, NULL, NULL, "'_' cannot be in a scheme: no scheme"},
    {"HTTP://h/", HTTPREF_OK, "h", "/", NULL, NULL, "scheme is case-insensitive"},
    {"http:h/", HTTPREF_E_URL_HOST, NULL, NULL, NULL, NULL, "no authority"},
    {"http://h:/p", HTTPREF_OK, "h", "/p", NULL, NULL, "empty port means the default (RFC 3986 §3.2.3)"},
    {"http://h:123456789012/", HTTPREF_E_URL_PORT, NULL, NULL, NULL, NULL, "a port too long to count"},
    {"http://h?q", HTTPREF_OK, "h", "/?q", NULL, NULL, "empty path before a query is /"},
    {"http://h/a?b c", HTTPREF_OK, "h", "/a?b%20c", NULL, NULL, "space in the query escaped"},
    {"http://h_1.example/", HTTPREF_OK, "h_1.example", "/", NULL, NULL, "'_' accepted in a host name"},
    {"h+t.p-s://h/", HTTPREF_E_URL_SCHEME, NULL, NULL, NULL, NULL, "'+', '.', '-' in a scheme: a scheme, not http"},
    {"1http://h/", HTTPREF_E_URL, NULL, NULL, NULL, NULL, "a scheme starts with a letter"},
    {"http://h:999999/", HTTPREF_E_URL_PORT, NULL, NULL, NULL, NULL, "port over 65535"},
    {"http://h/%4a%4A%zz%4", HTTPREF_OK, "h", "/%4a%4A%25zz%254", NULL, NULL,
     "escapes of either case kept, broken ones escaped"},
    {"http://%75%53er:%70w@h/", HTTPREF_OK, "h", "/", "uSer", "pw", "userinfo escapes of either case decoded"},
    {"http://u%:p%4@h/", HTTPREF_OK, "h", "/", "u%", "p%4", "a broken escape in userinfo stays as it is"},
    /* IPv6 literals (RFC 3986 §3.2.2) */
    {"http://[::1/", HTTPREF_E_URL_HOST, NULL, NULL, NULL, NULL, "IPv6 literal without ']'"},
    {"http://[]/", HTTPREF_E_URL_HOST, NULL, NULL, NULL, NULL, "empty IPv6 literal"},
    {"http://[1:2:3:4:5:6:7:8:1:2:3:4:5:6:7:8:1:2:3:4:5:6:7:8:1:2:3:4:5:6:7:8:1:2:3:4:5:6:7:8]/", HTTPREF_E_URL_HOST,
     NULL, NULL, NULL, NULL, "IPv6 literal too long"},
    {"http://[fe80::zz]/", HTTPREF_E_URL_HOST, NULL, NULL, NULL, NULL, "IPv6 literal not hex"},
    {"http://[::1]x/", HTTPREF_E_URL_HOST, NULL, NULL, NULL, NULL, "garbage after an IPv6 literal"},
    {"http://[::1]/", HTTPREF_OK, "[::1]", "/", NULL, NULL, "IPv6 literal, default port"},
    /* RFC 1035: 253 characters at most (four 63-character labels make 255) */
    {"http://" L63 "." L63 "." L63 "." L63 "/", HTTPREF_E_URL_HOST, NULL, NULL, NULL, NULL, "255-character host"},
    {"http://" L63 "." L63 "." L63 "." L61 "/", HTTPREF_OK, L63 "." L63 "." L63 "." L61, "/", NULL, NULL,
     "253-character host"},
};

static void test_parse(void)
{
    for (size_t i = 0; i < sizeof parse_cases / sizeof parse_cases[0]; i++) {
        url u;
        char detail[160] = "";
        httpref_code rc = url_parse(parse_cases[i].in, &u, detail, sizeof detail);
        int good = rc == parse_cases[i].rc;
        if (good && rc == HTTPREF_OK) {
            good = !strcmp(u.authority, parse_cases[i].authority) && !strcmp(u.path_query, parse_cases[i].path_query) &&
                   ((!u.user && !parse_cases[i].user) ||
                    (u.user && parse_cases[i].user && !strcmp(u.user, parse_cases[i].user) &&
                     !strcmp(u.password, parse_cases[i].password)));
        }
        ok(good, "%s: %s -> %s %s", parse_cases[i].id, parse_cases[i].in, httpref_code_name(rc), detail);
        url_free(&u);
    }
}

static void test_dot_segments(void)
{
    /* the two examples of RFC 3986 §5.2.4, then each rule on a relative path (A and D never
     * arise from uri_resolve, whose paths start with "/") */
    static const char *const dots[][2] = {{"/a/b/c/./../../g", "/a/g"}, {"mid/content=5/../6", "mid/6"},
                                          {"../g", "g"},  {"./g", "g"},   {"../../g/h", "g/h"},
                                          {".", ""},      {"..", ""},     {"a/.", "a/"},
                                          {"a/..", "/"},  {"/..", "/"},   {"", ""}};
    for (size_t i = 0; i < sizeof dots / sizeof dots[0]; i++) {
        char b[64];
        strcpy(b, dots[i][0]);
        size_t n = uri_remove_dot_segments(b, strlen(b));
        ok(n == strlen(dots[i][1]) && !strcmp(b, dots[i][1]), "remove_dot_segments(\"%s\") = \"%s\" (got \"%s\")",
           dots[i][0], dots[i][1], b);
    }
}

static void test_absolute_form(void)
{
    /* request.c writes "http://" authority path-and-query to a proxy: no userinfo, no
     * fragment, non-default port kept */
    static const char *const af[][2] = {{"http://u:p@H.example:8080/a%20b?q#f", "http://h.example:8080/a%20b?q"},
                                        {"http://h", "http://h/"},
                                        {"http://[::1]:80/x", "http://[::1]/x"}};
    for (size_t i = 0; i < sizeof af / sizeof af[0]; i++) {
        url u;
        char detail[160];
        char s[128] = "NULL";
        if (url_parse(af[i][0], &u, detail, sizeof detail) == HTTPREF_OK) {
            snprintf(s, sizeof s, "http://%s%s", u.authority, u.path_query);
            url_free(&u);
        }
        ok(!strcmp(s, af[i][1]), "absolute-form of %s is %s (got %s)", af[i][0], af[i][1], s);
    }
}

/* httpref_uri_authority: the public view of the Appendix B split */
static void test_authority(void)
{
    static const struct {
        const char *uri;
        int has;
        const char *authority;
    } v[] = {{"http://u:p@host:81/x?y#z", 1, "u:p@host:81"}, {"http://[::1]/", 1, "[::1]"},
             {"http://host", 1, "host"},                       {"http:///path", 1, ""},
             {"/relative/path", 0, NULL},                      {"mailto:a@b", 0, NULL}};
    for (size_t i = 0; i < sizeof v / sizeof *v; i++) {
        size_t at = 99, n = 99;
        int has = httpref_uri_authority(v[i].uri, &at, &n);
        ok(has == v[i].has && (!has || (n == strlen(v[i].authority) && !strncmp(v[i].uri + at, v[i].authority, n))),
           "authority of %s", v[i].uri);
    }
}

int main(void)
{
    subtest("resolve", test_resolve);
    subtest("parse", test_parse);
    subtest("dot-segments", test_dot_segments);
    subtest("absolute-form", test_absolute_form);
    subtest("authority", test_authority);
    return done_testing();
}
