/* dc-formula.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-formula"

#include "config.h"

#include <string.h>

#include "dc-formula-private.h"

#include "dc-error.h"
#include "dc-formula-graph.h"
#include "dc-json-util.h"

G_DEFINE_FINAL_TYPE (DcFormula, dc_formula, G_TYPE_OBJECT)

/* TRUE when a formula names the point @id ("term:item") that was just created: the
 * creation of any other point changes no formula. */
static gboolean
awaited (DcFormula  *self,
         const char *id)
{
  g_autofree char *name = NULL;
  g_autoptr(DcPointInfo) info = NULL;

  if (g_hash_table_size (self->missing) == 0)
    return FALSE;
  info = dc_store_get_point_info_by_id (self->store, id);
  if (info == NULL)
    return TRUE;
  name = g_strdup_printf ("%s:%s:%s", info->device_id, info->term_id, info->item_id);
  return g_hash_table_contains (self->missing, name);
}

static void
store_changed_cb (DcStore    *store,
                  int         kind,
                  int         op,
                  const char *id,
                  const char *old_id,
                  DcFormula  *self)
{
  /* Point edits never move a point; creations and deletions change the keys formulas see. */
  if (kind == DC_KIND_POINT && op == DC_CHANGE_UPDATE)
    return;
  if (kind == DC_KIND_POINT && op == DC_CHANGE_CREATE && old_id == NULL &&
      self->rebuild.id == 0 && !awaited (self, id))
    return;
  if ((kind == DC_KIND_DEVICE || kind == DC_KIND_ITEM || kind == DC_KIND_TERM) &&
      op == DC_CHANGE_CREATE)
    return;
  dc_deferred_schedule (&self->rebuild);
}

/* GObject */

static void
dc_formula_dispose (GObject *object)
{
  DcFormula *self = DC_FORMULA (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_signal_handler (&self->changed_id, self->store);
  if (self->engine != NULL)
    {
      g_clear_signal_handler (&self->samples_id, self->engine);
      g_object_remove_weak_pointer (G_OBJECT (self->engine), (gpointer *) &self->engine);
      self->engine = NULL;
    }
  dc_deferred_cancel (&self->rebuild);
  if (self->output_destroy != NULL)
    self->output_destroy (self->output_data);
  self->output = NULL;
  self->output_destroy = NULL;
  g_clear_object (&self->store);
  g_clear_object (&self->history);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (dc_formula_parent_class)->dispose (object);
}

static void
dc_formula_finalize (GObject *object)
{
  DcFormula *self = DC_FORMULA (object);

  g_clear_pointer (&self->by_id, g_hash_table_unref);
  g_clear_pointer (&self->results, g_hash_table_unref);
  g_clear_pointer (&self->inputs, g_hash_table_unref);
  g_clear_pointer (&self->missing, g_hash_table_unref);
  g_clear_pointer (&self->formulas, g_ptr_array_unref);
  g_clear_pointer (&self->heap, g_array_unref);
  g_clear_pointer (&self->out, g_array_unref);

  G_OBJECT_CLASS (dc_formula_parent_class)->finalize (object);
}

static void
dc_formula_class_init (DcFormulaClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = dc_formula_dispose;
  object_class->finalize = dc_formula_finalize;
}

static void
dc_formula_init (DcFormula *self)
{
  dc_deferred_init (&self->rebuild, (GFunc) dc_formula_rebuild, self);
  self->cancellable = g_cancellable_new ();
  self->formulas = g_ptr_array_new_with_free_func (dc_formula_item_free);
  self->by_id = g_hash_table_new (g_str_hash, g_str_equal);
  self->missing = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->results = g_hash_table_new (g_int64_hash, g_int64_equal);
  self->inputs = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL, dc_formula_input_free);
  self->heap = g_array_new (FALSE, FALSE, sizeof (guint));
  self->out = g_array_new (FALSE, FALSE, sizeof (DcSample));
}

/* Public API */

DcFormula *
dc_formula_new (DcStore   *store,
                DcHistory *history)
{
  DcFormula *self;

  g_return_val_if_fail (DC_IS_STORE (store), NULL);
  g_return_val_if_fail (history == NULL || DC_IS_HISTORY (history), NULL);

  self = g_object_new (DC_TYPE_FORMULA, NULL);
  self->store = g_object_ref (store);
  self->history = history != NULL ? g_object_ref (history) : NULL;
  return self;
}

static void
engine_samples_cb (DcEngine  *engine,
                   GArray    *samples,
                   DcFormula *self)
{
  dc_formula_process (self, (const DcSample *) samples->data, samples->len);
}

static void
engine_output_cb (const DcSample *samples,
                  guint           n_samples,
                  gpointer        user_data)
{
  DcFormula *self = user_data;

  /* Nested in the engine's ::samples emission: the engine is done with its batch by then and
   * emits the results as a batch of their own. */
  if (self->engine != NULL)
    dc_engine_ingest (self->engine, samples, n_samples, DC_INGEST_NONE);
}

DcFormula *
dc_formula_new_for_engine (DcEngine *engine)
{
  DcFormula *self;

  g_return_val_if_fail (DC_IS_ENGINE (engine), NULL);

  self = dc_formula_new (dc_engine_get_store (engine), dc_engine_get_history (engine));
  self->engine = engine;
  g_object_add_weak_pointer (G_OBJECT (engine), (gpointer *) &self->engine);
  self->samples_id = g_signal_connect_after (engine, "samples", G_CALLBACK (engine_samples_cb),
                                             self);
  dc_formula_set_output (self, engine_output_cb, self, NULL);
  return self;
}

