/* dc-formula-rebuild.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-formula"

#include "config.h"

#include <string.h>

#include "dc-formula-private.h"

#include "dc-formula-graph.h"
#include "dc-json-util.h"

/* Following the configuration: the formulas rebuilt from the store after a change (compiled,
 * sorted in dependency order, wired to their inputs, unchanged ones keeping their last
 * result) and the windows of new inputs loaded from history. */

/* Formulas */

void
dc_formula_item_free (gpointer data)
{
  DcFormulaItem *f = data;

  g_free (f->id);
  g_free (f->text);
  g_clear_pointer (&f->expr, dc_expr_unref);
  g_free (f->parse_error);
  g_free (f->result_name);
  g_strfreev (f->param_names);
  g_strfreev (f->param_points);
  g_free (f->param_keys);
  g_free (f->param_inputs);
  dc_expr_scope_free (f->scope);
  g_free (f->error);
  g_free (f);
}

static gboolean
same_definition (const DcFormulaItem *a,
                 const DcFormulaItem *b)
{
  if (g_strcmp0 (a->text, b->text) != 0 || a->result_key != b->result_key ||
      a->n_params != b->n_params)
    return FALSE;
  for (guint i = 0; i < a->n_params; i++)
    if (g_strcmp0 (a->param_names[i], b->param_names[i]) != 0 ||
        a->param_keys[i] != b->param_keys[i])
      return FALSE;
  return TRUE;
}

/* The key of the point "device:term:item", or 0: looked up in the store one name at a time
 * (an indexed read) and remembered in @known for the rest of the rebuild, so a rebuild costs
 * the formulas and the points they name, not the plant (docs/performance.md). */
static gint64
point_key (DcStore    *store,
           GHashTable *known,
           const char *name)
{
  gpointer found;
  g_auto(GStrv) parts = NULL;
  g_autoptr(DcPointInfo) info = NULL;
  gint64 key = 0;

  if (name == NULL)
    return 0;
  if (g_hash_table_lookup_extended (known, name, NULL, &found))
    return *(gint64 *) found;
  parts = g_strsplit (name, ":", 3);
  if (g_strv_length (parts) == 3)
    info = dc_store_get_point_info (store, parts[1], parts[2]);
  if (info != NULL && g_strcmp0 (info->device_id, parts[0]) == 0)
    key = info->key;
  g_hash_table_insert (known, g_strdup (name), g_memdup2 (&key, sizeof key));
  return key;
}

static DcFormulaItem *
formula_new (JsonObject *object,
             DcStore    *store,
             GHashTable *point_keys)
{
  DcFormulaItem *f = g_new0 (DcFormulaItem, 1);
  g_autoptr(GArray) params = dc_formula_graph_get_params (object);
  g_autoptr(GError) error = NULL;

  f->id = g_strdup (dc_json_get_string (object, "id", ""));
  f->text = g_strdup (dc_json_get_string (object, "formula", ""));
  f->result_name = dc_formula_graph_result_name (object);
  f->result_key = point_key (store, point_keys, f->result_name);
  f->n_params = params->len;
  f->param_names = g_new0 (char *, params->len + 1);
  f->param_points = g_new0 (char *, params->len + 1);
  f->param_keys = g_new0 (gint64, params->len + 1);
  f->param_inputs = g_new0 (DcFormulaInput *, params->len + 1);
  f->scope = dc_expr_scope_new ();

  for (guint i = 0; i < params->len; i++)
    {
      const DcFormulaParam *p = &g_array_index (params, DcFormulaParam, i);

      f->param_names[i] = g_strdup (p->name);
      f->param_points[i] = g_strdup (p->point != NULL ? p->point : "");
      f->param_keys[i] = point_key (store, point_keys, p->point);
    }

  f->expr = dc_expr_parse (f->text, &error);
  if (f->expr != NULL)
    dc_expr_check_names (f->expr, (const char * const *) f->param_names, NULL, &error);
  if (error != NULL)
    f->parse_error = g_strdup (error->message);
  return f;
}

/* History loads */

typedef struct
{
  DcFormula *self;
  gint64     key;
} LoadData;

