/*
 * test_auth: the WWW-Authenticate parser (auth_parse.c), the challenge choice
 * and the Digest answer (auth_digest.c), and the hashes under them (hx_hash.c).
 * Parser cases are rows: input (LF separates field lines) and the expected
 * rendering; every row runs whole, byte by byte and at every two-way split,
 * each runner reporting the row's line.
 */
#include <stdio.h>
#include <string.h>

#include "auth.h"
#include "hx.h"
#include "tap.h"

/* challenges as text: scheme[k=v;k=v] or scheme[=token68], space-separated; "ERR@n" on an error */
static void render(const auth_parser *p, char *out, size_t cap)
{
    size_t o = 0;
    out[0] = 0;
    if (p->error) {
        snprintf(out, cap, "ERR@%llu", (unsigned long long)p->error_offset);
        return;
    }
    for (size_t i = 0; i < p->nch && o < cap; i++) {
        const auth_challenge *c = &p->ch[i];
        o += (size_t)snprintf(out + o, cap - o, "%s%s[", i ? " " : "", auth_str(p, c->scheme));
        if (c->token68 != AUTH_NONE && o < cap)
            o += (size_t)snprintf(out + o, cap - o, "=%s", auth_str(p, c->token68));
        for (size_t k = 0; k < c->nparams && o < cap; k++)
            o += (size_t)snprintf(out + o, cap - o, "%s%s=%s", k ? ";" : "", auth_str(p, c->params[k].name),
                                  auth_str(p, c->params[k].value));
        if (o < cap)
            o += (size_t)snprintf(out + o, cap - o, "]");
    }
}

/* feed in, cut at `split` (0: none) and then in pieces of `piece` bytes (0: whole) */
static void run(const char *in, size_t split, size_t piece, char *out, size_t cap)
{
    static auth_parser p;
    auth_parser_init(&p);
    size_t n = strlen(in), pos = 0;
    while (pos <= n) {
        const char *nl = memchr(in + pos, '\n', n - pos);
        size_t end = nl ? (size_t)(nl - in) : n;
        for (size_t k = pos; k < end;) {
            size_t step = piece ? piece : end - k;
            if (split > k && split < k + step)
                step = split - k;
            if (step > end - k)
                step = end - k;
            auth_parser_feed(&p, in + k, step);
            k += step;
        }
        if (!nl)
            break;
        auth_parser_next_field(&p);
        pos = end + 1;
    }
    auth_parser_end(&p);
    render(&p, out, cap);
}

typedef struct pcase {
    int line;
    const char *in, *want, *what;
} pcase;

#define P(in, want, what) {__LINE__, in, want, what}

static const pcase parse_cases[] = {
    P("Basic realm=\"r\"", "Basic[realm=r]", "one Basic challenge"),
    P("basic REALM = \"r\"", "basic[REALM=r]", "BWS around '=' (RFC 9110 §11.2, AU-25)"),
    P("Basic realm=r", "Basic[realm=r]", "token value"),
    P("Digest realm=\"a\\\"b\", nonce=\"n\\\\x\"", "Digest[realm=a\"b;nonce=n\\x]", "quoted-pair undone"),
    P("Digest realm=\"r\", nonce=\"n\", Basic realm=\"b\"", "Digest[realm=r;nonce=n] Basic[realm=b]",
      "two challenges in one field"),
    P("Digest realm=\"r\"\nBasic realm=\"b\"", "Digest[realm=r] Basic[realm=b]", "two field lines"),
    P("Negotiate abc+/=", "Negotiate[=abc+/=]", "token68 with padding"),
    P("Negotiate abc==, Basic realm=x", "Negotiate[=abc==] Basic[realm=x]", "token68 then a challenge"),
    P("Bearer", "Bearer[]", "scheme alone"),
    P("Bearer, Basic realm=x", "Bearer[] Basic[realm=x]", "scheme alone, then another"),
    P(", ,Basic realm=x,, ", "Basic[realm=x]", "empty list elements (RFC 9110 §5.6.1)"),
    P("", "", "empty value"),
    P("Basic realm=\"\"", "Basic[realm=]", "empty quoted value"),
    P("Digest qop=\"auth,auth-int\", realm=r", "Digest[qop=auth,auth-int;realm=r]", "commas inside quotes"),
    P("Basic realm=\"r", "ERR@14", "quoted-string not closed"),
    P("Basic realm=\"r\nDigest x=y", "ERR@14", "quoted-string not closed at the field's end"),
    P("Basic realm=\"r\"\"x\"", "ERR@17", "two values (found where the second one ends)"),
    P("Basic realm=", "Basic[=realm=]", "a word and '=' alone: a token68"),
    P("Basic x, realm=", "ERR@15", "auth-param without a value"),
    P("Basic realm =, x", "ERR@13", "BWS then no value: no token68"),
    P("Basic a b", "ERR@9", "two tokens after the scheme"),
    P("Basic realm=\"a\", realm=\"b\"", "ERR@25", "a parameter twice (RFC 9110 §11.2)"),
    P("Basic realm=\"r\x01\"", "ERR@14", "control character in a quoted-string"),
    P("Basic realm=a/b", "ERR@15", "'/' in a token value"),
    P("=x", "ERR@0", "no scheme"),
    P("Basic @", "ERR@6", "a byte outside the grammar"),
    P("Negotiate abc=, x=y", "ERR@19", "auth-param after a token68"),
};

