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
                           {"http://h/a/b/c", "./", "http://h/a/b/"}, {"http://h/x", "//other/p", "http://other/p"}};
    for (size_t i = 0; i < 4; i++) {
        char *r = uri_resolve(rd[i][0], rd[i][1]);
        ok(r && !strcmp(r, rd[i][2]), "RD-12: %s + %s -> %s (got %s)", rd[i][0], rd[i][1], rd[i][2], r);
        free(r);
    }
}

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
    {"https://h/", HTTPREF_E_URL_SCHEME, NULL, NULL, NULL, NULL, "https (no TLS)"},
    {"ftp://h/", HTTPREF_E_URL_SCHEME, NULL, NULL, NULL, NULL, "ftp"},
    {"h/path", HTTPREF_E_URL, NULL, NULL, NULL, NULL, "no scheme"},
    {"http://a%3Ab:c@h/", HTTPREF_E_BAD_CREDENTIALS, NULL, NULL, NULL, NULL, "AU-13 colon in user-id"},
    {"http://a%0D%0A:c@h/", HTTPREF_E_BAD_CREDENTIALS, NULL, NULL, NULL, NULL, "AU-14 CRLF in user-id"},
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
    char b[64];
    strcpy(b, "/a/b/c/./../../g");
    ok(uri_remove_dot_segments(b, strlen(b)) == 4 && !strcmp(b, "/a/g"), "RFC 3986 §5.2.4 example 1 (%s)", b);
    strcpy(b, "mid/content=5/../6");
    ok(!strcmp((uri_remove_dot_segments(b, strlen(b)), b), "mid/6"), "RFC 3986 §5.2.4 example 2 (%s)", b);
}

int main(void)
{
    subtest("resolve", test_resolve);
    subtest("parse", test_parse);
    subtest("dot-segments", test_dot_segments);
    return done_testing();
}
