/* Adapter: neon (the HTTP/WebDAV client library of Subversion's old ra_neon, cadaver,
 * litmus), its request API: one ne_session per spec and origin (so `then` reuses its
 * connection and nothing else does), ne_begin_request / ne_read_response_block /
 * ne_end_request with neon's own retry loop (NE_RETRY after an auth challenge).
 * neon's defaults stay: it follows no redirect (a 3xx is the response: no
 * redirect-control), no content decoding, no proxy unless the spec names one. URL
 * userinfo and a proxy URL's userinfo become neon's credential callbacks, which neon
 * calls when a 401 or 407 asks (its documented way: neon never sends them unasked).
 *
 *   neon --describe | --serve | (one spec on stdin)
 * Specs and results as in conformance/adapters/TEMPLATE.md; the protocol is cadapter.c. */
#include "cadapter.h"
#include <ne_auth.h>
#include <ne_request.h>
#include <ne_session.h>
#include <ne_socket.h>
#include <ne_uri.h>
#include <ne_utils.h>
#include <string.h>

#define NAME "neon"
#define BODY_CHUNK 65536
#define MAX_RETRIES 5 /* neon asks again after each 401/407; our callbacks answer once */

static const char *const CAPS[] = {"simple-form", "generic-form", "proxy", "request-body", "timeouts", "sequence",
                                   "custom-headers", "head", NULL};

/* credentials of one origin or proxy, given to neon's callback on its first attempt */
typedef struct {
  char *user, *pass;
} creds;

/* one spec's client: the session of the origin it talks to now */
typedef struct {
  ne_session *sess;
  char *hostport;
  creds server, proxy;
  int timeout;
} client;

static void split_userinfo(const char *userinfo, creds *c)
{
  g_clear_pointer(&c->user, g_free);
  g_clear_pointer(&c->pass, g_free);
  if (!userinfo)
    return;
  const char *colon = strchr(userinfo, ':');
  char *user = colon ? g_strndup(userinfo, (gsize)(colon - userinfo)) : g_strdup(userinfo);
  c->user = g_uri_unescape_string(user, NULL);
  c->pass = g_uri_unescape_string(colon ? colon + 1 : "", NULL);
  g_free(user);
}

static int give_creds(void *userdata, const char *realm, int attempt, char *username, char *password)
{
  (void)realm;
  creds *c = userdata;
  if (attempt > 0 || !c->user || !c->user[0])
    return -1; /* no (more) credentials: neon delivers the 401 or 407 */
  g_strlcpy(username, c->user, NE_ABUFSIZ);
  g_strlcpy(password, c->pass ? c->pass : "", NE_ABUFSIZ);
  return 0;
}

/* neon's message of a failed request as a shared class: its NE_* code first, its
 * words for NE_ERROR (ne_request.c, ne_socket.c) */
static const char *classify(int rc, const char *msg)
{
  switch (rc) {
  case NE_LOOKUP: return "dns";
  case NE_CONNECT: return "connect";
  case NE_TIMEOUT: return "timeout";
  default: break;
  }
  static const struct {
    const char *word, *cls;
  } words[] = {
      {"timed out", "timeout"},          {"too long", "limit"},     {"Too many", "limit"},
      {"exceeded maximum", "limit"},
      {"too large", "limit"},            {"closed", "closed"},      {"reset", "closed"},
      {"Broken pipe", "closed"},         {"EOF", "closed"},         {"truncated", "closed"},
      {"parse", "protocol"},             {"Invalid", "protocol"},   {"invalid", "protocol"},
      {"Malformed", "protocol"},         {"malformed", "protocol"}, {"Unknown transfer-coding", "protocol"},
  };
  for (gsize i = 0; i < G_N_ELEMENTS(words); i++)
    if (strstr(msg, words[i].word))
      return words[i].cls;
  return "other";
}

static void add_failure(JsonBuilder *b, int rc, ne_session *sess, const char *version)
{
  const char *msg = ne_get_error(sess);
  char *m = g_strdup_printf("neon %d: %s", rc, msg);
  cad_add_error(b, NAME, classify(rc, msg), m, version);
  g_free(m);
}