static void test_parse(void)
{
    char whole[1024], other[1024];
    for (size_t i = 0; i < sizeof parse_cases / sizeof parse_cases[0]; i++) {
        const pcase *c = &parse_cases[i];
        run(c->in, 0, 0, whole, sizeof whole);
        ok(!strcmp(whole, c->want), "%s: got \"%s\", expected \"%s\" (line %d)", c->what, whole, c->want, c->line);
        run(c->in, 0, 1, other, sizeof other);
        ok(!strcmp(other, whole), "%s byte by byte: got \"%s\" (line %d)", c->what, other, c->line);
        int splits = 1;
        for (size_t s = 1; s < strlen(c->in); s++) {
            run(c->in, s, 0, other, sizeof other);
            if (strcmp(other, whole)) {
                splits = 0;
                note("split at %zu: \"%s\"", s, other);
            }
        }
        ok(splits, "%s at every two-way split (line %d)", c->what, c->line);
    }
}

static void test_arena_bound(void)
{
    static char big[AUTH_ARENA * 2];
    auth_parser p;
    memcpy(big, "Basic realm=\"", 13);
    memset(big + 13, 'a', sizeof big - 15);
    big[sizeof big - 2] = '"';
    auth_parser_init(&p);
    ok(auth_parser_feed(&p, big, sizeof big - 1) == -1 && p.error && strstr(p.error, "arena"),
       "a value past the arena is refused, not truncated (%s)", p.error ? p.error : "no error");
}

/* ---- the choice (AU-26, AU-27) ---- */

static auth_scheme choose(const char *a, const char *b, auth_digest *d)
{
    httpref_field f[2] = {{"WWW-Authenticate", 16, a, strlen(a)}, {"www-authenticate", 16, b, b ? strlen(b) : 0}};
    return auth_choose(f, b ? 2 : 1, d);
}

static void test_choose(void)
{
    auth_digest d;
    ok(choose("Basic realm=r", NULL, &d) == AUTH_SCHEME_BASIC, "Basic alone: Basic");
    ok(choose("Digest realm=r, nonce=n", NULL, &d) == AUTH_SCHEME_DIGEST && !d.sha256 && !d.qop_auth,
       "AU-27: Digest alone: Digest (MD5, no qop), never Basic");
    ok(choose("Basic realm=r", "Digest realm=r, nonce=n, algorithm=SHA-256, qop=auth", &d) == AUTH_SCHEME_DIGEST &&
           d.sha256 && d.qop_auth && !strcmp(d.nonce, "n"),
       "AU-26: Digest SHA-256 over Basic");
    ok(choose("Digest realm=r, nonce=m, algorithm=MD5-sess, qop=auth", "Digest realm=r, nonce=s, algorithm=SHA-256",
              &d) == AUTH_SCHEME_DIGEST && d.sha256 && !strcmp(d.nonce, "s"),
       "SHA-256 over MD5, whatever the order");
    ok(choose("Digest realm=r, nonce=n, qop=auth-int", NULL, &d) == AUTH_SCHEME_NONE, "auth-int only: none");
    ok(choose("Digest realm=r, nonce=n, algorithm=SHA-512-256", "Basic realm=r", &d) == AUTH_SCHEME_BASIC,
       "an unknown algorithm: the next best");
    ok(choose("Digest realm=r", NULL, &d) == AUTH_SCHEME_NONE, "Digest without a nonce: none");
    ok(choose("Basic realm=\"r", "Digest realm=r, nonce=n", &d) == AUTH_SCHEME_NONE, "a malformed list: none");
    ok(choose("Bearer, Negotiate abc=", NULL, &d) == AUTH_SCHEME_NONE, "nothing we speak: none");
    ok(choose("Digest realm=r, nonce=n, stale=TRUE, userhash=true, qop=auth", NULL, &d) == AUTH_SCHEME_DIGEST &&
           d.stale && d.userhash,
       "stale and userhash read case-insensitively");
}

