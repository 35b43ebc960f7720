/* dc-model-fields.c
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * The field names DataColl knows and the warnings about the others (dc-model-fields.h,
 * docs/rest.md "Unknown fields").
 */

#define G_LOG_DOMAIN "dc-model"

#include "config.h"

#include <string.h>

#include "dc-model-fields.h"
#include "dc-protocol.h"

#define NAME_SHOWN_MAX 64

typedef struct
{
  DcKind     kind;
  GPtrArray *names;   /* const char *, static or interned */
  GHashTable *set;    /* the same names */
} Fields;

static void
fields_init (Fields *fields,
             DcKind  kind)
{
  g_autofree const DcProtocol **protocols = dc_protocol_list (NULL);

  fields->kind = kind;
  fields->names = g_ptr_array_new ();
  fields->set = g_hash_table_new (g_str_hash, g_str_equal);
  dc_model_append_field_names (kind, fields->names);
  for (guint i = 0; protocols[i] != NULL; i++)
    for (const DcProtocolField *f = protocols[i]->fields; f != NULL && f->key != NULL; f++)
      if (f->kind == kind && !f->code_type_part)
        g_ptr_array_add (fields->names, (gpointer) f->key);
  for (guint i = 0; i < fields->names->len; i++)
    g_hash_table_add (fields->set, g_ptr_array_index (fields->names, i));
}

static void
fields_clear (Fields *fields)
{
  g_clear_pointer (&fields->names, g_ptr_array_unref);
  g_clear_pointer (&fields->set, g_hash_table_unref);
}

/* A formula's parameter: "p" and decimal digits. */
static gboolean
is_parameter (const char *name)
{
  return name[0] == 'p' && name[1] != '\0' && strspn (name + 1, "0123456789") == strlen (name + 1);
}

static gboolean
fields_contain (Fields     *fields,
                const char *name)
{
  return g_hash_table_contains (fields->set, name) ||
         (fields->kind == DC_KIND_FORMULA && is_parameter (name));
}

/* The edit distance of two names (optimal string alignment: insertions, deletions,
 * substitutions and swaps of neighbours, ASCII case ignored), capped at @cap + 1. */
static guint
distance (const char *a,
          const char *b,
          guint       cap)
{
  gsize la = strlen (a), lb = strlen (b);
  g_autofree guint *d = NULL;

#define D(i, j) d[(i) * (lb + 1) + (j)]
  if ((la > lb ? la - lb : lb - la) > cap)
    return cap + 1;
  d = g_new (guint, (la + 1) * (lb + 1));
  for (gsize i = 0; i <= la; i++)
    D (i, 0) = i;
  for (gsize j = 0; j <= lb; j++)
    D (0, j) = j;
  for (gsize i = 1; i <= la; i++)
    {
      guint best = D (i, 0);

      for (gsize j = 1; j <= lb; j++)
        {
          char x = g_ascii_tolower (a[i - 1]);
          char y = g_ascii_tolower (b[j - 1]);
          guint v = MIN (MIN (D (i - 1, j) + 1, D (i, j - 1) + 1), D (i - 1, j - 1) + (x != y));

          if (i > 1 && j > 1 && x == g_ascii_tolower (b[j - 2]) &&
              g_ascii_tolower (a[i - 2]) == y)
            v = MIN (v, D (i - 2, j - 2) + 1);
          D (i, j) = v;
          best = MIN (best, v);
        }
      if (best > cap)
        return cap + 1;
    }
  return D (la, lb);
#undef D
}

static const char *
fields_closest (Fields     *fields,
                const char *name)
{
  gsize length = strlen (name);
  guint cap = length <= 4 ? 1 : 2;
  const char *best = NULL;
  guint best_distance = cap + 1;

  if (length > NAME_SHOWN_MAX)
    return NULL;
  for (guint i = 0; i < fields->names->len; i++)
    {
      const char *known = g_ptr_array_index (fields->names, i);
      guint d = distance (name, known, cap);

      if (d < best_distance)
        {
          best = known;
          best_distance = d;
        }
    }
  return best;
}

gboolean
dc_model_field_is_known (DcKind      kind,
                         const char *name)
{
  Fields fields;
  gboolean known;

  g_return_val_if_fail (kind < DC_N_KINDS, FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  fields_init (&fields, kind);
  known = fields_contain (&fields, name);
  fields_clear (&fields);
  return known;
}

const char *
dc_model_field_closest (DcKind      kind,
                        const char *name)
{
  Fields fields;
  const char *closest;

  g_return_val_if_fail (kind < DC_N_KINDS, NULL);
  g_return_val_if_fail (name != NULL, NULL);

  fields_init (&fields, kind);
  closest = fields_closest (&fields, name);
  fields_clear (&fields);
  return closest;
}

/* @name as shown in a warning: at most NAME_SHOWN_MAX characters. */
static char *
shown_name (const char *name)
{
  if (!g_utf8_validate (name, -1, NULL))
    return g_strdup ("(not UTF-8)");
  if (g_utf8_strlen (name, -1) <= NAME_SHOWN_MAX)
    return g_strdup (name);
  return g_strdup_printf ("%.*s...",
                          (int) (g_utf8_offset_to_pointer (name, NAME_SHOWN_MAX) - name), name);
}

static guint
object_warnings (Fields     *fields,
                 JsonObject *object,
                 int         element,
                 GPtrArray  *warnings,
                 guint       max)
{
  g_autoptr(GList) members = json_object_get_members (object);
  guint n = 0;

  for (const GList *l = members; l != NULL && warnings->len < max; l = l->next)
    {
      const char *name = l->data;
      const char *alias_of;
      const char *closest;
      g_autofree char *shown = NULL;
      g_autofree char *where = NULL;

      if (fields_contain (fields, name))
        continue;
      shown = shown_name (name);
      where = element >= 0 ? g_strdup_printf (" (element %d)", element) : g_strdup ("");
      if ((alias_of = dc_model_alias_field (fields->kind, name)) != NULL)
        g_ptr_array_add (warnings, g_strdup_printf ("field '%s' is stored as '%s'%s", shown,
                                                    alias_of, where));
      else if ((closest = fields_closest (fields, name)) != NULL)
        g_ptr_array_add (warnings,
                         g_strdup_printf ("unknown field '%s', did you mean '%s'?%s", shown,
                                          closest, where));
      else
        g_ptr_array_add (warnings, g_strdup_printf ("unknown field '%s' (kept, not used)%s",
                                                    shown, where));
      n++;
    }
  return n;
}

guint
dc_model_field_warnings (DcKind     kind,
                         JsonNode  *body,
                         GPtrArray *warnings,
                         guint      max)
{
  Fields fields;
  guint n = 0;

  g_return_val_if_fail (kind < DC_N_KINDS, 0);
  g_return_val_if_fail (warnings != NULL, 0);

  if (body == NULL || warnings->len >= max)
    return 0;
  fields_init (&fields, kind);
  if (JSON_NODE_HOLDS_OBJECT (body))
    n = object_warnings (&fields, json_node_get_object (body), -1, warnings, max);
  else if (JSON_NODE_HOLDS_ARRAY (body))
    {
      JsonArray *array = json_node_get_array (body);
      guint length = json_array_get_length (array);

      for (guint i = 0; i < length && warnings->len < max; i++)
        {
          JsonNode *element = json_array_get_element (array, i);

          if (JSON_NODE_HOLDS_OBJECT (element))
            n += object_warnings (&fields, json_node_get_object (element), (int) i, warnings,
                                  max);
        }
    }
  fields_clear (&fields);
  return n;
}
