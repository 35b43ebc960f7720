/* dc-server.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-server"

#include "config.h"

#include "dc-server.h"

#include <string.h>

#include "dc-error.h"
#include "dc-json.h"

typedef struct
{
  char           *method;
  DcRouteHandler  handler;
  gpointer        user_data;
} DcRouteMethod;

typedef struct
{
  char      *path_template;
  char     **segments;     /* "{name}" for parameters */
  char     **param_names;  /* per segment: the parameter's name, or NULL for a literal */
  guint      n_segments;
  guint64    specificity;  /* bit per literal segment, leftmost highest */
  GPtrArray *methods;      /* DcRouteMethod */
} DcRouteEntry;

typedef struct
{
  DcRouteEntry  *entry;   /* NULL: no route for the path */
  DcRouteMethod *method;  /* NULL: 405 */
  GHashTable    *params;
  gboolean       bad_path;
} DcMatch;

struct _DcServer
{
  GObject             parent_instance;

  SoupServer         *soup;
  DcStore            *store;
  GPtrArray          *entries;      /* DcRouteEntry */
  char               *token;
  guint               port;
  GInetAddress       *bind_address;
  gboolean            log_requests;

  DcDeviceStatusFunc  status_func;
  gpointer            status_data;
  GDestroyNotify      status_destroy;
};

G_DEFINE_FINAL_TYPE (DcServer, dc_server, G_TYPE_OBJECT)

static GQuark match_quark;

static const char * const method_order[] = { "GET", "HEAD", "POST", "PUT", "DELETE", NULL };

static void
route_method_free (DcRouteMethod *method)
{
  g_free (method->method);
  g_free (method);
}

static void
route_entry_free (DcRouteEntry *entry)
{
  g_free (entry->path_template);
  for (guint s = 0; s < entry->n_segments; s++)
    g_free (entry->param_names[s]);
  g_free (entry->param_names);
  g_strfreev (entry->segments);
  g_ptr_array_unref (entry->methods);
  g_free (entry);
}

static void
match_free (DcMatch *match)
{
  g_clear_pointer (&match->params, g_hash_table_unref);
  g_free (match);
}

void
dc_route_info_free (DcRouteInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->method);
  g_free (info->path_template);
  g_free (info);
}

static inline gboolean
segment_is_param (const char *segment)
{
  gsize len = strlen (segment);

  return len >= 3 && segment[0] == '{' && segment[len - 1] == '}';
}

/* Splits "/a/b/c" into its segments; "/" has none. */
static char **
split_path (const char *path,
            guint      *n_segments)
{
  char **segments;

  if (path[0] == '/')
    path++;
  if (path[0] == '\0')
    {
      *n_segments = 0;
      return g_new0 (char *, 1);
    }

  segments = g_strsplit (path, "/", -1);
  *n_segments = g_strv_length (segments);
  return segments;
}

static int
method_rank (const char *method)
{
  for (guint i = 0; method_order[i] != NULL; i++)
    if (g_str_equal (method, method_order[i]))
      return (int) i;
  return G_N_ELEMENTS (method_order);
}

static DcRouteMethod *
entry_find_method (DcRouteEntry *entry,
                   const char   *method)
{
  for (guint i = 0; i < entry->methods->len; i++)
    {
      DcRouteMethod *m = g_ptr_array_index (entry->methods, i);

      if (g_str_equal (m->method, method))
        return m;
    }
  return NULL;
}

static char *
entry_allow_header (DcRouteEntry *entry)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  GString *allow = g_string_new (NULL);
  gboolean has_get = FALSE;

  for (guint i = 0; i < entry->methods->len; i++)
    {
      DcRouteMethod *m = g_ptr_array_index (entry->methods, i);

      g_ptr_array_add (names, m->method);
      if (g_str_equal (m->method, "GET"))
        has_get = TRUE;
    }
  if (has_get)
    g_ptr_array_add (names, (char *) "HEAD");

  for (guint rank = 0; rank <= G_N_ELEMENTS (method_order); rank++)
    for (guint i = 0; i < names->len; i++)
      {
        const char *name = g_ptr_array_index (names, i);

        if ((guint) method_rank (name) != rank)
          continue;
        if (allow->len > 0)
          g_string_append (allow, ", ");
        g_string_append (allow, name);
      }

  return g_string_free (allow, FALSE);
}