static void
load_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  LoadData *data = user_data;
  DcFormula *self = data->self;
  g_autoptr(GArray) samples = NULL;
  g_autoptr(GError) error = NULL;
  DcFormulaInput *input;

  samples = dc_history_query_samples_finish (DC_HISTORY (source), result, NULL, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_free (data);
      return;
    }
  self->n_loading--;
  input = g_hash_table_lookup (self->inputs, &data->key);
  if (error != NULL)
    g_message ("history of point %" G_GINT64_FORMAT " not loaded: %s", data->key,
               error->message);
  if (input != NULL && input->loading)
    {
      g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (gint64));
      g_autoptr(GArray) values = g_array_new (FALSE, FALSE, sizeof (double));
      guint a = 0, b = input->start;
      guint32 quality = input->quality;
      guint n = samples != NULL ? samples->len : 0;

      /* Merge the history (older) with what arrived live meanwhile (newer wins). */
      while (a < n || b < input->times->len)
        {
          const DcSample *s = a < n ? &g_array_index (samples, DcSample, a) : NULL;
          gint64 tb = b < input->times->len ? g_array_index (input->times, gint64, b) : 0;

          if (s != NULL && (b >= input->times->len || s->time < tb))
            {
              g_array_append_val (times, s->time);
              g_array_append_val (values, s->value);
              if (b >= input->times->len)
                quality = s->quality;
              a++;
            }
          else
            {
              if (s != NULL && s->time == tb)
                a++;
              g_array_append_val (times, tb);
              g_array_append_val (values, g_array_index (input->values, double, b));
              b++;
            }
        }
      g_array_unref (input->times);
      g_array_unref (input->values);
      input->times = g_steal_pointer (&times);
      input->values = g_steal_pointer (&values);
      input->start = 0;
      input->quality = quality;
      input->loading = FALSE;
      dc_formula_input_trim (input);
    }
  g_free (data);

  if (self->n_loading == 0)
    dc_formula_compute_initial (self);
}

static void
load_input (DcFormula      *self,
            DcFormulaInput *input)
{
  LoadData *data;

  if (self->history == NULL)
    return;
  data = g_new0 (LoadData, 1);
  data->self = self;
  data->key = input->key;
  input->loading = TRUE;
  self->n_loading++;
  /* The newest samples: enough for the longest window (dc_formula_input_trim() then drops what is
   * older than the window beyond the kept count). */
  dc_history_query_samples_async (self->history, input->key, G_MININT64, G_MAXINT64,
                                  input->keep_us > 0 ? DC_EXPR_DEFAULT_MAX_SERIES :
                                                       DC_FORMULA_KEEP_SAMPLES,
                                  self->cancellable, load_cb, data);
}

/* Configuration */

/* Evaluation order: each formula after the formulas whose results it reads. */
static void
sort_formulas (GPtrArray *formulas)
{
  g_autofree DcFormulaGraphNode *nodes = g_new0 (DcFormulaGraphNode, formulas->len + 1);
  g_autofree gboolean *in_cycle = g_new0 (gboolean, formulas->len + 1);
  g_autofree guint *order = NULL;
  g_autoptr(GPtrArray) sorted = g_ptr_array_new ();

  for (guint i = 0; i < formulas->len; i++)
    {
      DcFormulaItem *f = g_ptr_array_index (formulas, i);

      nodes[i].result_key = f->result_key;
      nodes[i].param_keys = f->param_keys;
      nodes[i].n_params = f->n_params;
    }
  order = dc_formula_graph_sort (nodes, formulas->len, in_cycle);
  for (guint i = 0; i < formulas->len; i++)
    {
      DcFormulaItem *f = g_ptr_array_index (formulas, order[i]);

      if (in_cycle[order[i]] && f->parse_error == NULL)
        f->parse_error = g_strdup ("formula is part of a cycle");
      g_ptr_array_add (sorted, f);
    }
  if (sorted->len > 0)
    memcpy (formulas->pdata, sorted->pdata, sizeof (gpointer) * sorted->len);
}

