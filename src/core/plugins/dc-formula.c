/* dc-formula.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-formula"

#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dc-error.h"
#include "dc-expr.h"
#include "dc-deferred.h"
#include "dc-formula.h"
#include "dc-json-util.h"
#include "dc-formula-graph.h"

/* An input is the buffer of one parameter point, shared by every formula that reads it:
 * samples oldest first in [start, len) of two parallel arrays (compacted now and then). */
typedef struct
{
  gint64     key;
  GArray    *times;       /* gint64 */
  GArray    *values;      /* double */
  guint      start;
  guint32    quality;     /* of the newest sample */
  gint64     keep_us;     /* the longest window a formula asks of it */
  gboolean   loading;
  GPtrArray *dependents;  /* Formula, borrowed */
} Input;

typedef struct
{
  char         *id;
  char         *text;
  DcExpr       *expr;
  char         *parse_error;   /* permanent: syntax, names, cycle, over the limits */
  gint64        result_key;
  char         *result_name;
  guint         n_params;
  char        **param_names;   /* "p1" */
  char        **param_points;  /* "d:t:i" */
  gint64       *param_keys;    /* 0: the point does not exist */
  Input       **param_inputs;
  DcExprScope  *scope;
  guint         order;
  gboolean      queued;
  gint64        queued_time;
  gboolean      has_result;
  double        last_value;
  guint32       last_quality;
  char         *error;         /* last evaluation error */
  gboolean      over_limits;   /* disabled: parse_error says why */
} Formula;

struct _DcFormula
{
  GObject              parent_instance;

  DcStore             *store;
  DcHistory           *history;
  GCancellable        *cancellable;

  GPtrArray           *formulas;    /* Formula, topological order */
  GHashTable          *by_id;       /* id → Formula */
  GHashTable          *results;     /* gint64 result key → Formula */
  GHashTable          *inputs;      /* gint64 key → Input */
  GArray              *heap;        /* guint orders of queued formulas (min-heap) */
  GArray              *out;         /* DcSample */
  guint                n_loading;

  DcFormulaOutputFunc  output;
  gpointer             output_data;
  GDestroyNotify       output_destroy;

  gulong               changed_id;
  DcEngine            *engine;       /* weak */
  gulong               samples_id;
  DcDeferred                rebuild;
  gboolean             started;
  guint64              n_evaluations;
};

G_DEFINE_FINAL_TYPE (DcFormula, dc_formula, G_TYPE_OBJECT)

/* Inputs */

static Input *
input_new (gint64 key)
{
  Input *input = g_new0 (Input, 1);

  input->key = key;
  input->times = g_array_new (FALSE, FALSE, sizeof (gint64));
  input->values = g_array_new (FALSE, FALSE, sizeof (double));
  input->dependents = g_ptr_array_new ();
  return input;
}

static void
input_free (gpointer data)
{
  Input *input = data;

  g_array_unref (input->times);
  g_array_unref (input->values);
  g_ptr_array_unref (input->dependents);
  g_free (input);
}

static guint
input_len (Input *input)
{
  return input->times->len - input->start;
}

static gint64
input_newest_time (Input *input)
{
  return g_array_index (input->times, gint64, input->times->len - 1);
}

/* Drops what no formula needs any more: samples older than the longest window, keeping at
 * least DC_FORMULA_KEEP_SAMPLES and at most the series limit. */
static void
input_trim (Input *input)
{
  guint len = input_len (input);

  if (len == 0)
    return;
  while (len > DC_EXPR_DEFAULT_MAX_SERIES ||
         (len > DC_FORMULA_KEEP_SAMPLES &&
          g_array_index (input->times, gint64, input->start) <
          input_newest_time (input) - input->keep_us))
    {
      input->start++;
      len--;
    }
  if (input->start > 1024 && input->start > len)
    {
      g_array_remove_range (input->times, 0, input->start);
      g_array_remove_range (input->values, 0, input->start);
      input->start = 0;
    }
}