#define MAX_SEGMENTS 64

/* Splits @raw_path into percent-decoded segments in @buffer (a copy of the path, decoded in
 * place). Returns FALSE when a segment is not valid percent-encoded UTF-8. */
static gboolean
decode_path (char        *buffer,
             char       **segments,
             guint       *n_segments)
{
  char *p = buffer;
  guint n = 0;

  if (*p == '/')
    p++;
  if (*p == '\0')
    {
      *n_segments = 0;
      return TRUE;
    }

  for (;;)
    {
      char *out = p;
      char *start = p;

      if (n == MAX_SEGMENTS)
        {
          *n_segments = n;
          return FALSE;
        }
      segments[n++] = start;
      while (*p != '\0' && *p != '/')
        {
          if (*p == '%')
            {
              int hi = g_ascii_xdigit_value (p[1]);
              int lo = hi >= 0 ? g_ascii_xdigit_value (p[2]) : -1;

              if (lo < 0 || (hi == 0 && lo == 0))
                {
                  *n_segments = n;
                  return FALSE;
                }
              *out++ = (char) ((hi << 4) | lo);
              p += 3;
            }
          else
            {
              *out++ = *p++;
            }
        }
      if (*p == '\0')
        {
          *out = '\0';
          break;
        }
      p++;
      *out = '\0';
    }

  *n_segments = n;
  for (guint i = 0; i < n; i++)
    if (!g_utf8_validate (segments[i], -1, NULL))
      {
        *n_segments = 0;
        return FALSE;
      }
  return TRUE;
}

/* Matches a request path against the table. Segments are percent-decoded; a segment that
 * does not decode to UTF-8 makes the path bad (400). */
static DcMatch *
dc_server_match (DcServer   *self,
                 const char *method,
                 const char *raw_path)
{
  DcMatch *match = g_new0 (DcMatch, 1);
  char stack_buffer[512];
  g_autofree char *heap_buffer = NULL;
  char *buffer;
  char *segments[MAX_SEGMENTS];
  DcRouteEntry *best = NULL;
  DcRouteEntry *best_with_method = NULL;
  guint n_segments = 0;
  gsize length = strlen (raw_path);
  const char *lookup_method = g_str_equal (method, "HEAD") ? "GET" : method;

  if (length < sizeof stack_buffer)
    buffer = memcpy (stack_buffer, raw_path, length + 1);
  else
    buffer = heap_buffer = g_strdup (raw_path);

  if (!decode_path (buffer, segments, &n_segments))
    {
      /* Too many segments cannot match any route. */
      match->bad_path = n_segments != MAX_SEGMENTS;
      return match;
    }

  for (guint i = 0; i < self->entries->len; i++)
    {
      DcRouteEntry *entry = g_ptr_array_index (self->entries, i);
      gboolean ok = TRUE;

      if (entry->n_segments != n_segments)
        continue;

      for (guint s = 0; s < n_segments && ok; s++)
        {
          if (entry->param_names[s] != NULL)
            ok = segments[s][0] != '\0';
          else
            ok = strcmp (entry->segments[s], segments[s]) == 0;
        }
      if (!ok)
        continue;

      if (best == NULL || entry->specificity > best->specificity)
        best = entry;
      if (entry_find_method (entry, lookup_method) != NULL &&
          (best_with_method == NULL || entry->specificity > best_with_method->specificity))
        best_with_method = entry;
    }

  if (best_with_method != NULL)
    best = best_with_method;
  if (best == NULL)
    return match;

  match->entry = best;
  match->method = entry_find_method (best, lookup_method);
  /* Keys are the entry's names: routes live as long as the server. */
  match->params = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  for (guint s = 0; s < n_segments; s++)
    if (best->param_names[s] != NULL)
      g_hash_table_insert (match->params, best->param_names[s], g_strdup (segments[s]));

  return match;
}

static gboolean
method_changes_state (const char *method)
{
  return !g_str_equal (method, "GET") && !g_str_equal (method, "HEAD");
}

