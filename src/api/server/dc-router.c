/* dc-router.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-server"

#include "config.h"

#include "dc-router-private.h"

#include <string.h>

/* The route table of DcServer (docs/rest.md, "Router"): (method, path template) pairs, the
 * match of a request path (percent-decoded segments, literal segments win over parameters),
 * the Allow header of a 405 and the listing of GET /. */

struct _DcRouteEntry
{
  char      *path_template;
  char     **segments;     /* "{name}" for parameters */
  char     **param_names;  /* per segment: the parameter's name, or NULL for a literal */
  guint      n_segments;
  guint64    specificity;  /* bit per literal segment, leftmost highest */
  guint      n_params;
  GPtrArray *methods;      /* DcRouteMethod */
};

struct _DcRouter
{
  GPtrArray  *entries;      /* DcRouteEntry */
  GHashTable *no_params;    /* empty, shared by the matches of routes without parameters */
};

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

void
dc_route_match_free (DcRouteMatch *match)
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

char *
dc_route_entry_allow_header (DcRouteEntry *entry)
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
DcRouteMatch *
dc_router_match (DcRouter   *self,
                 const char *method,
                 const char *raw_path)
{
  DcRouteMatch *match = g_new0 (DcRouteMatch, 1);
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
  /* A route without parameters gets the shared empty table (handlers only read it). */
  if (best->n_params == 0)
    {
      match->params = g_hash_table_ref (self->no_params);
      return match;
    }
  /* Keys are the entry's names: routes live as long as the server. */
  match->params = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  for (guint s = 0; s < n_segments; s++)
    if (best->param_names[s] != NULL)
      g_hash_table_insert (match->params, best->param_names[s], g_strdup (segments[s]));

  return match;
}

DcRouter *
dc_router_new (void)
{
  DcRouter *self = g_new0 (DcRouter, 1);

  self->entries = g_ptr_array_new_with_free_func ((GDestroyNotify) route_entry_free);
  self->no_params = g_hash_table_new (g_str_hash, g_str_equal);
  return self;
}

void
dc_router_free (DcRouter *self)
{
  if (self == NULL)
    return;
  g_ptr_array_unref (self->entries);
  g_hash_table_unref (self->no_params);
  g_free (self);
}

const char *
dc_route_entry_get_template (DcRouteEntry *entry)
{
  return entry->path_template;
}

void
dc_router_add (DcRouter       *self,
               const char     *method,
               const char     *path_template,
               DcRouteHandler  handler,
               gpointer        user_data)
{
  DcRouteEntry *entry = NULL;
  DcRouteMethod *route_method;

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
            {
              entry->param_names[s] = g_strndup (segment + 1, strlen (segment) - 2);
              entry->n_params++;
            }
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
  route_method->access = dc_route_access_lookup (route_method->method, path_template);
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
dc_router_list (DcRouter *self)
{
  GPtrArray *routes;

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
