/*
 * auth_parse: WWW-Authenticate (RFC 9110 §11.6.1) as a push parser: bytes in
 * any pieces, a lexer (words, quoted strings, '=', ',', runs of spaces) under
 * a grammar state machine, results copied into a fixed arena.
 *
 *   WWW-Authenticate = #challenge
 *   challenge   = auth-scheme [ 1*SP ( token68 / #auth-param ) ]
 *   auth-param  = token BWS "=" BWS ( token / quoted-string )
 *   token68     = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
 *
 * The list's commas separate challenges and parameters alike; a bare word
 * after a comma (not followed by "=") starts the next challenge, the reading
 * every browser and curl share. Each parameter name once per challenge
 * (RFC 9110 §11.2 "MUST only occur once"). Strict: the first fault stops the
 * parse, and a caller then answers no challenge at all.
 */
#include "auth.h"
#include "hx.h"

#include <string.h>

enum { L_IDLE, L_WORD, L_QUOTED, L_ESCAPE };
enum { X_WORD, X_QUOTED, X_EQ, X_COMMA, X_SP, X_END }; /* lexemes */
enum { G_START, G_SCHEME, G_SCHEME_SP, G_LIST, G_WORD, G_WORD_SP, G_EQ, G_T68, G_T68_SP, G_PARAM, G_DONE };

void auth_parser_init(auth_parser *p)
{
    memset(p, 0, sizeof p->ch[0]); /* the rest is set as it is used */
    p->nch = p->used = 0;
    p->lex = L_IDLE;
    p->gram = G_START;
    p->offset = 0;
    p->error = NULL;
    p->error_offset = 0;
}

const char *auth_str(const auth_parser *p, size_t off)
{
    return off < p->used ? p->arena + off : "";
}

const char *auth_param(const auth_parser *p, const auth_challenge *c, const char *name)
{
    for (size_t i = 0; i < c->nparams; i++)
        if (!hx_casecmp(auth_str(p, c->params[i].name), name))
            return auth_str(p, c->params[i].value);
    return NULL;
}

static int fail(auth_parser *p, const char *why)
{
    if (!p->error) {
        p->error = why;
        p->error_offset = p->offset;
    }
    return -1;
}

/* tchar (RFC 9110 §5.6.2) */
static int is_tchar(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c && strchr("!#$%&'*+-.^_`|~", c));
}

static int put(auth_parser *p, char c)
{
    if (p->used >= AUTH_ARENA)
        return fail(p, "challenges larger than the parser's arena");
    p->arena[p->used++] = c;
    return 0;
}

/* a word as a token: a '/' belongs to token68 only */
static int token_ok(auth_parser *p, size_t w)
{
    return strchr(auth_str(p, w), '/') ? fail(p, "'/' in a token (only a token68 may hold one)") : 0;
}

static int open_challenge(auth_parser *p, size_t scheme)
{
    if (token_ok(p, scheme))
        return -1;
    if (p->nch == AUTH_MAX_CHALLENGES)
        return fail(p, "more challenges than the parser keeps");
    auth_challenge *c = &p->ch[p->nch++];
    c->scheme = scheme;
    c->token68 = AUTH_NONE;
    c->nparams = 0;
    return 0;
}

static int add_param(auth_parser *p, size_t name, size_t value, int quoted)
{
    auth_challenge *c = &p->ch[p->nch - 1];
    if (token_ok(p, name) || (!quoted && token_ok(p, value)))
        return -1;
    if (c->token68 != AUTH_NONE)
        return fail(p, "auth-param after a token68");
    if (auth_param(p, c, auth_str(p, name)))
        return fail(p, "auth-param given twice in one challenge (RFC 9110 §11.2)");
    if (c->nparams == AUTH_MAX_PARAMS)
        return fail(p, "more auth-params than the parser keeps");
    c->params[c->nparams].name = name;
    c->params[c->nparams++].value = value;
    return 0;
}

/* the pending word stands alone (a ',' or the end follows): right after the
 * scheme it is a token68, after a comma the scheme of the next challenge */
static int bare_word(auth_parser *p)
{
    if (!p->first)
        return open_challenge(p, p->word);
    p->ch[p->nch - 1].token68 = p->word;
    return 0;
}

/* "word =" then ',' / the end / another '=': a token68's padding, only when
 * nothing separated the word from its '=' and it came right after the scheme */
static int token68_padding(auth_parser *p)
{
    if (!p->first || p->eq_space)
        return fail(p, "auth-param without a value");
    p->arena[p->used - 1] = '='; /* the word is the arena's last string: grow it */
    if (put(p, 0))
        return -1;
    p->ch[p->nch - 1].token68 = p->word;
    return 0;
}

/* after a word or a quoted-string as value, a ',' or the end must follow */
static int after_value(auth_parser *p, int x)
{
    if (x == X_SP)
        return 0;
    if (x == X_COMMA)
        p->gram = G_LIST;
    else if (x == X_END)
        p->gram = G_DONE;
    else
        return fail(p, "expected ',' after an auth-param or token68");
    return 0;
}