static void add_response(JsonBuilder *b, ne_request *req, GByteArray *body, const char *version)
{
  const ne_status *st = ne_get_status(req);
  cad_begin_result(b, NAME, "response", version);
  json_builder_set_member_name(b, "status");
  json_builder_add_int_value(b, st->code);
  char *r = cad_latin1(st->reason_phrase ? st->reason_phrase : "", -1);
  cad_add_string(b, "reason", r);
  g_free(r);
  char *v = g_strdup_printf("HTTP/%d.%d", st->major_version, st->minor_version);
  cad_add_string(b, "version", v);
  g_free(v);
  json_builder_set_member_name(b, "headers");
  json_builder_begin_array(b);
  const char *name, *value;
  void *cur = NULL;
  while ((cur = ne_response_header_iterate(req, cur, &name, &value)) != NULL) {
    char *n = cad_latin1(name, -1), *val = cad_latin1(value, -1);
    json_builder_begin_array(b);
    json_builder_add_string_value(b, n);
    json_builder_add_string_value(b, val);
    json_builder_end_array(b);
    g_free(n);
    g_free(val);
  }
  json_builder_end_array(b);
  char *b64 = g_base64_encode(body->data, body->len);
  cad_add_string(b, "body", b64);
  g_free(b64);
}

/* the session for uri's origin: the current one, or a new one replacing it */
static ne_session *session_for(client *c, const ne_uri *uri, JsonObject *spec)
{
  unsigned int port = uri->port ? uri->port : ne_uri_defaultport(uri->scheme);
  char *hp = g_strdup_printf("%s:%u", uri->host, port);
  if (c->sess && strcmp(hp, c->hostport) == 0) {
    g_free(hp);
    return c->sess;
  }
  if (c->sess)
    ne_session_destroy(c->sess);
  g_free(c->hostport);
  c->hostport = hp;
  c->sess = ne_session_create(uri->scheme, uri->host, port);
  ne_set_read_timeout(c->sess, c->timeout);
  ne_set_connect_timeout(c->sess, c->timeout);
  split_userinfo(uri->userinfo, &c->server);
  ne_set_server_auth(c->sess, give_creds, &c->server);
  const char *proxy = cad_str(spec, "proxy");
  ne_uri p = {0};
  if (proxy && *proxy && ne_uri_parse(proxy, &p) == 0 && p.host) {
    ne_session_proxy(c->sess, p.host, p.port ? p.port : 80);
    split_userinfo(p.userinfo, &c->proxy);
    ne_set_proxy_auth(c->sess, give_creds, &c->proxy);
  }
  ne_uri_free(&p);
  return c->sess;
}

static void add_headers(ne_request *req, JsonObject *spec, gboolean simple)
{
  gboolean has_type = FALSE;
  JsonArray *headers = cad_has(spec, "headers") ? json_object_get_array_member(spec, "headers") : NULL;
  for (guint i = 0; headers && i < json_array_get_length(headers); i++) {
    JsonArray *pair = json_array_get_array_element(headers, i);
    const char *n = json_array_get_string_element(pair, 0), *v = json_array_get_string_element(pair, 1);
    has_type = has_type || g_ascii_strcasecmp(n, "content-type") == 0;
    ne_add_request_header(req, n, v); /* sent as given: neon checks neither */
  }
  if (simple && !has_type)
    ne_add_request_header(req, "Content-Type", "application/x-www-form-urlencoded");
}

/* the response body read to its end (*over: past CAD_MAX_BODY, not kept), or the
 * NE_* code of the failure */
static int exchange(ne_request *req, GByteArray *body, gboolean *over)
{
  int rc;
  int tries = 0;
  do {
    g_byte_array_set_size(body, 0);
    *over = FALSE;
    rc = ne_begin_request(req);
    if (rc != NE_OK)
      return rc;
    char buf[BODY_CHUNK];
    ssize_t n;
    while ((n = ne_read_response_block(req, buf, sizeof buf)) > 0)
      *over = cad_keep(body, (guint8 *)buf, (gsize)n, *over);
    if (n < 0)
      return NE_ERROR;
    rc = ne_end_request(req);
  } while (rc == NE_RETRY && ++tries < MAX_RETRIES);
  return rc;
}

