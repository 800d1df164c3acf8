/* The adapter protocol shared by the C adapters: see cadapter.h. */
#define _POSIX_C_SOURCE 200809L /* getline */
#include "cadapter.h"
#include <stdio.h>
#include <string.h>

char *cad_latin1(const char *s, gssize len)
{
  gsize n = len < 0 ? strlen(s) : (gsize)len;
  GString *out = g_string_sized_new(n + 8);
  for (gsize i = 0; i < n; i++) {
    guchar c = (guchar)s[i];
    if (c < 0x80) {
      g_string_append_c(out, (char)c);
    } else {
      g_string_append_c(out, (char)(0xC0 | (c >> 6)));
      g_string_append_c(out, (char)(0x80 | (c & 0x3F)));
    }
  }
  return g_string_free(out, FALSE);
}

const char *cad_str(JsonObject *o, const char *name)
{
  JsonNode *n = json_object_get_member(o, name);
  return n && JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_STRING ? json_node_get_string(n)
                                                                                        : NULL;
}

gboolean cad_has(JsonObject *o, const char *name)
{
  JsonNode *n = json_object_get_member(o, name);
  return n && !JSON_NODE_HOLDS_NULL(n);
}

void cad_add_string(JsonBuilder *b, const char *member, const char *value)
{
  json_builder_set_member_name(b, member);
  json_builder_add_string_value(b, value);
}

void cad_begin_result(JsonBuilder *b, const char *name, const char *outcome, const char *version)
{
  json_builder_begin_object(b);
  cad_add_string(b, "outcome", outcome);
  json_builder_set_member_name(b, "implementation");
  json_builder_begin_object(b);
  cad_add_string(b, "name", name);
  cad_add_string(b, "version", version);
  json_builder_end_object(b);
}

void cad_add_error(JsonBuilder *b, const char *name, const char *cls, const char *message, const char *version)
{
  cad_begin_result(b, name, "error", version);
  json_builder_set_member_name(b, "error");
  json_builder_begin_object(b);
  cad_add_string(b, "class", cls);
  char *m = g_utf8_make_valid(message, -1); /* the libraries' messages are meant as UTF-8 text */
  cad_add_string(b, "message", m);
  g_free(m);
  json_builder_end_object(b);
}

static void print_result(JsonBuilder *b)
{
  json_builder_end_object(b);
  JsonGenerator *g = json_generator_new();
  JsonNode *root = json_builder_get_root(b);
  json_generator_set_root(g, root);
  char *text = json_generator_to_data(g, NULL);
  fputs(text, stdout);
  fputc('\n', stdout);
  fflush(stdout);
  g_free(text);
  json_node_unref(root);
  g_object_unref(g);
}

/* whether the spec's JSON text holds a \u0000 escape (json-glib's strings end there) */
static gboolean has_nul(const char *text, gsize n)
{
  for (gsize i = 0; i + 6 <= n; i++) {
    if (text[i] != '\\')
      continue;
    if (g_ascii_strncasecmp(text + i + 1, "u0000", 5) == 0)
      return TRUE;
    i++; /* an escaped character, whatever it is, is not the start of another escape */
  }
  return FALSE;
}

/* a spec's object, or NULL with *why set */
static JsonObject *parse_spec(JsonParser *p, const char *text, gssize len, const char **why)
{
  GError *err = NULL;
  if (!json_parser_load_from_data(p, text, len, &err)) {
    *why = "the line is not JSON";
    g_clear_error(&err);
    return NULL;
  }
  JsonNode *root = json_parser_get_root(p);
  JsonObject *o = root && JSON_NODE_HOLDS_OBJECT(root) ? json_node_get_object(root) : NULL;
  if (!o || !cad_str(o, "url")) {
    *why = "spec must be an object with a string url";
    return NULL;
  }
  return o;
}

/* serve_seq of a line, read off the text when the line is no spec */
static gboolean line_seq(JsonObject *spec, const char *line, gint64 *seq)
{
  if (spec) {
    if (!json_object_has_member(spec, "serve_seq"))
      return FALSE;
    *seq = json_object_get_int_member(spec, "serve_seq");
    return TRUE;
  }
  const char *at = strstr(line, "\"serve_seq\"");
  const char *colon = at ? strchr(at, ':') : NULL;
  if (!colon)
    return FALSE;
  *seq = g_ascii_strtoll(colon + 1, NULL, 10);
  return TRUE;
}

static int serve(const cadapter *a)
{
  char *line = NULL;
  size_t cap = 0;
  ssize_t len;
  while ((len = getline(&line, &cap, stdin)) >= 0) {
    if (strspn(line, " \t\r\n") == (size_t)len)
      continue; /* a blank line is no spec and gets no answer, as in _pyadapter */
    JsonParser *p = json_parser_new();
    JsonBuilder *b = json_builder_new();
    const char *why = NULL;
    JsonObject *spec = parse_spec(p, line, len, &why);
    gint64 seq = 0;
    gboolean has_seq = line_seq(spec, line, &seq);
    if (spec) {
      a->run(spec, b, a->version, has_nul(line, (gsize)len));
    } else {
      char *m = g_strdup_printf("bad request spec: %s", why);
      cad_add_error(b, a->name, "other", m, a->version);
      g_free(m);
    }
    if (has_seq) {
      json_builder_set_member_name(b, "serve_seq");
      json_builder_add_int_value(b, seq);
    }
    print_result(b);
    g_object_unref(b);
    g_object_unref(p);
  }
  free(line);
  return 0;
}

static int describe(const cadapter *a)
{
  JsonBuilder *b = json_builder_new();
  json_builder_begin_object(b);
  cad_add_string(b, "name", a->name);
  cad_add_string(b, "version", a->version);
  json_builder_set_member_name(b, "capabilities");
  json_builder_begin_array(b);
  for (const char *const *c = a->caps; *c; c++)
    json_builder_add_string_value(b, *c);
  json_builder_add_string_value(b, "serve");
  json_builder_end_array(b);
  print_result(b);
  g_object_unref(b);
  return 0;
}

static int one_shot(const cadapter *a)
{
  GString *in = g_string_new(NULL);
  char buf[65536];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, stdin)) > 0)
    g_string_append_len(in, buf, (gssize)n);
  JsonParser *p = json_parser_new();
  const char *why = NULL;
  JsonObject *spec = parse_spec(p, in->str, (gssize)in->len, &why);
  int rc = 0;
  if (spec) {
    JsonBuilder *b = json_builder_new();
    a->run(spec, b, a->version, has_nul(in->str, in->len));
    print_result(b);
    g_object_unref(b);
  } else {
    fprintf(stderr, "%s adapter: bad request spec: %s\n", a->name, why);
    rc = 2;
  }
  g_object_unref(p);
  g_string_free(in, TRUE);
  return rc;
}

int cad_main(const cadapter *a, int argc, char **argv)
{
  if (argc > 1 && strcmp(argv[1], "--describe") == 0)
    return describe(a);
  if (argc > 1 && strcmp(argv[1], "--serve") == 0)
    return serve(a);
  return one_shot(a);
}

gboolean cad_keep(GByteArray *body, const guint8 *data, gsize n, gboolean over)
{
  if (over || body->len + n > CAD_MAX_BODY) {
    g_byte_array_set_size(body, 0); /* what was kept goes too: it is not the body */
    return TRUE;
  }
  g_byte_array_append(body, data, (guint)n);
  return FALSE;
}