/* Constant-time comparison so the token cannot be guessed byte by byte from timings. */
static gboolean
token_equal (const char *a,
             const char *b)
{
  gsize la = strlen (a);
  gsize lb = strlen (b);
  guchar diff = la != lb;

  for (gsize i = 0; i < MAX (la, lb); i++)
    diff |= (guchar) (i < la ? a[i] : 0) ^ (guchar) (i < lb ? b[i] : 0);

  return diff == 0;
}

/* Applies the access and size rules that need only the headers. Returns FALSE when the
 * message has been answered. */
static gboolean
dc_server_check_headers (DcServer          *self,
                         SoupServerMessage *msg,
                         DcMatch           *match)
{
  const char *method = soup_server_message_get_method (msg);
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  goffset content_length;

  if (match->bad_path)
    {
      dc_server_reply_text (msg, 400, "invalid percent-encoding in path (must be UTF-8)");
      return FALSE;
    }

  if (match->entry == NULL)
    {
      g_autofree char *text =
        g_strdup_printf ("unknown path %s", g_uri_get_path (soup_server_message_get_uri (msg)));

      dc_server_reply_text (msg, 404, text);
      return FALSE;
    }

  if (match->method == NULL)
    {
      g_autofree char *allow = entry_allow_header (match->entry);
      g_autofree char *text = g_strdup_printf ("method %s not allowed for %s (allowed: %s)",
                                               method, match->entry->path_template, allow);

      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Allow", allow);
      dc_server_reply_text (msg, 405, text);
      return FALSE;
    }

  if (self->token != NULL && method_changes_state (method))
    {
      const char *auth = soup_message_headers_get_one (headers, "Authorization");

      if (auth == NULL || g_ascii_strncasecmp (auth, "Bearer ", 7) != 0)
        {
          soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                        "WWW-Authenticate", "Bearer");
          dc_server_reply_text (msg, 401, "token required");
          return FALSE;
        }
      auth += 7;
      while (*auth == ' ')
        auth++;
      if (!token_equal (auth, self->token))
        {
          dc_server_reply_text (msg, 403, "token rejected");
          return FALSE;
        }
    }

  content_length = soup_message_headers_get_content_length (headers);
  if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH &&
      content_length > DC_SERVER_MAX_BODY)
    {
      dc_server_reply_text (msg, 413, "request body too large!");
      return FALSE;
    }

  return TRUE;
}

/* Runs after the headers, before the body is read: refusing here means an oversized or
 * unauthorised body is never read into memory. */
static void
dc_server_early_cb (SoupServer        *soup,
                    SoupServerMessage *msg,
                    const char        *path,
                    GHashTable        *query,
                    gpointer           user_data)
{
  DcServer *self = DC_SERVER (user_data);
  DcMatch *match;

  match = dc_server_match (self, soup_server_message_get_method (msg),
                           g_uri_get_path (soup_server_message_get_uri (msg)));
  g_object_set_qdata_full (G_OBJECT (msg), match_quark, match, (GDestroyNotify) match_free);
  if (!dc_server_check_headers (self, msg, match) && self->log_requests)
    g_debug ("%s %s → %u (before the body)", soup_server_message_get_method (msg), path,
             soup_server_message_get_status (msg));
}

static gboolean
body_is_blank (const char *data,
               gsize       length)
{
  for (gsize i = 0; i < length; i++)
    if (data[i] != ' ' && data[i] != '\t' && data[i] != '\r' && data[i] != '\n')
      return FALSE;
  return TRUE;
}

