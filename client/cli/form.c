/*
 * form: -F/--form, a multipart/form-data body (RFC 7578) as curl builds it.
 * "name=value" is a text part, "name=@file" a file part (filename = its base
 * name, Content-Type from ";type=" or from its extension, as curl guesses),
 * "name=<file" a text part holding the file's bytes; ";type=" and
 * ";filename=" may follow. Names and file names escape '"', CR and LF as
 * %22, %0D, %0A (RFC 7578 §2, the HTML form rules curl follows). The body is
 * streamed part by part with a known Content-Length, files read as they go.
 */
#define _POSIX_C_SOURCE 200809L
#include "form.h"
#include "hx.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX_SEGMENTS (3 * CLI_MAX_FORMS + 1)

typedef struct segment {
    char *mem; /* owned text, or NULL for a file */
    size_t len;
    char *path; /* owned: the file whose bytes this segment is */
} segment;

struct form {
    segment seg[MAX_SEGMENTS];
    int nseg, cur;
    size_t off;
    FILE *f;
    char boundary[64];
    char content_type[96];
};

typedef struct part {
    char name[256], value[1024], type[128], filename[256];
    char kind; /* '=' text, '@' file upload, '<' file as text */
} part;

/* curl's guesses (tool_formparse.c) for a file part without ;type= */
static const char *guess_type(const char *file)
{
    static const char *const map[][2] = {
        {".gif", "image/gif"}, {".jpg", "image/jpeg"},       {".jpeg", "image/jpeg"}, {".png", "image/png"},
        {".svg", "image/svg+xml"}, {".txt", "text/plain"},   {".htm", "text/html"},   {".html", "text/html"},
        {".pdf", "application/pdf"}, {".xml", "application/xml"}};
    size_t n = strlen(file);
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
        size_t k = strlen(map[i][0]);
        if (n > k && !hx_casecmp(file + n - k, map[i][0]))
            return map[i][1];
    }
    return "application/octet-stream";
}

/* "name=value;type=T;filename=F" into p; -1 with the reason said */
static int parse_part(const char *arg, part *p)
{
    memset(p, 0, sizeof *p);
    const char *eq = strchr(arg, '=');
    if (!eq || eq == arg) {
        fprintf(stderr, "httpref: -F wants name=value, name=@file or name=<file, not \"%s\"\n", arg);
        return -1;
    }
    snprintf(p->name, sizeof p->name, "%.*s", (int)(eq - arg), arg);
    const char *v = eq + 1;
    p->kind = *v == '@' || *v == '<' ? *v++ : '=';
    size_t n = strcspn(v, ";");
    snprintf(p->value, sizeof p->value, "%.*s", (int)n, v);
    for (const char *a = v + n; *a == ';'; a += strcspn(a + 1, ";") + 1) {
        size_t len = strcspn(a + 1, ";");
        if (!strncmp(a + 1, "type=", 5))
            snprintf(p->type, sizeof p->type, "%.*s", (int)len - 5, a + 6);
        else if (!strncmp(a + 1, "filename=", 9))
            snprintf(p->filename, sizeof p->filename, "%.*s", (int)len - 9, a + 10);
        else /* not an attribute: the value goes on */
            snprintf(p->value + strlen(p->value), sizeof p->value - strlen(p->value), "%.*s", (int)len + 1, a);
    }
    return 0;
}

/* a quoted-string's content with '"', CR and LF as %22, %0D, %0A */
static void escaped(hx_buf *b, const char *s)
{
    for (; *s; s++)
        hx_buf_adds(b, *s == '"' ? "%22" : *s == '\r' ? "%0D" : *s == '\n' ? "%0A" : (char[]){*s, 0});
}

static int add_seg(form *fm, char *mem, size_t len, char *path)
{
    if (fm->nseg == MAX_SEGMENTS || (!mem && !path)) {
        free(mem);
        free(path);
        return -1;
    }
    fm->seg[fm->nseg++] = (segment){mem, len, path};
    return 0;
}

