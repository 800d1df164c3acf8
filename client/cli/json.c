/*
 * json: recursive descent over RFC 8259, strict (no comments, no trailing
 * commas, no control characters in strings), bounded depth, errors that
 * say what was expected and at which byte (lua-cjson style).
 *
 * Why not jansson (libjansson-dev, JSON_ALLOW_NUL), weighed for issue 25:
 * - the writer has to stay ours whatever reads: results carry raw response
 *   bytes (obs-text, NUL, CTLs) as \u00XX, one code point per byte, and
 *   jansson's encoder refuses strings that are not UTF-8;
 * - the reader alone is what a library would replace, and the adapter path
 *   does not notice it: `httpref --adapter --serve` answers a spec with a
 *   POST, three fields (one with a NUL) and a `then` follow-up in 75 us,
 *   two connection attempts included (2000 specs, this machine); the parse
 *   of such a 200-byte spec is a few of those microseconds;
 * - jansson would make the reference client depend on a library only the
 *   harness path uses, on every machine and in every build flavour (ASan,
 *   coverage, valgrind), and its edges differ from the protocol's: the last
 *   of two equal keys wins (json_get takes the first), input must be UTF-8,
 *   nesting may go to 2048.
 * So the reader stays, bounded (depth 32, the caller's 64 MiB cap) and
 * covered by the adapter's tests and the whole catalogue.
 */
#define _POSIX_C_SOURCE 200809L
#include "json.h"
#include "hx.h"

#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 32

typedef struct parser {
    const char *s;
    size_t n, i;
    char *err;
    size_t errlen;
    int failed;
} parser;

static void fail(parser *p, const char *what)
{
    if (!p->failed)
        snprintf(p->err, p->errlen, "%s at byte %zu", what, p->i);
    p->failed = 1;
}

static void ws(parser *p)
{
    while (p->i < p->n && (p->s[p->i] == ' ' || p->s[p->i] == '\t' || p->s[p->i] == '\n' || p->s[p->i] == '\r'))
        p->i++;
}

static int value(parser *p, json *out, int depth);

static int hex4(parser *p, unsigned *v)
{
    *v = 0;
    for (int k = 0; k < 4; k++) {
        if (p->i >= p->n) {
            fail(p, "unterminated \\u escape");
            return -1;
        }
        char c = p->s[p->i++];
        unsigned d = (c >= '0' && c <= '9') ? (unsigned)(c - '0')
                     : ((c | 32) >= 'a' && (c | 32) <= 'f') ? (unsigned)((c | 32) - 'a' + 10) : 16;
        if (d == 16) {
            fail(p, "invalid \\u escape");
            return -1;
        }
        *v = *v * 16 + d;
    }
    return 0;
}

/* the code point of a \u escape, after the "\u"; a high surrogate must be
 * followed by its low half, and the pair is joined */
static int unicode_escape(parser *p, unsigned *cp)
{
    unsigned lo;
    if (hex4(p, cp))
        return -1;
    if (*cp < 0xD800 || *cp > 0xDBFF)
        return 0;
    if (!(p->i + 1 < p->n && p->s[p->i] == '\\' && p->s[p->i + 1] == 'u')) {
        fail(p, "lone surrogate");
        return -1;
    }
    p->i += 2;
    if (hex4(p, &lo))
        return -1;
    if (lo < 0xDC00 || lo > 0xDFFF) {
        fail(p, "invalid surrogate pair");
        return -1;
    }
    *cp = 0x10000 + ((*cp - 0xD800) << 10) + (lo - 0xDC00);
    return 0;
}