static void
dc_server_handler_cb (SoupServer        *soup,
                      SoupServerMessage *msg,
                      const char        *path,
                      GHashTable        *query,
                      gpointer           user_data)
{
  DcServer *self = DC_SERVER (user_data);
  const char *method = soup_server_message_get_method (msg);
  g_autoptr(JsonNode) body = NULL;
  DcMatch *match;
  gint64 start = 0;

  if (self->log_requests)
    start = g_get_monotonic_time ();

  match = g_object_get_qdata (G_OBJECT (msg), match_quark);
  if (match == NULL)
    {
      match = dc_server_match (self, method, g_uri_get_path (soup_server_message_get_uri (msg)));
      g_object_set_qdata_full (G_OBJECT (msg), match_quark, match, (GDestroyNotify) match_free);
      if (!dc_server_check_headers (self, msg, match))
        return;
    }
  if (match->method == NULL)
    return;

  if (method_changes_state (method))
    {
      SoupMessageBody *request_body = soup_server_message_get_request_body (msg);
      g_autoptr(GBytes) bytes = soup_message_body_flatten (request_body);
      gsize length;
      const char *data = g_bytes_get_data (bytes, &length);

      if (length > DC_SERVER_MAX_BODY)
        {
          dc_server_reply_text (msg, 413, "request body too large!");
          return;
        }
      if (!body_is_blank (data, length))
        {
          g_autoptr(GError) error = NULL;

          body = dc_json_parse (data, length, &error);
          if (body == NULL)
            {
              dc_server_reply_error (msg, error);
              return;
            }
        }
    }

  match->method->handler (self, msg, match->params, body, match->method->user_data);

  if (self->log_requests)
    g_debug ("%s %s → %u (%.3f ms)", method, path, soup_server_message_get_status (msg),
             (g_get_monotonic_time () - start) / 1000.0);
}

static void
dc_server_index_cb (DcServer          *self,
                    SoupServerMessage *msg,
                    GHashTable        *params,
                    JsonNode          *body,
                    gpointer           user_data)
{
  g_autoptr(GPtrArray) routes = dc_server_get_routes (self);
  const char *host = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                   "Host");
  g_autofree char *fallback = NULL;
  GString *text = g_string_new ("DataColl is running, available API:\n\n");

  if (host == NULL || host[0] == '\0')
    {
      g_autofree char *base = dc_server_get_base_uri (self);

      fallback = g_strdup (base + strlen ("http://"));
      host = fallback;
    }

  for (guint i = 0; i < routes->len; i++)
    {
      DcRouteInfo *info = g_ptr_array_index (routes, i);

      g_string_append_printf (text, "method: %-8s URL: http://%s%s\n",
                              info->method, host, info->path_template);
    }

  soup_server_message_set_status (msg, 200, NULL);
  soup_server_message_set_response (msg, "text/plain; charset=utf-8", SOUP_MEMORY_TAKE,
                                    text->str, text->len);
  g_string_free (text, FALSE);
}

static void
dc_server_dispose (GObject *object)
{
  DcServer *self = DC_SERVER (object);

  if (self->soup != NULL)
    {
      soup_server_disconnect (self->soup);
      g_clear_object (&self->soup);
    }
  g_clear_object (&self->store);
  g_clear_object (&self->bind_address);
  if (self->status_destroy != NULL)
    g_clear_pointer (&self->status_data, self->status_destroy);
  self->status_func = NULL;

  G_OBJECT_CLASS (dc_server_parent_class)->dispose (object);
}

static void
dc_server_finalize (GObject *object)
{
  DcServer *self = DC_SERVER (object);

  g_clear_pointer (&self->entries, g_ptr_array_unref);
  g_clear_pointer (&self->token, g_free);

  G_OBJECT_CLASS (dc_server_parent_class)->finalize (object);
}

static void
dc_server_class_init (DcServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = dc_server_dispose;
  object_class->finalize = dc_server_finalize;

  match_quark = g_quark_from_static_string ("dc-server-match");
}

static void
dc_server_init (DcServer *self)
{
  self->entries = g_ptr_array_new_with_free_func ((GDestroyNotify) route_entry_free);
  self->soup = soup_server_new ("server-header", "DataColl/" PACKAGE_VERSION, NULL);
  soup_server_add_early_handler (self->soup, NULL, dc_server_early_cb, self, NULL);
  soup_server_add_handler (self->soup, NULL, dc_server_handler_cb, self, NULL);

  dc_server_add_route (self, "GET", "/", dc_server_index_cb, NULL);
}

DcServer *
dc_server_new (DcStore *store)
{
  DcServer *self = g_object_new (DC_TYPE_SERVER, NULL);

  if (store != NULL)
    self->store = g_object_ref (store);

  return self;
}

DcStore *
dc_server_get_store (DcServer *self)
{
  g_return_val_if_fail (DC_IS_SERVER (self), NULL);

  return self->store;
}

