/* dc-csv.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-csv"

#include "config.h"

#include <math.h>
#include <string.h>

#include "dc-error.h"
#include "dc-csv.h"
#include "dc-csv-field.h"
#include "dc-json-util.h"

/* Arrays and objects in a cell (states, parameters) nest a few levels. */
#define MAX_CELL_NESTING 64

static const char * const csv_names[DC_N_KINDS] = {
  "devices.csv", "terms.csv", "items.csv", "points.csv", "formulas.csv",
};

static const char * const device_cols[] = { "id", "protocol", NULL };
static const char * const term_cols[] = { "id", "device_id", NULL };
static const char * const item_cols[] = { "id", NULL };
static const char * const point_cols[] = { "device_id", "term_id", "item_id", NULL };
static const char * const formula_cols[] = { "id", "device_id", "term_id", "item_id", "formula", NULL };

static const char * const *
first_columns (DcKind kind)
{
  switch (kind)
    {
    case DC_KIND_DEVICE:  return device_cols;
    case DC_KIND_TERM:    return term_cols;
    case DC_KIND_ITEM:    return item_cols;
    case DC_KIND_POINT:   return point_cols;
    case DC_KIND_FORMULA: return formula_cols;
    case DC_N_KINDS:
    default:              g_assert_not_reached ();
    }
}

static gboolean
is_identity (DcKind      kind,
             const char *column)
{
  return g_str_equal (column, "id") || g_str_equal (column, "device_id") ||
         g_str_equal (column, "term_id") || g_str_equal (column, "item_id") ||
         (kind == DC_KIND_FORMULA && column[0] == 'p' && g_ascii_isdigit (column[1]));
}

const char *
dc_csv_file_name (DcKind kind)
{
  g_return_val_if_fail (kind < DC_N_KINDS, NULL);
  return csv_names[kind];
}

static char *
cell_text (JsonNode *node)
{
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return g_strdup ("");
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    return g_strdup (json_node_get_string (node));
  /* Not json_to_string(): it writes 1e308 as "1e+308.0", which reads back as text. */
  return dc_json_node_to_string (node);
}

char *
dc_csv_write_rows (DcKind     kind,
                   JsonArray *rows)
{
  g_autoptr(GPtrArray) columns = g_ptr_array_new ();
  GString *out = g_string_new (NULL);
  guint n;

  g_return_val_if_fail (kind < DC_N_KINDS, NULL);
  g_return_val_if_fail (rows != NULL, NULL);

  for (const char * const *c = first_columns (kind); *c; c++)
    g_ptr_array_add (columns, (gpointer) *c);

  n = json_array_get_length (rows);
  for (guint i = 0; i < n; i++)
    {
      JsonObject *row = json_array_get_object_element (rows, i);
      g_autoptr(GList) members = row ? json_object_get_members (row) : NULL;

      for (const GList *l = members; l; l = l->next)
        {
          gboolean seen = FALSE;

          for (guint c = 0; c < columns->len && !seen; c++)
            seen = g_str_equal (g_ptr_array_index (columns, c), l->data);
          if (!seen)
            g_ptr_array_add (columns, l->data);
        }
    }

  for (guint c = 0; c < columns->len; c++)
    {
      if (c > 0)
        g_string_append_c (out, ',');
      dc_csv_append_field (out, g_ptr_array_index (columns, c), TRUE);
    }
  g_string_append (out, "\r\n");

  for (guint i = 0; i < n; i++)
    {
      JsonObject *row = json_array_get_object_element (rows, i);

      for (guint c = 0; c < columns->len; c++)
        {
          g_autofree char *text = NULL;

          if (c > 0)
            g_string_append_c (out, ',');
          text = cell_text (row ? json_object_get_member (row, g_ptr_array_index (columns, c)) : NULL);
          dc_csv_append_field (out, text, TRUE);
        }
      g_string_append (out, "\r\n");
    }

  return g_string_free (out, FALSE);
}

/* RFC 4180 records; returns FALSE at the end of input. */
static gboolean
read_record (const char **pos,
             const char  *end,
             GPtrArray   *cells,
             guint       *line,
             GError     **error)
{
  const char *p = *pos;
  GString *cell = g_string_new (NULL);
  guint start_line = *line;

  g_ptr_array_set_size (cells, 0);
  if (p >= end)
    {
      g_string_free (cell, TRUE);
      return FALSE;
    }

  for (;;)
    {
      if (p < end && *p == '"')
        {
          p++;
          for (;;)
            {
              if (p >= end)
                {
                  g_set_error (error, DC_ERROR, DC_ERROR_INVALID,
                               "line %u: unterminated quoted cell", start_line);
                  g_string_free (cell, TRUE);
                  return FALSE;
                }
              if (*p == '"' && p + 1 < end && p[1] == '"')
                {
                  g_string_append_c (cell, '"');
                  p += 2;
                }
              else if (*p == '"')
                {
                  p++;
                  break;
                }
              else
                {
                  if (*p == '\n')
                    (*line)++;
                  g_string_append_c (cell, *p++);
                }
            }
        }
      while (p < end && *p != ',' && *p != '\n' && *p != '\r')
        g_string_append_c (cell, *p++);

      g_ptr_array_add (cells, g_strdup (cell->str));
      g_string_truncate (cell, 0);

      if (p < end && *p == ',')
        {
          p++;
          continue;
        }
      if (p < end && *p == '\r')
        p++;
      if (p < end && *p == '\n')
        p++;
      (*line)++;
      break;
    }

  g_string_free (cell, TRUE);
  *pos = p;
  return TRUE;
}

