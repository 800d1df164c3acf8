/*
 * data: the request body the data flags build, as curl's do. -d,
 * --data-binary DATA, --data-urlencode and --json each add a part; parts
 * are joined with '&' (--json parts are joined as given). -d @FILE reads
 * FILE without its CR and LF bytes, --data-binary @FILE is streamed by
 * build.c instead, --data-urlencode percent-encodes its content, and -G
 * (build.c) puts the whole body into the URL's query.
 */
#define _POSIX_C_SOURCE 200809L
#include "data.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int grow(cli_config *c, size_t more)
{
    if (c->body_len + more + 1 <= c->body_cap)
        return 0;
    size_t cap = (c->body_len + more + 1) * 2;
    char *p = realloc(c->body, cap);
    if (!p) {
        fprintf(stderr, "httpref: out of memory for the request body\n");
        return -1;
    }
    c->body = p;
    c->body_cap = cap;
    return 0;
}

static int append(cli_config *c, const char *s, size_t n)
{
    if (grow(c, n))
        return -1;
    memcpy(c->body + c->body_len, s, n);
    c->body_len += n;
    c->body[c->body_len] = 0;
    return 0;
}

/* a whole file (- = stdin) into memory, or NULL with the reason said */
static char *slurp(const char *path, size_t *len)
{
    FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
    if (!f) {
        fprintf(stderr, "httpref: cannot read %s: %s\n", path, strerror(errno));
        return NULL;
    }
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap)
            break;
        char *p = realloc(buf, cap *= 2);
        if (!p)
            free(buf);
        buf = p;
    }
    if (f != stdin)
        fclose(f);
    *len = n;
    return buf;
}

/* RFC 3986 unreserved bytes stay, a space is '+' (the form encoding), every other byte
 * is %XX: what curl's --data-urlencode sends */
static int append_encoded(cli_config *c, const char *s, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < n; i++) {
        unsigned char b = (unsigned char)s[i];
        char e[3] = {'%', hex[b >> 4], hex[b & 15]};
        int plain = (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z') || (b >= '0' && b <= '9') ||
                    (b && strchr("-._~", b));
        if (b == ' ' ? append(c, "+", 1) : append(c, plain ? (const char *)&s[i] : e, plain ? 1 : 3))
            return -1;
    }
    return 0;
}

/* --data-urlencode: "content", "=content", "name=content", "@file", "name@file" */
static int add_urlencoded(cli_config *c, const char *arg)
{
    size_t name = strcspn(arg, "=@");
    const char *content = arg[name] ? arg + name + 1 : arg;
    if (!arg[name])
        name = 0;
    if (name && append(c, arg, name))
        return -1;
    if (name && append(c, "=", 1))
        return -1;
    if (arg[name] != '@' || !arg[0])
        return append_encoded(c, content, strlen(content));
    size_t n;
    char *file = slurp(content, &n);
    int rc = file ? append_encoded(c, file, n) : -1;
    free(file);
    return rc;
}

/* -d @FILE: the file without CR and LF, as curl's -d reads it */
static int add_ascii_file(cli_config *c, const char *path)
{
    size_t n, k = 0;
    char *file = slurp(path, &n);
    if (!file)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (file[i] != '\r' && file[i] != '\n')
            file[k++] = file[i];
    int rc = append(c, file, k);
    free(file);
    return rc;
}

int data_add(cli_config *c, data_kind kind, const char *arg)
{
    if (c->body_given && kind != DATA_JSON && append(c, "&", 1))
        return -1;
    c->body_given = 1;
    if (kind == DATA_JSON)
        c->json = 1;
    if (kind == DATA_URLENCODE)
        return add_urlencoded(c, arg);
    if (arg[0] == '@' && kind == DATA_ASCII)
        return add_ascii_file(c, arg + 1);
    if (arg[0] == '@' && kind == DATA_JSON) {
        size_t n;
        char *file = slurp(arg + 1, &n);
        int rc = file ? append(c, file, n) : -1;
        free(file);
        return rc;
    }
    return append(c, arg, strlen(arg));
}
