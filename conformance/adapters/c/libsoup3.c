/* Adapter: libsoup 3 (GNOME's HTTP client), its synchronous API: one SoupSession
 * per spec (so `then` reuses its connections and nothing else does), one
 * SoupMessage per request, soup_session_send() and the body read to its end.
 * libsoup's defaults stay: redirects followed (its fixed limit, 20: no
 * max-redirects), its content decoder, no proxy from the environment or GSettings
 * (the resolver is NULL unless the spec names a proxy, then a GSimpleProxyResolver).
 * URL userinfo is libsoup's own business (it answers a 401 with it).
 *
 *   libsoup3 --describe | --serve | (one spec on stdin)
 * Specs and results as in conformance/adapters/TEMPLATE.md; the protocol is cadapter.c. */
#include "cadapter.h"
#include <libsoup/soup.h>
#include <string.h>

#define BODY_CHUNK 65536

static const char *const CAPS[] = {"simple-form", "generic-form", "proxy", "redirect-control", "request-body",
                                   "timeouts", "sequence", "custom-headers", "head", NULL};

static char *impl_version(void)
{
  return g_strdup_printf("libsoup %u.%u.%u (GLib %u.%u.%u)", soup_get_major_version(), soup_get_minor_version(),
                         soup_get_micro_version(), glib_major_version, glib_minor_version, glib_micro_version);
}

/* a GError as a shared error class: GLib's and libsoup's own domains and codes */
static const char *classify(const GError *e)
{
  if (e->domain == G_RESOLVER_ERROR)
    return "dns";
  if (e->domain == SOUP_SESSION_ERROR) {
    switch (e->code) {
    case SOUP_SESSION_ERROR_TOO_MANY_REDIRECTS: return "too_many_redirects";
    /* the spec's own URL is always http: a bad URI came from a Location */
    case SOUP_SESSION_ERROR_REDIRECT_BAD_URI: return "redirect_refused";
    case SOUP_SESSION_ERROR_PARSING:
    case SOUP_SESSION_ERROR_ENCODING:
    case SOUP_SESSION_ERROR_REDIRECT_NO_LOCATION: return "protocol";
    default: return "unclassified";
    }
  }
  if (e->domain == G_IO_ERROR) {
    switch (e->code) {
    case G_IO_ERROR_CONNECTION_REFUSED:
    case G_IO_ERROR_HOST_UNREACHABLE:
    case G_IO_ERROR_NETWORK_UNREACHABLE:
    case G_IO_ERROR_PROXY_FAILED: return "connect";
    case G_IO_ERROR_TIMED_OUT: return "timeout";
    case G_IO_ERROR_PARTIAL_INPUT:
      /* libsoup reports its header size limit with the code of a cut-short message */
      return strcmp(e->message, "Header too big") == 0 ? "limit" : "closed";
    case G_IO_ERROR_CONNECTION_CLOSED: return "closed"; /* = G_IO_ERROR_BROKEN_PIPE */
    case G_IO_ERROR_INVALID_DATA: return "protocol";
    case G_IO_ERROR_MESSAGE_TOO_LARGE: return "limit";
    case G_IO_ERROR_INVALID_ARGUMENT: return "invalid_request";
    default: return "unclassified";
    }
  }
  return "unclassified";
}

static void add_error(JsonBuilder *b, const char *cls, const char *message, const char *version)
{
  cad_add_error(b, "libsoup3", cls, message, version);
}

static void add_gerror(JsonBuilder *b, const GError *e, const char *version)
{
  char *m = g_strdup_printf("%s %d: %s", g_quark_to_string(e->domain), e->code, e->message);
  add_error(b, classify(e), m, version);
  g_free(m);
}

static void add_response(JsonBuilder *b, SoupMessage *msg, GByteArray *body, const char *version)
{
  cad_begin_result(b, "libsoup3", "response", version);
  json_builder_set_member_name(b, "status");
  json_builder_add_int_value(b, soup_message_get_status(msg));
  json_builder_set_member_name(b, "reason");
  char *r = cad_latin1(soup_message_get_reason_phrase(msg) ? soup_message_get_reason_phrase(msg) : "", -1);
  json_builder_add_string_value(b, r);
  g_free(r);
  json_builder_set_member_name(b, "version");
  json_builder_add_string_value(b, soup_message_get_http_version(msg) == SOUP_HTTP_1_0 ? "HTTP/1.0" : "HTTP/1.1");
  json_builder_set_member_name(b, "headers");
  json_builder_begin_array(b);
  SoupMessageHeadersIter it;
  const char *name, *value;
  soup_message_headers_iter_init(&it, soup_message_get_response_headers(msg));
  while (soup_message_headers_iter_next(&it, &name, &value)) {
    char *n = cad_latin1(name, -1), *v = cad_latin1(value, -1);
    json_builder_begin_array(b);
    json_builder_add_string_value(b, n);
    json_builder_add_string_value(b, v);
    json_builder_end_array(b);
    g_free(n);
    g_free(v);
  }
  json_builder_end_array(b);
  json_builder_set_member_name(b, "body");
  char *b64 = g_base64_encode(body->data, body->len);
  json_builder_add_string_value(b, b64);
  g_free(b64);
}