/* ---- the answer: RFC 7616 §3.9.1's own example ---- */

static void test_digest_answer(void)
{
    auth_digest d = {0};
    char out[2048];
    snprintf(d.realm, sizeof d.realm, "http-auth@example.org");
    snprintf(d.nonce, sizeof d.nonce, "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v");
    snprintf(d.opaque, sizeof d.opaque, "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS");
    d.qop_auth = 1;
    const char *cn = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";
    int rc = auth_digest_answer(&d, "Mufasa", "Circle of Life", "GET", "/dir/index.html", 1, cn, out, sizeof out);
    ok(rc == 0 && strstr(out, "response=\"8ca523f5e9506fed4657c9700eebdbec\"") &&
           strstr(out, "nc=00000001") && strstr(out, "qop=auth") && strstr(out, "algorithm=MD5,"),
       "RFC 7616 §3.9.1 MD5 (%s)", out);
    d.sha256 = 1;
    rc = auth_digest_answer(&d, "Mufasa", "Circle of Life", "GET", "/dir/index.html", 1, cn, out, sizeof out);
    ok(rc == 0 && strstr(out, "response=\"753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1\"") &&
           strstr(out, "algorithm=SHA-256,") && strstr(out, "opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\""),
       "RFC 7616 §3.9.1 SHA-256 (%s)", out);
    d.userhash = 1;
    char uh[65];
    hx_sha256_hex("Mufasa:http-auth@example.org", 28, uh);
    rc = auth_digest_answer(&d, "Mufasa", "Circle of Life", "GET", "/", 2, cn, out, sizeof out);
    ok(rc == 0 && strstr(out, uh) && !strstr(out, "Mufasa") && strstr(out, "userhash=true") &&
           strstr(out, "nc=00000002"),
       "userhash: H(user:realm) instead of the name (RFC 7616 §3.4.4)");
    d.sess = 1;
    d.userhash = 0;
    rc = auth_digest_answer(&d, "a\"b", "p", "GET", "/", 1, "c", out, sizeof out);
    ok(rc == 0 && strstr(out, "algorithm=SHA-256-sess") && strstr(out, "username=\"a\\\"b\""),
       "-sess named, a quote in the user name escaped");
    ok(auth_digest_answer(&d, "u", "p", "GET", "/", 1, "c", out, 40) == -1, "an answer longer than the buffer: -1");
}

static void test_hashes(void)
{
    static const struct {
        const char *in, *md5, *sha256;
    } v[] = {
        {"", "d41d8cd98f00b204e9800998ecf8427e", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
        {"abc", "900150983cd24fb0d6963f7d28e17f72", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
        {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "8215ef0796a20bcaaae116d3876c664a",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
        {"12345678901234567890123456789012345678901234567890123456789012345678901234567890",
         "57edf4a22be3c955ac49da2e2107b67a", "f371bc4a311f2b009eef952dd83ca80e2b60026c8e935592d0f9c308453c813e"},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        char m[33], s[65];
        hx_md5_hex(v[i].in, strlen(v[i].in), m);
        hx_sha256_hex(v[i].in, strlen(v[i].in), s);
        ok(!strcmp(m, v[i].md5), "md5 of %zu bytes: %s", strlen(v[i].in), m);
        ok(!strcmp(s, v[i].sha256), "sha256 of %zu bytes: %s", strlen(v[i].in), s);
    }
}

int main(void)
{
    subtest("parse", test_parse);
    subtest("bound", test_arena_bound);
    subtest("choose", test_choose);
    subtest("digest", test_digest_answer);
    subtest("hashes", test_hashes);
    return done_testing();
}