static gboolean
record_is_blank (GPtrArray *cells)
{
  for (guint c = 0; c < cells->len; c++)
    if (*(char *) g_ptr_array_index (cells, c) != '\0')
      return FALSE;
  return TRUE;
}

/* Every string (member names too) valid UTF-8 and every number finite: json-glib turns an
 * escaped lone surrogate ("\udb33") into bytes that are no UTF-8, and 1e999 into infinity,
 * which no writer can give back (both found by fuzz-csv). */
static gboolean
node_is_clean (JsonNode *node)
{
  switch (json_node_get_node_type (node))
    {
    case JSON_NODE_OBJECT:
      {
        JsonObjectIter iter;
        const char *name;
        JsonNode *member;

        json_object_iter_init (&iter, json_node_get_object (node));
        while (json_object_iter_next (&iter, &name, &member))
          if (!g_utf8_validate (name, -1, NULL) || !node_is_clean (member))
            return FALSE;
        return TRUE;
      }
    case JSON_NODE_ARRAY:
      {
        JsonArray *array = json_node_get_array (node);

        for (guint i = 0; i < json_array_get_length (array); i++)
          if (!node_is_clean (json_array_get_element (array, i)))
            return FALSE;
        return TRUE;
      }
    case JSON_NODE_VALUE:
      if (json_node_get_value_type (node) == G_TYPE_STRING)
        return g_utf8_validate (json_node_get_string (node), -1, NULL);
      if (json_node_get_value_type (node) == G_TYPE_DOUBLE)
        return isfinite (json_node_get_double (node));
      return TRUE;
    case JSON_NODE_NULL:
    default:
      return TRUE;
    }
}

static JsonNode *
cell_value (DcKind      kind,
            const char *column,
            const char *text)
{
  g_autoptr(JsonNode) parsed = NULL;

  /* A cell deeper than any field needs stays text (json-glib would overflow the stack). */
  if (!is_identity (kind, column) && text[0] != '\0' &&
      dc_json_nesting_within (text, -1, MAX_CELL_NESTING))
    {
      parsed = json_from_string (text, NULL);
      /* A cell that json-glib reads to something no writer gives back stays text. */
      if (parsed != NULL && !node_is_clean (parsed))
        g_clear_pointer (&parsed, json_node_unref);
      if (parsed != NULL && JSON_NODE_HOLDS_VALUE (parsed) &&
          json_node_get_value_type (parsed) != G_TYPE_STRING)
        return g_steal_pointer (&parsed);
      if (parsed != NULL && (JSON_NODE_HOLDS_ARRAY (parsed) || JSON_NODE_HOLDS_OBJECT (parsed)))
        return g_steal_pointer (&parsed);
    }

  return json_node_init_string (json_node_alloc (), text);
}

JsonArray *
dc_csv_read_rows (DcKind       kind,
                  const char  *text,
                  gssize       length,
                  GError     **error)
{
  g_autoptr(GPtrArray) header = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) cells = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(JsonArray) rows = json_array_new ();
  const char *pos = text;
  const char *end;
  guint line = 1;

  g_return_val_if_fail (kind < DC_N_KINDS, NULL);
  g_return_val_if_fail (text != NULL, NULL);

  if (length < 0)
    length = strlen (text);
  end = text + length;

  if (!g_utf8_validate (text, length, NULL))
    {
      g_set_error_literal (error, DC_ERROR, DC_ERROR_INVALID, "the file is not UTF-8 text");
      return NULL;
    }
  /* A byte order mark, as spreadsheets write. */
  if (length >= 3 && memcmp (text, "\xef\xbb\xbf", 3) == 0)
    pos += 3;

  if (!read_record (&pos, end, header, &line, error))
    {
      if (error != NULL && *error == NULL)
        g_set_error_literal (error, DC_ERROR, DC_ERROR_INVALID, "the file is empty");
      return NULL;
    }

  for (guint c = 0; c < header->len; c++)
    if (*(char *) g_ptr_array_index (header, c) == '\0')
      {
        g_set_error (error, DC_ERROR, DC_ERROR_INVALID, "line 1: column %u has no name", c + 1);
        return NULL;
      }

  for (;;)
    {
      JsonObject *row;
      GError *local = NULL;
      guint this_line = line;

      if (!read_record (&pos, end, cells, &line, &local))
        {
          if (local != NULL)
            {
              g_propagate_error (error, local);
              return NULL;
            }
          break;
        }
      if (record_is_blank (cells))
        continue;  /* a blank line, or only empty cells (as spreadsheets write) */
      if (cells->len > header->len)
        {
          g_set_error (error, DC_ERROR, DC_ERROR_INVALID,
                       "line %u: %u cells but only %u columns", this_line, cells->len, header->len);
          return NULL;
        }

      row = json_object_new ();
      for (guint c = 0; c < cells->len; c++)
        {
          const char *cell = g_ptr_array_index (cells, c);

          if (*cell == '\0')
            continue;
          json_object_set_member (row, g_ptr_array_index (header, c),
                                  cell_value (kind, g_ptr_array_index (header, c), cell));
        }
      json_array_add_object_element (rows, row);
    }

  return g_steal_pointer (&rows);
}