/* one request on the client, its result added to b */
static void do_request(client *c, JsonObject *spec, JsonBuilder *b, const char *version)
{
  ne_uri uri = {0};
  if (ne_uri_parse(cad_str(spec, "url"), &uri) != 0 || !uri.host || !uri.scheme) {
    ne_uri_free(&uri);
    cad_add_error(b, NAME, "invalid_request", "ne_uri_parse() refused the URL", version);
    return;
  }
  gsize blen = 0;
  guchar *body = cad_has(spec, "body") ? g_base64_decode(cad_str(spec, "body"), &blen) : NULL;
  const char *method = cad_str(spec, "method"), *form = cad_str(spec, "form");
  gboolean simple = form && strcmp(form, "simple") == 0 && body;
  if (!method || !*method)
    method = simple ? "POST" : "GET";
  char *target = uri.query ? g_strdup_printf("%s?%s", uri.path, uri.query) : g_strdup(uri.path);
  ne_session *sess = session_for(c, &uri, spec);
  ne_request *req = ne_request_create(sess, method, target);
  add_headers(req, spec, simple);
  if (body)
    ne_set_request_body_buffer(req, (const char *)body, blen);
  GByteArray *got = g_byte_array_new();
  gboolean over = FALSE;
  int rc = exchange(req, got, &over);
  /* NE_AUTH / NE_PROXYAUTH: neon could not (or was given nothing to) answer the
   * challenge; the 401 or 407 it read is there whole, as a neon caller sees it */
  int code = ne_get_status(req)->code;
  if (rc == NE_OK && over)
    cad_add_error(b, NAME, "other", CAD_OVER_CAP, version);
  else if (rc == NE_OK || (rc == NE_AUTH && code == 401) || (rc == NE_PROXYAUTH && code == 407))
    add_response(b, req, got, version);
  else
    add_failure(b, rc, sess, version);
  g_byte_array_unref(got);
  ne_request_destroy(req);
  g_free(target);
  g_free(body);
  ne_uri_free(&uri);
}

/* one spec (and its `then`) on a fresh client; the result object left open in b */
static void run_spec(JsonObject *spec, JsonBuilder *b, const char *version, gboolean nul)
{
  if (nul) {
    cad_add_error(b, NAME, "unsupported", "neon takes NUL-terminated strings: a NUL in the spec cannot be passed",
                  version);
    return;
  }
  client c = {0};
  JsonNode *t = json_object_get_member(spec, "timeout_s");
  c.timeout = t && JSON_NODE_HOLDS_VALUE(t) ? (int)(json_node_get_double(t) + 0.999) : 30;
  do_request(&c, spec, b, version);
  JsonArray *then = cad_has(spec, "then") ? json_object_get_array_member(spec, "then") : NULL;
  if (then) {
    json_builder_set_member_name(b, "then");
    json_builder_begin_array(b);
    for (guint i = 0; i < json_array_get_length(then); i++) {
      do_request(&c, json_array_get_object_element(then, i), b, version);
      json_builder_end_object(b);
    }
    json_builder_end_array(b);
  }
  if (c.sess)
    ne_session_destroy(c.sess);
  g_free(c.hostport);
  split_userinfo(NULL, &c.server);
  split_userinfo(NULL, &c.proxy);
}

int main(int argc, char **argv)
{
  if (ne_sock_init() != 0) {
    fprintf(stderr, "neon adapter: ne_sock_init() failed\n");
    return 3;
  }
  /* "neon 0.32.5: Library build, ..." : the first words are the version */
  const char *full = ne_version_string();
  const char *colon = strchr(full, ':');
  cadapter a = {NAME, colon ? g_strndup(full, (gsize)(colon - full)) : g_strdup(full), CAPS, run_spec};
  int rc = cad_main(&a, argc, argv);
  g_free(a.version);
  return rc;
}