/* Appends a sample; returns FALSE for a late sample (older than the newest), which is put in
 * its place but triggers nothing (docs/plugins.md). A sample with the newest time replaces it. */
static gboolean
input_add (Input          *input,
           const DcSample *sample)
{
  guint len = input_len (input);
  guint pos;

  if (len == 0 || sample->time > input_newest_time (input))
    {
      g_array_append_val (input->times, sample->time);
      g_array_append_val (input->values, sample->value);
      input->quality = sample->quality;
      input_trim (input);
      return TRUE;
    }
  if (sample->time == input_newest_time (input))
    {
      g_array_index (input->values, double, input->values->len - 1) = sample->value;
      input->quality = sample->quality;
      return TRUE;
    }

  /* Late: insert in time order (replacing a sample with the same time). */
  pos = input->times->len;
  while (pos > input->start && g_array_index (input->times, gint64, pos - 1) > sample->time)
    pos--;
  if (pos > input->start && g_array_index (input->times, gint64, pos - 1) == sample->time)
    g_array_index (input->values, double, pos - 1) = sample->value;
  else if (pos > input->start || len < DC_FORMULA_KEEP_SAMPLES)
    {
      g_array_insert_val (input->times, pos, sample->time);
      g_array_insert_val (input->values, pos, sample->value);
    }
  return FALSE;
}

/* Formulas */