/* cp as UTF-8 at b (room for 4 bytes): the number of bytes written */
static size_t put_utf8(char *b, unsigned cp)
{
    if (cp < 0x80) {
        b[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        b[0] = (char)(0xC0 | (cp >> 6));
        b[1] = (char)(0x80 | (cp & 63));
        return 2;
    }
    if (cp < 0x10000) {
        b[0] = (char)(0xE0 | (cp >> 12));
        b[1] = (char)(0x80 | ((cp >> 6) & 63));
        b[2] = (char)(0x80 | (cp & 63));
        return 3;
    }
    b[0] = (char)(0xF0 | (cp >> 18));
    b[1] = (char)(0x80 | ((cp >> 12) & 63));
    b[2] = (char)(0x80 | ((cp >> 6) & 63));
    b[3] = (char)(0x80 | (cp & 63));
    return 4;
}

/* one escape after its backslash, its bytes appended at b + *o (room for 4) */
static int escape(parser *p, char *b, size_t *o)
{
    if (p->i >= p->n) {
        fail(p, "unterminated escape");
        return -1;
    }
    unsigned char c = (unsigned char)p->s[p->i++];
    const char *esc = strchr("\"\\/bfnrt", c);
    if (esc && c) {
        b[(*o)++] = "\"\\/\b\f\n\r\t"[esc - "\"\\/bfnrt"];
        return 0;
    }
    if (c != 'u') {
        p->i--;
        fail(p, "invalid escape");
        return -1;
    }
    unsigned cp;
    if (unicode_escape(p, &cp))
        return -1;
    *o += put_utf8(b + *o, cp);
    return 0;
}

/* a string from its opening quote: *out is malloc'd, NUL-terminated, *len long
 * (NULs inside kept) */
static int string(parser *p, char **out, size_t *len)
{
    size_t cap = 16, o = 0;
    char *b = malloc(cap);
    if (!b) {
        fail(p, "out of memory");
        return -1;
    }
    p->i++; /* opening quote */
    for (;;) {
        if (p->i >= p->n) {
            fail(p, "unterminated string");
            break;
        }
        unsigned char c = (unsigned char)p->s[p->i++];
        if (o + 5 > cap) { /* room for the longest thing one step appends, and the NUL */
            char *nb = realloc(b, cap *= 2);
            if (!nb) {
                fail(p, "out of memory");
                break;
            }
            b = nb;
        }
        if (c == '"') {
            b[o] = 0;
            *out = b;
            *len = o;
            return 0;
        }
        if (c < 0x20) {
            p->i--;
            fail(p, "control character in string");
            break;
        }
        if (c != '\\')
            b[o++] = (char)c;
        else if (escape(p, b, &o))
            break;
    }
    free(b);
    return -1;
}

static int push(parser *p, json *arr, char ***keys, size_t *cap)
{
    if (arr->len == *cap) {
        size_t nc = *cap ? *cap * 2 : 4;
        json *ni = realloc(arr->items, nc * sizeof *ni);
        if (!ni) {
            fail(p, "out of memory");
            return -1;
        }
        arr->items = ni;
        if (keys) {
            char **nk = realloc(*keys, nc * sizeof *nk);
            if (!nk) {
                fail(p, "out of memory");
                return -1;
            }
            *keys = nk;
        }
        *cap = nc;
    }
    memset(&arr->items[arr->len], 0, sizeof arr->items[0]);
    return 0;
}

static int container(parser *p, json *out, int depth, int object)
{
    size_t cap = 0;
    char close = object ? '}' : ']';
    out->type = object ? J_OBJECT : J_ARRAY;
    p->i++;
    ws(p);
    if (p->i < p->n && p->s[p->i] == close) {
        p->i++;
        return 0;
    }
    for (;;) {
        ws(p);
        if (push(p, out, object ? &out->keys : NULL, &cap))
            return -1;
        if (object) {
            size_t kl;
            if (p->i >= p->n || p->s[p->i] != '"') {
                fail(p, "expected a string key");
                return -1;
            }
            if (string(p, &out->keys[out->len], &kl))
                return -1;
            ws(p);
            if (p->i >= p->n || p->s[p->i] != ':') {
                free(out->keys[out->len]);
                fail(p, "expected ':'");
                return -1;
            }
            p->i++;
        }
        out->len++;
        if (value(p, &out->items[out->len - 1], depth + 1))
            return -1;
        ws(p);
        if (p->i < p->n && p->s[p->i] == ',') {
            p->i++;
            continue;
        }
        if (p->i < p->n && p->s[p->i] == close) {
            p->i++;
            return 0;
        }
        fail(p, object ? "expected ',' or '}'" : "expected ',' or ']'");
        return -1;
    }
}

static int value(parser *p, json *out, int depth)
{
    memset(out, 0, sizeof *out);
    if (depth > MAX_DEPTH) {
        fail(p, "nesting deeper than 32");
        return -1;
    }
    ws(p);
    if (p->i >= p->n) {
        fail(p, "unexpected end of input");
        return -1;
    }
    char c = p->s[p->i];
    if (c == '{' || c == '[')
        return container(p, out, depth, c == '{');
    if (c == '"') {
        out->type = J_STRING;
        return string(p, &out->str, &out->len);
    }
    static const struct {
        const char *word;
        json_type t;
    } words[] = {{"null", J_NULL}, {"true", J_TRUE}, {"false", J_FALSE}};
    for (size_t k = 0; k < 3; k++) {
        size_t wl = strlen(words[k].word);
        if (p->n - p->i >= wl && !memcmp(p->s + p->i, words[k].word, wl)) {
            p->i += wl;
            out->type = words[k].t;
            return 0;
        }
    }
    /* number = [ "-" ] int [ frac ] [ exp ] */
    size_t st = p->i;
    if (p->s[p->i] == '-')
        p->i++;
    if (p->i >= p->n || p->s[p->i] < '0' || p->s[p->i] > '9') {
        p->i = st;
        fail(p, "unexpected character");
        return -1;
    }
    while (p->i < p->n && strchr("0123456789.eE+-", p->s[p->i]) && p->s[p->i])
        p->i++;
    char buf[64];
    size_t nl = p->i - st;
    if (nl >= sizeof buf) {
        fail(p, "number too long");
        return -1;
    }
    memcpy(buf, p->s + st, nl);
    buf[nl] = 0;
    char *end;
    out->num = strtod(buf, &end);
    if (*end) {
        p->i = st;
        fail(p, "invalid number");
        return -1;
    }
    out->type = J_NUMBER;
    return 0;
}

json *json_parse(const char *text, size_t n, char *err, size_t errlen)
{
    parser p = {text, n, 0, err, errlen, 0};
    json *j = calloc(1, sizeof *j);
    if (!j)
        return NULL;
    if (value(&p, j, 0) == 0) {
        ws(&p);
        if (p.i == n)
            return j;
        fail(&p, "trailing data after the JSON value");
    }
    json_free(j);
    return NULL;
}

static void free_inner(json *j)
{
    free(j->str);
    for (size_t i = 0; (j->type == J_ARRAY || j->type == J_OBJECT) && i < j->len; i++) {
        free_inner(&j->items[i]);
        if (j->keys)
            free(j->keys[i]);
    }
    free(j->items);
    free(j->keys);
}

void json_free(json *j)
{
    if (j) {
        free_inner(j);
        free(j);
    }
}

const json *json_get(const json *o, const char *key)
{
    if (!o || o->type != J_OBJECT)
        return NULL;
    for (size_t i = 0; i < o->len; i++)
        if (!strcmp(o->keys[i], key))
            return &o->items[i];
    return NULL;
}

void json_put_string(FILE *f, const char *s, size_t n)
{
    fputc('"', f);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c < 0x20 || c >= 0x7f) /* non-ASCII as \u00XX: the bytes stay recoverable (latin-1) */
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

void json_put_base64(FILE *f, const char *s, size_t n)
{
    char *e = hx_base64_encode(s, n);
    fputc('"', f);
    if (e)
        fputs(e, f);
    fputc('"', f);
    free(e);
}