/* after the scheme, a comma, or a bare word: what each lexeme means */
static int grammar_head(auth_parser *p, int x)
{
    switch (p->gram) {
    case G_START:
        if (x == X_WORD && !open_challenge(p, p->tok))
            p->gram = G_SCHEME;
        else if (x == X_WORD)
            return -1;
        else if (x == X_QUOTED || x == X_EQ)
            return fail(p, "a challenge starts with its auth-scheme token");
        return 0;
    case G_SCHEME:
    case G_SCHEME_SP:
    case G_LIST:
        if (x == X_WORD) {
            p->word = p->tok;
            p->first = p->gram == G_SCHEME_SP;
            p->gram = G_WORD;
        } else if (x == X_SP && p->gram == G_SCHEME) {
            p->gram = G_SCHEME_SP;
        } else if (x == X_COMMA) {
            p->gram = G_LIST;
        } else if (x == X_END) {
            p->gram = G_DONE;
        } else if (x != X_SP) {
            return fail(p, "expected a token after the auth-scheme or ','");
        }
        return 0;
    }
    return fail(p, "parser state");
}

static int grammar(auth_parser *p, int x)
{
    switch (p->gram) {
    case G_WORD:
    case G_WORD_SP:
        if (x == X_SP) {
            p->gram = G_WORD_SP;
        } else if (x == X_EQ) {
            p->eq_space = p->gram == G_WORD_SP;
            p->gram = G_EQ;
        } else if (x == X_COMMA || x == X_END) {
            if (bare_word(p))
                return -1;
            p->gram = x == X_END ? G_DONE : G_LIST;
        } else if (x == X_WORD && p->gram == G_WORD_SP && !p->first) {
            if (open_challenge(p, p->word)) /* "Basic realm=x, Digest realm=y" */
                return -1;
            p->word = p->tok;
            p->first = 1;
            p->gram = G_WORD;
        } else {
            return fail(p, "two tokens where an auth-param or token68 was expected");
        }
        return 0;
    case G_EQ:
        if (x == X_SP) {
            p->eq_space = 1; /* BWS: then no token68 */
            return 0;
        }
        if (x == X_WORD || x == X_QUOTED) {
            p->gram = G_PARAM;
            return add_param(p, p->word, p->tok, x == X_QUOTED);
        }
        if (token68_padding(p)) /* the '=' that led here */
            return -1;
        p->gram = G_T68;
        return grammar(p, x);
    case G_T68:
        if (x == X_EQ) { /* one more '=' of padding */
            p->arena[p->used - 1] = '=';
            return put(p, 0);
        }
        p->gram = G_PARAM;
        return after_value(p, x);
    case G_PARAM:
        return after_value(p, x);
    case G_DONE:
        return x == X_END ? 0 : fail(p, "input after the end");
    }
    return grammar_head(p, x);
}

/* one byte outside a word or quoted-string */
static int lex_idle(auth_parser *p, unsigned char c)
{
    if (c == ' ' || c == '\t')
        return grammar(p, X_SP);
    if (c == ',')
        return grammar(p, X_COMMA);
    if (c == '=')
        return grammar(p, X_EQ);
    if (c == '"') {
        p->tok = p->used;
        p->lex = L_QUOTED;
        return 0;
    }
    if (is_tchar(c) || c == '/') {
        p->tok = p->used;
        p->lex = L_WORD;
        return put(p, (char)c);
    }
    return fail(p, "byte that is no token, quoted-string, ',' or '=' (RFC 9110 §11.6.1)");
}

static int lex(auth_parser *p, unsigned char c)
{
    switch (p->lex) {
    case L_WORD:
        if (is_tchar(c) || c == '/')
            return put(p, (char)c);
        p->lex = L_IDLE;
        if (put(p, 0) || grammar(p, X_WORD))
            return -1;
        return lex_idle(p, c);
    case L_QUOTED:
        if (c == '"') {
            p->lex = L_IDLE;
            return put(p, 0) || grammar(p, X_QUOTED) ? -1 : 0;
        }
        if (c == '\\') {
            p->lex = L_ESCAPE;
            return 0;
        }
        /* qdtext = HTAB / SP / %x21 / %x23-5B / %x5D-7E / obs-text (RFC 9110 §5.6.4) */
        return (c < 0x20 && c != '\t') || c == 0x7f ? fail(p, "control character in a quoted-string") : put(p, (char)c);
    case L_ESCAPE:
        /* quoted-pair = "\" ( HTAB / SP / VCHAR / obs-text ) */
        p->lex = L_QUOTED;
        return (c < 0x20 && c != '\t') || c == 0x7f ? fail(p, "control character in a quoted-pair") : put(p, (char)c);
    }
    return lex_idle(p, c);
}

int auth_parser_feed(auth_parser *p, const char *data, size_t n)
{
    for (size_t i = 0; i < n && !p->error; i++, p->offset++)
        lex(p, (unsigned char)data[i]);
    return p->error ? -1 : 0;
}

int auth_parser_next_field(auth_parser *p)
{
    if (p->error)
        return -1;
    if (p->lex == L_QUOTED || p->lex == L_ESCAPE)
        return fail(p, "quoted-string not closed at the end of the field");
    return auth_parser_feed(p, ",", 1);
}

int auth_parser_end(auth_parser *p)
{
    if (p->error)
        return -1;
    if (p->lex == L_QUOTED || p->lex == L_ESCAPE)
        return fail(p, "quoted-string not closed at the end of the field");
    if (p->lex == L_WORD) {
        p->lex = L_IDLE;
        if (put(p, 0) || grammar(p, X_WORD))
            return -1;
    }
    return grammar(p, X_END);
}