/* the message of one request spec, or NULL (then *why says what was wrong) */
static SoupMessage *build_message(JsonObject *spec, const char **why)
{
  const char *url = cad_str(spec, "url");
  gsize blen = 0;
  guchar *body = cad_has(spec, "body") ? g_base64_decode(cad_str(spec, "body"), &blen) : NULL;
  const char *method = cad_str(spec, "method");
  const char *form = cad_str(spec, "form");
  gboolean simple = form && strcmp(form, "simple") == 0 && body;
  if (!method || !*method)
    method = simple ? "POST" : "GET";
  SoupMessage *msg = url ? soup_message_new(method, url) : NULL;
  if (!msg) {
    *why = "soup_message_new() refused the method or URL";
    g_free(body);
    return NULL;
  }
  SoupMessageHeaders *h = soup_message_get_request_headers(msg);
  gboolean has_type = FALSE;
  JsonArray *headers = cad_has(spec, "headers") ? json_object_get_array_member(spec, "headers") : NULL;
  for (guint i = 0; headers && i < json_array_get_length(headers); i++) {
    JsonArray *pair = json_array_get_array_element(headers, i);
    const char *n = json_array_get_string_element(pair, 0), *v = json_array_get_string_element(pair, 1);
    has_type = has_type || g_ascii_strcasecmp(n, "content-type") == 0;
    soup_message_headers_append(h, n, v); /* libsoup drops, with a warning, a name or value it finds bad */
  }
  if (simple && !has_type)
    soup_message_headers_append(h, "Content-Type", "application/x-www-form-urlencoded");
  if (body) {
    GBytes *bytes = g_bytes_new_take(body, blen);
    soup_message_set_request_body_from_bytes(msg, NULL, bytes);
    g_bytes_unref(bytes);
  }
  JsonNode *redirect = json_object_get_member(spec, "redirect");
  if (redirect && JSON_NODE_HOLDS_VALUE(redirect) && !json_node_get_boolean(redirect))
    soup_message_add_flags(msg, SOUP_MESSAGE_NO_REDIRECT);
  return msg;
}

/* one request on the session, its result added to b */
static void do_request(SoupSession *session, JsonObject *spec, JsonBuilder *b, const char *version)
{
  if (cad_has(spec, "max_redirects")) {
    add_error(b, "unsupported", "libsoup's redirect limit is fixed (20)", version);
    return;
  }
  const char *why = NULL;
  SoupMessage *msg = build_message(spec, &why);
  if (!msg) {
    add_error(b, "invalid_request", why, version);
    return;
  }
  GError *err = NULL;
  GInputStream *in = soup_session_send(session, msg, NULL, &err);
  GByteArray *body = g_byte_array_new();
  guint8 *buf = g_malloc(BODY_CHUNK);
  gssize n = 0;
  gboolean over = FALSE;
  while (in && (n = g_input_stream_read(in, buf, BODY_CHUNK, NULL, &err)) > 0)
    over = cad_keep(body, buf, (gsize)n, over);
  if (in) {
    g_input_stream_close(in, NULL, NULL); /* the connection goes back to the session's pool */
    g_object_unref(in);
  }
  if (err)
    add_gerror(b, err, version);
  else if (over)
    add_error(b, "other", CAD_OVER_CAP, version);
  else
    add_response(b, msg, body, version);
  g_clear_error(&err);
  g_free(buf);
  g_byte_array_unref(body);
  g_object_unref(msg);
}

static SoupSession *new_session(JsonObject *spec)
{
  guint timeout = 30;
  JsonNode *t = json_object_get_member(spec, "timeout_s");
  if (t && JSON_NODE_HOLDS_VALUE(t))
    timeout = (guint)(json_node_get_double(t) + 0.999);
  SoupSession *s = soup_session_new_with_options("timeout", timeout, NULL);
  const char *proxy = cad_str(spec, "proxy");
  GProxyResolver *r = proxy && *proxy ? g_simple_proxy_resolver_new(proxy, NULL) : NULL;
  soup_session_set_proxy_resolver(s, r); /* NULL: no proxy at all, not the system's */
  if (r)
    g_object_unref(r);
  return s;
}

/* one spec (and its `then`) on a fresh session; the result object left open in b */
static void run_spec(JsonObject *spec, JsonBuilder *b, const char *version, gboolean nul)
{
  if (nul) {
    add_error(b, "unsupported", "libsoup takes NUL-terminated strings: a NUL in the spec cannot be passed", version);
    return;
  }
  SoupSession *session = new_session(spec);
  do_request(session, spec, b, version);
  JsonArray *then = cad_has(spec, "then") ? json_object_get_array_member(spec, "then") : NULL;
  if (then) {
    json_builder_set_member_name(b, "then");
    json_builder_begin_array(b);
    for (guint i = 0; i < json_array_get_length(then); i++) {
      do_request(session, json_array_get_object_element(then, i), b, version);
      json_builder_end_object(b);
    }
    json_builder_end_array(b);
  }
  g_object_unref(session);
}

int main(int argc, char **argv)
{
  cadapter a = {"libsoup3", impl_version(), CAPS, run_spec};
  int rc = cad_main(&a, argc, argv);
  g_free(a.version);
  return rc;
}
