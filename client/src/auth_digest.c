/*
 * auth_digest: which challenge to answer, and the Digest answer (RFC 7616).
 * Pure: the 401's fields in, a choice or an Authorization value out; the
 * client nonce and the nonce count come from the caller.
 *
 *   HA1 = H(user ":" realm ":" password)             -sess: H(HA1 ":" nonce ":" cnonce)
 *   HA2 = H(method ":" request-uri)                  (qop=auth; auth-int is not offered)
 *   response = H(HA1 ":" nonce ":" nc ":" cnonce ":" qop ":" HA2)     (§3.4.1)
 *            = H(HA1 ":" nonce ":" HA2) for a challenge without qop (RFC 2069, kept by RFC 2617)
 *   userhash=true: username = H(user ":" realm)     (§3.4.4)
 */
#define _POSIX_C_SOURCE 200809L
#include "auth.h"
#include "hx.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* the qop list holds the token "auth" (not only "auth-int") */
static int offers_qop_auth(const char *qop)
{
    for (const char *s = qop; *s;) {
        while (*s == ' ' || *s == '\t' || *s == ',')
            s++;
        size_t n = strcspn(s, " \t,");
        if (n == 4 && !hx_ncasecmp(s, "auth", 4))
            return 1;
        s += n;
    }
    return 0;
}

static int copy(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src);
    if (n >= cap)
        return -1;
    memcpy(dst, src, n + 1);
    return 0;
}

/* a Digest challenge this client can answer: rank 2 for SHA-256, 1 for MD5, 0 for none */
static int digest_rank(const auth_parser *p, const auth_challenge *c, auth_digest *d)
{
    const char *alg = auth_param(p, c, "algorithm"), *qop = auth_param(p, c, "qop");
    const char *realm = auth_param(p, c, "realm"), *nonce = auth_param(p, c, "nonce");
    const char *opaque = auth_param(p, c, "opaque"), *uh = auth_param(p, c, "userhash");
    const char *stale = auth_param(p, c, "stale");
    memset(d, 0, sizeof *d);
    if (!alg || !hx_casecmp(alg, "MD5") || !hx_casecmp(alg, "MD5-sess")) {
        d->sess = alg && alg[3];
    } else if (!hx_casecmp(alg, "SHA-256") || !hx_casecmp(alg, "SHA-256-sess")) {
        d->sha256 = 1;
        d->sess = alg[7] != 0;
    } else {
        return 0; /* SHA-512-256 and anything else: not answered */
    }
    if (!realm || !nonce || (qop && !offers_qop_auth(qop)) || (d->sess && !qop))
        return 0;
    d->qop_auth = qop != NULL;
    d->userhash = uh && !hx_casecmp(uh, "true");
    d->stale = stale && !hx_casecmp(stale, "true");
    if (copy(d->realm, sizeof d->realm, realm) || copy(d->nonce, sizeof d->nonce, nonce) ||
        copy(d->opaque, sizeof d->opaque, opaque ? opaque : ""))
        return 0;
    return d->sha256 ? 2 : 1;
}

auth_scheme auth_choose(const httpref_field *fields, size_t n, auth_digest *d)
{
    static const char name[] = "www-authenticate";
    auth_parser p;
    int seen = 0, best = 0, basic = 0;
    auth_parser_init(&p);
    for (size_t i = 0; i < n; i++) {
        if (!hx_ieq(fields[i].name, fields[i].name_len, name))
            continue;
        if ((seen++ && auth_parser_next_field(&p)) || auth_parser_feed(&p, fields[i].value, fields[i].value_len))
            return AUTH_SCHEME_NONE; /* a malformed challenge list: answer none of it */
    }
    if (!seen || auth_parser_end(&p))
        return AUTH_SCHEME_NONE;
    for (size_t i = 0; i < p.nch; i++) {
        const char *scheme = auth_str(&p, p.ch[i].scheme);
        auth_digest cand;
        int r = !hx_casecmp(scheme, "digest") ? digest_rank(&p, &p.ch[i], &cand) : 0;
        if (r > best) {
            best = r;
            *d = cand;
        }
        basic |= !hx_casecmp(scheme, "basic") && p.ch[i].token68 == AUTH_NONE;
    }
    return best ? AUTH_SCHEME_DIGEST : basic ? AUTH_SCHEME_BASIC : AUTH_SCHEME_NONE;
}

/* H(a ":" b [":" c ...]) of the NULL-terminated parts, as lowercase hex */
static int hash_parts(int sha256, char *out, const char *const *parts)
{
    hx_buf b = {0};
    for (size_t i = 0; parts[i]; i++) {
        if (i)
            hx_buf_add(&b, ":", 1);
        hx_buf_adds(&b, parts[i]);
    }
    if (b.oom) {
        hx_buf_free(&b);
        return -1;
    }
    if (sha256)
        hx_sha256_hex(b.p ? b.p : "", b.len, out);
    else
        hx_md5_hex(b.p ? b.p : "", b.len, out);
    hx_buf_free(&b);
    return 0;
}

/* name="value" with '"' and '\' escaped (quoted-pair, RFC 9110 §5.6.4) */
static void quoted(hx_buf *b, const char *name, const char *value)
{
    hx_buf_adds(b, name);
    hx_buf_add(b, "=\"", 2);
    for (const char *s = value; *s; s++) {
        if (*s == '"' || *s == '\\')
            hx_buf_add(b, "\\", 1);
        hx_buf_add(b, s, 1);
    }
    hx_buf_add(b, "\"", 1);
}

int auth_digest_answer(const auth_digest *d, const char *user, const char *pass, const char *method, const char *uri,
                       unsigned nc, const char *cnonce, char *out, size_t cap)
{
    char ha1[65], ha2[65], resp[65], uname[65], ncs[9];
    snprintf(ncs, sizeof ncs, "%08x", nc);
    if (hash_parts(d->sha256, ha1, (const char *const[]){user, d->realm, pass, NULL}) ||
        (d->sess && hash_parts(d->sha256, ha1, (const char *const[]){ha1, d->nonce, cnonce, NULL})) ||
        hash_parts(d->sha256, ha2, (const char *const[]){method, uri, NULL}) ||
        hash_parts(d->sha256, resp,
                   d->qop_auth ? (const char *const[]){ha1, d->nonce, ncs, cnonce, "auth", ha2, NULL}
                               : (const char *const[]){ha1, d->nonce, ha2, NULL}) ||
        (d->userhash && hash_parts(d->sha256, uname, (const char *const[]){user, d->realm, NULL})))
        return -1;
    hx_buf b = {0};
    hx_buf_adds(&b, "Digest ");
    quoted(&b, "username", d->userhash ? uname : user);
    quoted(&b, ", realm", d->realm);
    quoted(&b, ", uri", uri);
    hx_buf_adds(&b, d->sha256 ? ", algorithm=SHA-256" : ", algorithm=MD5");
    hx_buf_adds(&b, d->sess ? "-sess" : "");
    quoted(&b, ", nonce", d->nonce);
    if (d->qop_auth) {
        hx_buf_adds(&b, ", nc=");
        hx_buf_adds(&b, ncs);
        quoted(&b, ", cnonce", cnonce);
        hx_buf_adds(&b, ", qop=auth");
    }
    quoted(&b, ", response", resp);
    if (d->opaque[0])
        quoted(&b, ", opaque", d->opaque);
    if (d->userhash)
        hx_buf_adds(&b, ", userhash=true");
    int rc = b.oom || b.len >= cap ? -1 : 0;
    if (!rc)
        memcpy(out, b.p, b.len + 1);
    hx_buf_free(&b);
    return rc;
}