static void
formula_free (gpointer data)
{
  Formula *f = data;

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
same_definition (const Formula *a,
                 const Formula *b)
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

static Formula *
formula_new (JsonObject *object,
             GHashTable *point_keys)
{
  Formula *f = g_new0 (Formula, 1);
  g_autoptr(GArray) params = dc_formula_graph_get_params (object);
  g_autoptr(GError) error = NULL;
  gint64 *result_key;

  f->id = g_strdup (dc_json_get_string (object, "id", ""));
  f->text = g_strdup (dc_json_get_string (object, "formula", ""));
  f->result_name = dc_formula_graph_result_name (object);
  result_key = g_hash_table_lookup (point_keys, f->result_name);
  f->result_key = result_key != NULL ? *result_key : 0;
  f->n_params = params->len;
  f->param_names = g_new0 (char *, params->len + 1);
  f->param_points = g_new0 (char *, params->len + 1);
  f->param_keys = g_new0 (gint64, params->len + 1);
  f->param_inputs = g_new0 (Input *, params->len + 1);
  f->scope = dc_expr_scope_new ();

  for (guint i = 0; i < params->len; i++)
    {
      const DcFormulaParam *p = &g_array_index (params, DcFormulaParam, i);
      gint64 *key = p->point != NULL ? g_hash_table_lookup (point_keys, p->point) : NULL;

      f->param_names[i] = g_strdup (p->name);
      f->param_points[i] = g_strdup (p->point != NULL ? p->point : "");
      f->param_keys[i] = key != NULL ? *key : 0;
    }

  f->expr = dc_expr_parse (f->text, &error);
  if (f->expr != NULL)
    dc_expr_check_names (f->expr, (const char * const *) f->param_names, NULL, &error);
  if (error != NULL)
    f->parse_error = g_strdup (error->message);
  return f;
}

/* The queue of formulas to evaluate: a min-heap of topological orders. */

static void
heap_push (DcFormula *self,
           Formula   *f,
           gint64     time)
{
  guint i;

  if (f->queued)
    {
      f->queued_time = MAX (f->queued_time, time);
      return;
    }
  f->queued = TRUE;
  f->queued_time = time;
  g_array_append_val (self->heap, f->order);
  i = self->heap->len - 1;
  while (i > 0)
    {
      guint parent = (i - 1) / 2;
      guint *h = (guint *) self->heap->data;

      if (h[parent] <= h[i])
        break;
      h[parent] ^= h[i];
      h[i] ^= h[parent];
      h[parent] ^= h[i];
      i = parent;
    }
}

static Formula *
heap_pop (DcFormula *self)
{
  guint *h = (guint *) self->heap->data;
  guint n = self->heap->len;
  guint top;
  guint i = 0;

  if (n == 0)
    return NULL;
  top = h[0];
  h[0] = h[n - 1];
  g_array_set_size (self->heap, n - 1);
  n--;
  for (;;)
    {
      guint l = 2 * i + 1, r = l + 1, m = i;

      if (l < n && h[l] < h[m])
        m = l;
      if (r < n && h[r] < h[m])
        m = r;
      if (m == i)
        break;
      h[m] ^= h[i];
      h[i] ^= h[m];
      h[m] ^= h[i];
      i = m;
    }
  return g_ptr_array_index (self->formulas, top);
}

static void
queue_dependents (DcFormula *self,
                  Input     *input,
                  gint64     time)
{
  for (guint i = 0; i < input->dependents->len; i++)
    heap_push (self, g_ptr_array_index (input->dependents, i), time);
}

static void
set_error (Formula    *f,
           const char *message)
{
  if (g_strcmp0 (f->error, message) == 0)
    return;
  g_free (f->error);
  f->error = g_strdup (message);
  if (message != NULL)
    g_message ("formula %s: %s", f->id, message);
}

static void
emit (DcFormula *self,
      Formula   *f,
      gint64     time,
      double     value,
      guint32    quality)
{
  DcSample sample = { f->result_key, time, value, quality };
  Input *input;

  if (f->result_key == 0)
    return;
  if (f->has_result && f->last_quality == quality &&
      (f->last_value == value || (isnan (value) && isnan (f->last_value))))
    return;
  f->has_result = TRUE;
  f->last_value = value;
  f->last_quality = quality;
  g_array_append_val (self->out, sample);

  /* Formulas that read this result follow in the same pass. */
  input = g_hash_table_lookup (self->inputs, &f->result_key);
  if (input != NULL && input_add (input, &sample))
    queue_dependents (self, input, time);
}

static void
evaluate (DcFormula *self,
          Formula   *f,
          gint64     time)
{
  g_autoptr(GError) error = NULL;
  guint32 quality = 0;
  double value = NAN;

  self->n_evaluations++;

  if (f->parse_error != NULL)
    {
      set_error (f, f->parse_error);
      emit (self, f, time, NAN, DC_QUALITY_CALC_FAILED);
      return;
    }

  for (guint i = 0; i < f->n_params; i++)
    if (f->param_inputs[i] == NULL)
      {
        g_autofree char *message = g_strdup_printf ("parameter not found: %s=%s",
                                                    f->param_names[i], f->param_points[i]);

        set_error (f, message);
        emit (self, f, time, NAN, DC_QUALITY_CALC_FAILED);
        return;
      }
  for (guint i = 0; i < f->n_params; i++)
    {
      Input *input = f->param_inputs[i];

      /* A parameter without any sample yet (at start, or a new point): nothing to compute
       * on, and nothing to report either. */
      if (input_len (input) == 0)
        return;
      dc_expr_scope_set_series (f->scope, f->param_names[i],
                                &g_array_index (input->times, gint64, input->start),
                                &g_array_index (input->values, double, input->start),
                                input_len (input));
      quality |= input->quality;
    }
  dc_expr_scope_set_now (f->scope, time);

  if (!dc_expr_eval_number (f->expr, f->scope, &value, &error))
    {
      /* A formula over its limits costs them on every sample: it stays disabled until its
       * definition changes (docs/security.md, "Limits"). */
      if (g_error_matches (error, DC_EXPR_ERROR, DC_EXPR_ERROR_LIMIT))
        {
          f->parse_error = g_strdup_printf ("formula disabled: %s", error->message);
          f->over_limits = TRUE;
        }
      set_error (f, f->parse_error != NULL ? f->parse_error : error->message);
      emit (self, f, time, NAN, quality | DC_QUALITY_CALC_FAILED);
      return;
    }
  set_error (f, NULL);
  emit (self, f, time, value, quality);
}

static void
run_queue (DcFormula *self)
{
  Formula *f;

  while ((f = heap_pop (self)) != NULL)
    {
      f->queued = FALSE;
      evaluate (self, f, f->queued_time);
    }
}

static void
flush_output (DcFormula *self)
{
  g_autoptr(GArray) out = NULL;

  if (self->out->len == 0)
    return;
  /* The output may come back here (the engine emits the results as a batch of their own):
   * hand over the array first. */
  out = g_steal_pointer (&self->out);
  self->out = g_array_new (FALSE, FALSE, sizeof (DcSample));
  if (self->output != NULL)
    self->output ((const DcSample *) out->data, out->len, self->output_data);
}

/* The time a formula is computed at when no sample triggers it: its newest input, or now
 * when a parameter is missing. FALSE when it has nothing to compute on yet. */
static gboolean
initial_time (Formula *f,
              gint64  *time)
{
  gboolean any = FALSE;

  *time = G_MININT64;
  if (f->parse_error != NULL)
    {
      *time = g_get_real_time ();
      return TRUE;
    }
  for (guint i = 0; i < f->n_params; i++)
    if (f->param_inputs[i] == NULL)
      {
        *time = g_get_real_time ();
        return TRUE;
      }
  for (guint i = 0; i < f->n_params; i++)
    {
      Input *input = f->param_inputs[i];

      if (input->loading || input_len (input) == 0)
        return FALSE;
      *time = MAX (*time, input_newest_time (input));
      any = TRUE;
    }
  return any;
}

static void
compute_initial (DcFormula *self)
{
  for (guint i = 0; i < self->formulas->len; i++)
    {
      Formula *f = g_ptr_array_index (self->formulas, i);
      gint64 time;

      if (!f->has_result && initial_time (f, &time))
        heap_push (self, f, time);
    }
  run_queue (self);
  flush_output (self);
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
  Input *input;

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
      input_trim (input);
    }
  g_free (data);

  if (self->n_loading == 0)
    compute_initial (self);
}