void
dc_formula_rebuild (DcFormula *self)
{
  g_autoptr(GPtrArray) ids = dc_store_list_ids (self->store, DC_KIND_FORMULA);
  g_autoptr(GHashTable) point_keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                            g_free);
  g_autoptr(GPtrArray) formulas = g_ptr_array_new_with_free_func (dc_formula_item_free);
  g_autoptr(GHashTable) old_inputs = g_steal_pointer (&self->inputs);
  g_autoptr(GPtrArray) old_formulas = g_steal_pointer (&self->formulas);

  for (guint i = 0; i < ids->len; i++)
    {
      g_autoptr(JsonObject) object = dc_store_get (self->store, DC_KIND_FORMULA,
                                                   g_ptr_array_index (ids, i), NULL);
      DcFormulaItem *f;
      DcFormulaItem *old;

      if (object == NULL)
        continue;
      f = formula_new (object, self->store, point_keys);
      old = g_hash_table_lookup (self->by_id, f->id);
      if (old != NULL && same_definition (old, f))
        {
          f->has_result = old->has_result;
          f->last_value = old->last_value;
          f->last_quality = old->last_quality;
          f->error = g_steal_pointer (&old->error);
          if (old->over_limits && f->parse_error == NULL)
            {
              f->parse_error = g_steal_pointer (&old->parse_error);
              f->over_limits = TRUE;
            }
        }
      g_ptr_array_add (formulas, f);
    }

  g_hash_table_remove_all (self->by_id);
  g_hash_table_remove_all (self->results);
  self->inputs = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL, dc_formula_input_free);

  sort_formulas (formulas);
  for (guint i = 0; i < formulas->len; i++)
    {
      DcFormulaItem *f = g_ptr_array_index (formulas, i);

      f->order = i;
      g_hash_table_insert (self->by_id, f->id, f);
      if (f->result_key != 0)
        g_hash_table_insert (self->results, &f->result_key, f);
      for (guint p = 0; p < f->n_params; p++)
        {
          gint64 key = f->param_keys[p];
          DcFormulaInput *input;
          gint64 window;

          if (key == 0)
            continue;
          input = g_hash_table_lookup (self->inputs, &key);
          if (input == NULL)
            {
              /* (Not g_hash_table_steal_extended(): the key points at the value's first
               * member, which GHashTable treats as a set.) */
              input = g_hash_table_lookup (old_inputs, &key);
              if (input != NULL)
                {
                  g_hash_table_steal (old_inputs, &key);
                  g_ptr_array_set_size (input->dependents, 0);
                  input->keep_us = 0;
                }
              else
                input = dc_formula_input_new (key);
              g_hash_table_insert (self->inputs, &input->key, input);
            }
          f->param_inputs[p] = input;
          if (!g_ptr_array_find (input->dependents, f, NULL))
            g_ptr_array_add (input->dependents, f);
          window = f->expr != NULL ? dc_expr_get_window (f->expr, f->param_names[p]) : 0;
          input->keep_us = MAX (input->keep_us, window);
        }
    }

  self->formulas = g_steal_pointer (&formulas);
  {
    GHashTableIter iter;
    DcFormulaInput *input;

    /* dc_formula_process() tells a result coming back from a parameter by its input alone. */
    g_hash_table_iter_init (&iter, self->inputs);
    while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &input))
      input->is_result = g_hash_table_contains (self->results, &input->key);
  }

  /* The references no point answers yet: only the creation of one of these needs a
   * rebuild (docs/performance.md: a change costs its size). */
  g_hash_table_remove_all (self->missing);
  for (guint i = 0; i < self->formulas->len; i++)
    {
      DcFormulaItem *f = g_ptr_array_index (self->formulas, i);

      if (f->result_key == 0 && f->result_name != NULL && *f->result_name != '\0')
        g_hash_table_add (self->missing, g_strdup (f->result_name));
      for (guint p = 0; p < f->n_params; p++)
        if (f->param_keys[p] == 0 && *f->param_points[p] != '\0')
          g_hash_table_add (self->missing, g_strdup (f->param_points[p]));
    }

  /* New inputs load their window from history; the formulas that changed are computed once
   * every input they read is there. */
  {
    GHashTableIter iter;
    DcFormulaInput *input;

    g_hash_table_iter_init (&iter, self->inputs);
    while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &input))
      if (dc_formula_input_len (input) == 0 && !input->loading)
        load_input (self, input);
  }

  /* Loads in flight for inputs that are gone are simply ignored when they finish. */
  if (self->n_loading == 0)
    dc_formula_compute_initial (self);
}