void
dc_formula_set_output (DcFormula           *self,
                       DcFormulaOutputFunc  func,
                       gpointer             user_data,
                       GDestroyNotify       destroy)
{
  g_return_if_fail (DC_IS_FORMULA (self));

  if (self->output_destroy != NULL)
    self->output_destroy (self->output_data);
  self->output = func;
  self->output_data = user_data;
  self->output_destroy = destroy;
}

void
dc_formula_start (DcFormula *self)
{
  g_return_if_fail (DC_IS_FORMULA (self));
  g_return_if_fail (!self->started);

  self->started = TRUE;
  self->changed_id = g_signal_connect (self->store, "changed", G_CALLBACK (store_changed_cb),
                                       self);
  dc_formula_rebuild (self);
}

void
dc_formula_flush (DcFormula *self)
{
  g_return_if_fail (DC_IS_FORMULA (self));

  dc_deferred_flush (&self->rebuild);
}

gboolean
dc_formula_is_loading (DcFormula *self)
{
  g_return_val_if_fail (DC_IS_FORMULA (self), FALSE);

  return self->n_loading > 0;
}

void
dc_formula_process (DcFormula      *self,
                    const DcSample *samples,
                    guint           n_samples)
{
  gboolean queued = FALSE;
  gint64 queued_time = 0;

  g_return_if_fail (DC_IS_FORMULA (self));
  g_return_if_fail (n_samples == 0 || samples != NULL);

  for (guint i = 0; i < n_samples; i++)
    {
      const DcSample *s = &samples[i];
      DcFormulaInput *input = g_hash_table_lookup (self->inputs, &s->key);

      /* A point no formula reads, or our own result coming back through the engine (already
       * used in the pass that produced it). */
      if (input == NULL || input->is_result)
        continue;
      /* Each sample time is its own recalculation: the formulas queued by the samples of one
       * time run before a sample of another time is added. Samples of the same time (one
       * poll of a device) changed together: their formulas run once, with all of them. */
      if (queued && s->time != queued_time)
        {
          dc_formula_run_queue (self);
          queued = FALSE;
        }
      if (dc_formula_input_add (input, s) && !input->loading)
        {
          dc_formula_queue_dependents (self, input, s->time);
          queued = TRUE;
          queued_time = s->time;
        }
    }
  if (queued)
    dc_formula_run_queue (self);
  dc_formula_flush_output (self);
}

gboolean
dc_formula_is_result (DcFormula *self,
                      gint64     key)
{
  g_return_val_if_fail (DC_IS_FORMULA (self), FALSE);

  return g_hash_table_contains (self->results, &key);
}

const char *
dc_formula_get_error (DcFormula  *self,
                      const char *formula_id)
{
  DcFormulaItem *f;

  g_return_val_if_fail (DC_IS_FORMULA (self), NULL);
  g_return_val_if_fail (formula_id != NULL, NULL);

  f = g_hash_table_lookup (self->by_id, formula_id);
  return f != NULL ? f->error : NULL;
}

guint
dc_formula_get_n_formulas (DcFormula *self)
{
  g_return_val_if_fail (DC_IS_FORMULA (self), 0);

  return self->formulas->len;
}

guint64
dc_formula_get_n_evaluations (DcFormula *self)
{
  g_return_val_if_fail (DC_IS_FORMULA (self), 0);

  return self->n_evaluations;
}

/* Validation */

char *
dc_formula_check_text (DcStore    *store,
                       JsonObject *body)
{
  g_autoptr(GArray) params = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) found = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(DcExpr) expr = NULL;
  g_autoptr(GError) error = NULL;
  JsonNode *node;

  g_return_val_if_fail (DC_IS_STORE (store), NULL);
  g_return_val_if_fail (body != NULL, NULL);

  node = json_object_get_member (body, "formula");
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return g_strdup ("missing field: formula");
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return g_strdup ("field formula must be a string");

  /* Parameters first, as PyDataColl: each must name an existing point. Each point is looked
   * up once: 32,000 parameters naming one point took a second of main loop. */
  params = dc_formula_graph_get_params (body);
  for (guint i = 0; i < params->len; i++)
    {
      const DcFormulaParam *p = &g_array_index (params, DcFormulaParam, i);
      g_auto(GStrv) parts = NULL;
      g_autoptr(JsonObject) point = NULL;
      JsonNode *value = json_object_get_member (body, p->name);

      if (p->point != NULL && g_hash_table_contains (found, p->point))
        {
          g_ptr_array_add (names, g_strdup (p->name));
          continue;
        }

      if (p->point == NULL)
        {
          g_autofree char *shown = JSON_NODE_HOLDS_VALUE (value) ?
            json_to_string (value, FALSE) : g_strdup ("null");

          return g_strdup_printf ("parameter not found: %s=%s", p->name, shown);
        }
      parts = g_strsplit (p->point, ":", -1);
      if (g_strv_length (parts) == 3)
        point = dc_store_get_point (store, parts[1], parts[2], NULL);
      if (point == NULL || g_strcmp0 (dc_json_get_string (point, "device_id", NULL),
                                      parts[0]) != 0)
        return g_strdup_printf ("parameter not found: %s=%s", p->name, p->point);
      g_hash_table_add (found, (gpointer) p->point);
      g_ptr_array_add (names, g_strdup (p->name));
    }
  g_ptr_array_add (names, NULL);

  expr = dc_expr_parse (json_node_get_string (node), &error);
  if (expr == NULL)
    return g_strdup (error->message);
  if (!dc_expr_check_names (expr, (const char * const *) names->pdata, NULL, &error))
    return g_strdup (error->message);
  return g_strdup ("OK");
}