static void
load_input (DcFormula *self,
            Input     *input)
{
  LoadData *data;

  if (self->history == NULL)
    return;
  data = g_new0 (LoadData, 1);
  data->self = self;
  data->key = input->key;
  input->loading = TRUE;
  self->n_loading++;
  /* The newest samples: enough for the longest window (input_trim() then drops what is
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
      Formula *f = g_ptr_array_index (formulas, i);

      nodes[i].result_key = f->result_key;
      nodes[i].param_keys = f->param_keys;
      nodes[i].n_params = f->n_params;
    }
  order = dc_formula_graph_sort (nodes, formulas->len, in_cycle);
  for (guint i = 0; i < formulas->len; i++)
    {
      Formula *f = g_ptr_array_index (formulas, order[i]);

      if (in_cycle[order[i]] && f->parse_error == NULL)
        f->parse_error = g_strdup ("formula is part of a cycle");
      g_ptr_array_add (sorted, f);
    }
  if (sorted->len > 0)
    memcpy (formulas->pdata, sorted->pdata, sizeof (gpointer) * sorted->len);
}

static void
rebuild (DcFormula *self)
{
  g_autoptr(GPtrArray) ids = dc_store_list_ids (self->store, DC_KIND_FORMULA);
  g_autoptr(GPtrArray) infos = dc_store_list_point_infos (self->store);
  g_autoptr(GHashTable) point_keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) formulas = g_ptr_array_new_with_free_func (formula_free);
  g_autoptr(GHashTable) old_inputs = g_steal_pointer (&self->inputs);
  g_autoptr(GPtrArray) old_formulas = g_steal_pointer (&self->formulas);

  for (guint i = 0; i < infos->len; i++)
    {
      DcPointInfo *info = g_ptr_array_index (infos, i);

      g_hash_table_insert (point_keys,
                           g_strdup_printf ("%s:%s:%s", info->device_id, info->term_id,
                                            info->item_id),
                           &info->key);
    }

  for (guint i = 0; i < ids->len; i++)
    {
      g_autoptr(JsonObject) object = dc_store_get (self->store, DC_KIND_FORMULA,
                                                   g_ptr_array_index (ids, i), NULL);
      Formula *f;
      Formula *old;

      if (object == NULL)
        continue;
      f = formula_new (object, point_keys);
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
  self->inputs = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL, input_free);

  sort_formulas (formulas);
  for (guint i = 0; i < formulas->len; i++)
    {
      Formula *f = g_ptr_array_index (formulas, i);

      f->order = i;
      g_hash_table_insert (self->by_id, f->id, f);
      if (f->result_key != 0)
        g_hash_table_insert (self->results, &f->result_key, f);
      for (guint p = 0; p < f->n_params; p++)
        {
          gint64 key = f->param_keys[p];
          Input *input;
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
                input = input_new (key);
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

  /* New inputs load their window from history; the formulas that changed are computed once
   * every input they read is there. */
  {
    GHashTableIter iter;
    Input *input;

    g_hash_table_iter_init (&iter, self->inputs);
    while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &input))
      if (input_len (input) == 0 && !input->loading)
        load_input (self, input);
  }

  /* Loads in flight for inputs that are gone are simply ignored when they finish. */
  if (self->n_loading == 0)
    compute_initial (self);
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
  dc_deferred_init (&self->rebuild, (GFunc) rebuild, self);
  self->cancellable = g_cancellable_new ();
  self->formulas = g_ptr_array_new_with_free_func (formula_free);
  self->by_id = g_hash_table_new (g_str_hash, g_str_equal);
  self->results = g_hash_table_new (g_int64_hash, g_int64_equal);
  self->inputs = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL, input_free);
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
  rebuild (self);
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
  g_return_if_fail (DC_IS_FORMULA (self));
  g_return_if_fail (n_samples == 0 || samples != NULL);

  for (guint i = 0; i < n_samples; i++)
    {
      const DcSample *s = &samples[i];
      Input *input;

      /* Our own results come back through the engine: already handled. */
      if (g_hash_table_contains (self->results, &s->key))
        continue;
      input = g_hash_table_lookup (self->inputs, &s->key);
      if (input == NULL)
        continue;
      /* Each sample is its own recalculation, stamped with its time. */
      if (input_add (input, s) && !input->loading)
        {
          queue_dependents (self, input, s->time);
          run_queue (self);
        }
    }
  flush_output (self);
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
  Formula *f;

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

  /* Parameters first, as PyDataColl: each must name an existing point. */
  params = dc_formula_graph_get_params (body);
  for (guint i = 0; i < params->len; i++)
    {
      const DcFormulaParam *p = &g_array_index (params, DcFormulaParam, i);
      g_auto(GStrv) parts = NULL;
      g_autoptr(JsonObject) point = NULL;
      JsonNode *value = json_object_get_member (body, p->name);

      if (p->point == NULL)
        {
          g_autofree char *shown = JSON_NODE_HOLDS_VALUE (value) ?
            json_to_string (value, FALSE) : g_strdup ("null");

          return g_strdup_printf ("parameter not found: %s=%s", p->name, shown);
        }
      parts = g_strsplit (p->point, ":", -1);
      if (g_strv_length (parts) == 3)
        point = dc_store_get_point (store, parts[1], parts[2], NULL);
      if (point == NULL || g_strcmp0 (dc_json_get_string (point, "device_id", NULL), parts[0]) != 0)
        return g_strdup_printf ("parameter not found: %s=%s", p->name, p->point);
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