SoupServer *
dc_server_get_soup_server (DcServer *self)
{
  g_return_val_if_fail (DC_IS_SERVER (self), NULL);

  return self->soup;
}

void
dc_server_set_token (DcServer   *self,
                     const char *token)
{
  g_return_if_fail (DC_IS_SERVER (self));

  g_free (self->token);
  self->token = (token != NULL && token[0] != '\0') ? g_strdup (token) : NULL;
}

char *
dc_server_read_token_file (const char  *path,
                           GError     **error)
{
  g_autofree char *contents = NULL;
  g_autoptr(GError) local_error = NULL;
  char *newline;

  g_return_val_if_fail (path != NULL, NULL);

  if (!g_file_get_contents (path, &contents, NULL, &local_error))
    {
      g_set_error (error, DC_ERROR, DC_ERROR_INVALID, "cannot read token file: %s",
                   local_error->message);
      return NULL;
    }

  newline = strchr (contents, '\n');
  if (newline != NULL)
    *newline = '\0';
  g_strstrip (contents);

  if (contents[0] == '\0')
    {
      g_set_error (error, DC_ERROR, DC_ERROR_INVALID, "token file %s is empty", path);
      return NULL;
    }

  return g_steal_pointer (&contents);
}

static GInetAddress *
parse_bind_address (const char  *bind,
                    GError     **error)
{
  GInetAddress *address;

  if (bind == NULL || g_ascii_strcasecmp (bind, "localhost") == 0)
    return g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);

  address = g_inet_address_new_from_string (bind);
  if (address == NULL)
    g_set_error (error, DC_ERROR, DC_ERROR_INVALID,
                 "invalid bind address %s (use an IPv4 or IPv6 address)", bind);

  return address;
}

gboolean
dc_server_listen (DcServer    *self,
                  const char  *bind,
                  guint        port,
                  GError     **error)
{
  g_autoptr(GInetAddress) address = NULL;
  g_autoptr(GSocketAddress) socket_address = NULL;
  g_autoptr(GError) local_error = NULL;
  GSList *listeners;

  g_return_val_if_fail (DC_IS_SERVER (self), FALSE);
  g_return_val_if_fail (port <= 65535, FALSE);

  address = parse_bind_address (bind, error);
  if (address == NULL)
    return FALSE;

  if (!g_inet_address_get_is_loopback (address) && self->token == NULL)
    {
      g_autofree char *text = g_inet_address_to_string (address);

      g_set_error (error, DC_ERROR, DC_ERROR_FORBIDDEN,
                   "binding %s requires --token-file (only loopback addresses are open)", text);
      return FALSE;
    }

  socket_address = g_inet_socket_address_new (address, port);
  if (!soup_server_listen (self->soup, socket_address, 0, &local_error))
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE))
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE, "port %u is in use", port);
      else
        g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  g_set_object (&self->bind_address, address);

  listeners = soup_server_get_listeners (self->soup);
  for (GSList *l = listeners; l != NULL; l = l->next)
    {
      g_autoptr(GSocketAddress) local = g_socket_get_local_address (l->data, NULL);

      if (G_IS_INET_SOCKET_ADDRESS (local))
        self->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local));
    }
  g_slist_free (listeners);

  return TRUE;
}

guint
dc_server_get_port (DcServer *self)
{
  g_return_val_if_fail (DC_IS_SERVER (self), 0);

  return self->port;
}

char *
dc_server_get_base_uri (DcServer *self)
{
  g_autofree char *host = NULL;

  g_return_val_if_fail (DC_IS_SERVER (self), NULL);

  if (self->bind_address == NULL || g_inet_address_get_is_any (self->bind_address))
    host = g_strdup ("127.0.0.1");
  else
    host = g_inet_address_to_string (self->bind_address);

  if (strchr (host, ':') != NULL)
    return g_strdup_printf ("http://[%s]:%u", host, self->port);
  return g_strdup_printf ("http://%s:%u", host, self->port);
}

void
dc_server_disconnect (DcServer *self)
{
  g_return_if_fail (DC_IS_SERVER (self));

  if (self->soup != NULL)
    soup_server_disconnect (self->soup);
}

void
dc_server_set_log_requests (DcServer *self,
                            gboolean  log_requests)
{
  g_return_if_fail (DC_IS_SERVER (self));

  self->log_requests = !!log_requests;
}

