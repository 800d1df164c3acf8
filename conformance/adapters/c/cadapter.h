/* The adapter protocol for the C adapters of scored peers (libsoup3.c, neon.c):
 * specs and results as JSON by json-glib, --describe, one-shot (a spec on stdin)
 * and --serve (a spec per line, serve_seq echoed). An adapter supplies its run
 * function: one spec, `then` included, answered into the open result object. */
#ifndef HTTPREF_CADAPTER_H
#define HTTPREF_CADAPTER_H

#include <json-glib/json-glib.h>

typedef struct {
  const char *name;
  char *version;                 /* the library's own, read at run time */
  const char *const *caps;       /* NULL-terminated; "serve" is added */
  /* one spec on a fresh client; nul: the spec's JSON text held a \u0000, which no
   * C-string API can be given as written */
  void (*run)(JsonObject *spec, JsonBuilder *b, const char *version, gboolean nul);
} cadapter;

/* bytes off the wire as JSON text: each byte one code point (ISO-8859-1), as the
 * Python adapters show them */
char *cad_latin1(const char *s, gssize len);
const char *cad_str(JsonObject *o, const char *name);     /* a string member or NULL */
gboolean cad_has(JsonObject *o, const char *name);        /* present and not null */
void cad_begin_result(JsonBuilder *b, const char *name, const char *outcome, const char *version);
void cad_add_error(JsonBuilder *b, const char *name, const char *cls, const char *message, const char *version);
void cad_add_string(JsonBuilder *b, const char *member, const char *value);
int cad_main(const cadapter *a, int argc, char **argv);

/* Past CAD_MAX_BODY the adapter reads on but keeps nothing, so the client's own bounds
 * decide how an endless body ends (the CLI and Lua adapters do the same); cad_keep()
 * appends, or marks body as over the cap (TRUE from then on). */
#define CAD_MAX_BODY (64u << 20)
#define CAD_OVER_CAP "response body larger than the adapter's 64 MiB cap (read to its end, not kept)"
gboolean cad_keep(GByteArray *body, const guint8 *data, gsize n, gboolean over);

#endif
