/* libFuzzer target: the WWW-Authenticate parser (auth_parse.c) and the
 * choice made on it (auth_digest.c). The input is field values separated by
 * LF (one WWW-Authenticate line each). Fed whole, then in pieces chosen by a
 * generator seeded from the input, the parser must give the same challenges,
 * the same error and the same error offset (its contract in auth.h); every
 * kept string must lie inside the arena; a Digest answer must fit its buffer. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"

static void feed(auth_parser *p, const uint8_t *data, size_t size, uint64_t seed)
{
    auth_parser_init(p);
    size_t i = 0, line = 0;
    while (i <= size) {
        if (i == size || data[i] == '\n') {
            const char *s = (const char *)data + line;
            size_t n = i - line, k = 0;
            if (line && auth_parser_next_field(p))
                return;
            while (k < n) { /* pieces of 1..16 bytes, or the whole line for seed 0 */
                size_t piece = seed ? (size_t)((seed = seed * 6364136223846793005u + 1442695040888963407u) >> 60) + 1
                                    : n - k;
                if (piece > n - k)
                    piece = n - k;
                if (auth_parser_feed(p, s + k, piece))
                    return;
                k += piece;
            }
            line = i + 1;
        }
        i++;
    }
    auth_parser_end(p);
}

static void same(const auth_parser *a, const auth_parser *b)
{
    if ((a->error == NULL) != (b->error == NULL) || (a->error && a->error_offset != b->error_offset))
        abort();
    if (a->error)
        return;
    if (a->nch != b->nch)
        abort();
    for (size_t i = 0; i < a->nch; i++) {
        const auth_challenge *x = &a->ch[i], *y = &b->ch[i];
        if (strcmp(auth_str(a, x->scheme), auth_str(b, y->scheme)) || x->nparams != y->nparams ||
            (x->token68 == AUTH_NONE) != (y->token68 == AUTH_NONE) ||
            (x->token68 != AUTH_NONE && strcmp(auth_str(a, x->token68), auth_str(b, y->token68))))
            abort();
        for (size_t k = 0; k < x->nparams; k++)
            if (x->params[k].name >= a->used || x->params[k].value >= a->used ||
                strcmp(auth_str(a, x->params[k].name), auth_str(b, y->params[k].name)) ||
                strcmp(auth_str(a, x->params[k].value), auth_str(b, y->params[k].value)))
                abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static auth_parser whole, split;
    uint64_t seed = 0x9e3779b97f4a7c15u;
    for (size_t i = 0; i < size; i++)
        seed = (seed ^ data[i]) * 1099511628211u;
    feed(&whole, data, size, 0);
    feed(&split, data, size, seed | 1);
    same(&whole, &split);
    /* the same bytes as the fields of a 401 */
    httpref_field f[8];
    size_t nf = 0, line = 0;
    for (size_t i = 0; i <= size && nf < 8; i++) {
        if (i == size || data[i] == '\n') {
            f[nf++] = (httpref_field){"WWW-Authenticate", 16, (const char *)data + line, i - line};
            line = i + 1;
        }
    }
    auth_digest d;
    char out[2048];
    if (auth_choose(f, nf, &d) == AUTH_SCHEME_DIGEST &&
        auth_digest_answer(&d, "user", "pass", "GET", "/p?q", 1, "0a4f113b", out, sizeof out) == 0 &&
        strlen(out) >= sizeof out)
        abort();
    return 0;
}