void
dc_server_add_route (DcServer       *self,
                     const char     *method,
                     const char     *path_template,
                     DcRouteHandler  handler,
                     gpointer        user_data)
{
  DcRouteEntry *entry = NULL;
  DcRouteMethod *route_method;

  g_return_if_fail (DC_IS_SERVER (self));
  g_return_if_fail (method != NULL);
  g_return_if_fail (path_template != NULL && path_template[0] == '/');
  g_return_if_fail (handler != NULL);

  for (guint i = 0; i < self->entries->len; i++)
    {
      DcRouteEntry *e = g_ptr_array_index (self->entries, i);

      if (g_str_equal (e->path_template, path_template))
        {
          entry = e;
          break;
        }
    }

  if (entry == NULL)
    {
      entry = g_new0 (DcRouteEntry, 1);
      entry->path_template = g_strdup (path_template);
      entry->segments = split_path (path_template, &entry->n_segments);
      entry->methods = g_ptr_array_new_with_free_func ((GDestroyNotify) route_method_free);
      g_return_if_fail (entry->n_segments < MAX_SEGMENTS);
      entry->param_names = g_new0 (char *, entry->n_segments + 1);
      for (guint s = 0; s < entry->n_segments; s++)
        {
          const char *segment = entry->segments[s];

          if (segment_is_param (segment))
            entry->param_names[s] = g_strndup (segment + 1, strlen (segment) - 2);
          else
            entry->specificity |= G_GUINT64_CONSTANT (1) << (63 - s);
        }
      g_ptr_array_add (self->entries, entry);
    }

  if (entry_find_method (entry, method) != NULL)
    {
      g_critical ("route %s %s registered twice", method, path_template);
      return;
    }

  route_method = g_new0 (DcRouteMethod, 1);
  route_method->method = g_ascii_strup (method, -1);
  route_method->handler = handler;
  route_method->user_data = user_data;
  g_ptr_array_add (entry->methods, route_method);
}

static int
route_info_compare (gconstpointer a,
                    gconstpointer b)
{
  const DcRouteInfo *ia = *(const DcRouteInfo * const *) a;
  const DcRouteInfo *ib = *(const DcRouteInfo * const *) b;
  int ra = method_rank (ia->method);
  int rb = method_rank (ib->method);

  if (ra != rb)
    return ra - rb;
  if (ra == G_N_ELEMENTS (method_order))
    {
      int c = strcmp (ia->method, ib->method);

      if (c != 0)
        return c;
    }
  return strcmp (ia->path_template, ib->path_template);
}

GPtrArray *
dc_server_get_routes (DcServer *self)
{
  GPtrArray *routes;

  g_return_val_if_fail (DC_IS_SERVER (self), NULL);

  routes = g_ptr_array_new_with_free_func ((GDestroyNotify) dc_route_info_free);
  for (guint i = 0; i < self->entries->len; i++)
    {
      DcRouteEntry *entry = g_ptr_array_index (self->entries, i);

      for (guint m = 0; m < entry->methods->len; m++)
        {
          DcRouteMethod *method = g_ptr_array_index (entry->methods, m);
          DcRouteInfo *info = g_new0 (DcRouteInfo, 1);

          info->method = g_strdup (method->method);
          info->path_template = g_strdup (entry->path_template);
          g_ptr_array_add (routes, info);
        }
    }
  g_ptr_array_sort (routes, route_info_compare);

  return routes;
}

void
dc_server_set_device_status_func (DcServer           *self,
                                  DcDeviceStatusFunc  func,
                                  gpointer            user_data,
                                  GDestroyNotify      destroy)
{
  g_return_if_fail (DC_IS_SERVER (self));

  if (self->status_destroy != NULL && self->status_data != NULL)
    self->status_destroy (self->status_data);
  self->status_func = func;
  self->status_data = user_data;
  self->status_destroy = destroy;
}

const char *
dc_server_get_device_status (DcServer   *self,
                             const char *device_id)
{
  g_return_val_if_fail (DC_IS_SERVER (self), "off");

  if (self->status_func == NULL)
    return "off";
  return self->status_func (device_id, self->status_data);
}
