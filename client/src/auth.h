/* auth: WWW-Authenticate challenges (sans-I/O parser) and the Digest answer to them. */
#ifndef HTTPREF_AUTH_H
#define HTTPREF_AUTH_H

#include <stddef.h>
#include <stdint.h>
#include "httpref.h"

#define AUTH_MAX_CHALLENGES 8
#define AUTH_MAX_PARAMS 16
#define AUTH_ARENA 4096
#define AUTH_NONE ((size_t)-1)

/* one challenge: every string is an offset into the parser's arena (auth_str) */
typedef struct auth_challenge {
    size_t scheme;
    size_t token68; /* AUTH_NONE when absent */
    size_t nparams;
    struct {
        size_t name, value; /* the value unquoted (quoted-pair undone) */
    } params[AUTH_MAX_PARAMS];
} auth_challenge;

/* The parser: fed any pieces of one or more field values, it gives the same
 * challenges whatever the split. No allocation: it copies what it keeps
 * into its own arena, and refuses input past its bounds. */
typedef struct auth_parser {
    auth_challenge ch[AUTH_MAX_CHALLENGES];
    size_t nch;
    char arena[AUTH_ARENA];
    size_t used;
    /* where the bytes stand */
    int lex, gram, first, eq_space;
    size_t word, tok;   /* the pending word; the lexeme being read */
    uint64_t offset;    /* bytes fed so far */
    const char *error;  /* NULL, or what was wrong (the parser stops there) */
    uint64_t error_offset;
} auth_parser;

void auth_parser_init(auth_parser *p);
/* the next bytes of a field value: 0, or -1 once an error is found */
int auth_parser_feed(auth_parser *p, const char *data, size_t n);
/* between two WWW-Authenticate field lines: the same as a comma (RFC 9110 §5.3) */
int auth_parser_next_field(auth_parser *p);
/* the end of the input: 0 when everything parsed, else -1 */
int auth_parser_end(auth_parser *p);
/* the NUL-terminated string at an arena offset */
const char *auth_str(const auth_parser *p, size_t off);
/* the value of c's parameter name (case-insensitive), or NULL */
const char *auth_param(const auth_parser *p, const auth_challenge *c, const char *name);

/* ---- what to answer ---- */

typedef enum auth_scheme { AUTH_SCHEME_NONE = 0, AUTH_SCHEME_BASIC, AUTH_SCHEME_DIGEST } auth_scheme;

/* the Digest challenge chosen, copied out of the parser */
typedef struct auth_digest {
    int sha256, sess, qop_auth, userhash, stale;
    char realm[256], nonce[256], opaque[256];
} auth_digest;

/* The strongest challenge of the 401's fields that this client can answer
 * (RFC 7616 §3.7, RFC 9110 §11.6.1: Digest SHA-256, then Digest MD5, then
 * Basic), or AUTH_SCHEME_NONE (nothing usable, or the fields do not parse).
 * Basic is never the answer to a challenge that does not offer it (AU-27). */
auth_scheme auth_choose(const httpref_field *fields, size_t n, auth_digest *d);

/* The Authorization field value answering d (RFC 7616 §3.4) for method and
 * the request-target uri, with this nonce count and client nonce; into out
 * (cap bytes). 0, or -1 when it does not fit. */
int auth_digest_answer(const auth_digest *d, const char *user, const char *pass, const char *method, const char *uri,
                       unsigned nc, const char *cnonce, char *out, size_t cap);

#endif