/* one part's head, content and closing CRLF; *size grows by their length */
static int add_part(form *fm, const part *p, int64_t *size)
{
    hx_buf h = {0};
    hx_buf_adds(&h, "--");
    hx_buf_adds(&h, fm->boundary);
    hx_buf_adds(&h, "\r\nContent-Disposition: form-data; name=\"");
    escaped(&h, p->name);
    hx_buf_adds(&h, "\"");
    const char *base = strrchr(p->value, '/') ? strrchr(p->value, '/') + 1 : p->value;
    if (p->kind == '@' || p->filename[0]) {
        hx_buf_adds(&h, "; filename=\"");
        escaped(&h, p->filename[0] ? p->filename : base);
        hx_buf_adds(&h, "\"");
    }
    const char *type = p->type[0] ? p->type : p->kind == '@' ? guess_type(p->value) : NULL;
    if (type) {
        hx_buf_adds(&h, "\r\nContent-Type: ");
        hx_buf_adds(&h, type);
    }
    hx_buf_adds(&h, "\r\n\r\n");
    *size += (int64_t)h.len + 2;
    if (add_seg(fm, h.p, h.len, NULL))
        return -1;
    if (p->kind == '=') {
        char *v = strdup(p->value);
        *size += (int64_t)strlen(p->value);
        return v ? add_seg(fm, v, strlen(v), NULL) : -1;
    }
    struct stat st;
    if (stat(p->value, &st) != 0 || !S_ISREG(st.st_mode)) {
        fprintf(stderr, "httpref: -F: cannot read %s: %s\n", p->value, strerror(errno ? errno : EINVAL));
        return -1;
    }
    *size += st.st_size;
    return add_seg(fm, NULL, (size_t)st.st_size, strdup(p->value));
}

form *form_build(const cli_config *c, int64_t *size)
{
    form *fm = calloc(1, sizeof *fm);
    if (!fm)
        return NULL;
    srand((unsigned)time(NULL) ^ (unsigned)getpid());
    snprintf(fm->boundary, sizeof fm->boundary, "------------------------%08x%08x", (unsigned)rand(),
             (unsigned)rand());
    snprintf(fm->content_type, sizeof fm->content_type, "multipart/form-data; boundary=%s", fm->boundary);
    *size = 0;
    for (int i = 0; i < c->nforms; i++) {
        part p;
        if (parse_part(c->forms[i], &p) || add_part(fm, &p, size) ||
            add_seg(fm, strdup("\r\n"), 2, NULL)) {
            form_free(fm);
            return NULL;
        }
    }
    char *end = malloc(strlen(fm->boundary) + 7);
    if (end)
        sprintf(end, "--%s--\r\n", fm->boundary);
    if (!end || add_seg(fm, end, strlen(end), NULL)) {
        free(end);
        form_free(fm);
        return NULL;
    }
    *size += (int64_t)strlen(end);
    return fm;
}

const char *form_content_type(const form *fm)
{
    return fm->content_type;
}

/* the next bytes of the body: the current segment's text or file, then the next one */
long form_read(void *ud, char *buf, size_t cap)
{
    form *fm = ud;
    while (fm->cur < fm->nseg) {
        segment *s = &fm->seg[fm->cur];
        size_t n = 0;
        if (s->mem) {
            n = s->len - fm->off < cap ? s->len - fm->off : cap;
            memcpy(buf, s->mem + fm->off, n);
        } else {
            if (!fm->f)
                fm->f = fopen(s->path, "rb");
            if (!fm->f)
                return -1;
            n = fread(buf, 1, s->len - fm->off < cap ? s->len - fm->off : cap, fm->f);
            if (!n && fm->off < s->len)
                return -1; /* the file shrank since it was measured: the length would be wrong */
        }
        fm->off += n;
        if (fm->off == s->len) {
            if (fm->f)
                fclose(fm->f);
            fm->f = NULL;
            fm->cur++;
            fm->off = 0;
        }
        if (n)
            return (long)n;
    }
    return 0;
}

void form_free(form *fm)
{
    if (!fm)
        return;
    for (int i = 0; i < fm->nseg; i++) {
        free(fm->seg[i].mem);
        free(fm->seg[i].path);
    }
    if (fm->f)
        fclose(fm->f);
    free(fm);
}
