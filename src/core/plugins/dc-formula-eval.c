/* dc-formula-eval.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-formula"

#include "config.h"

#include <math.h>
#include <string.h>

#include "dc-formula-private.h"

/* The formula engine proper: the sample buffers of the parameter points, the queue of
 * formulas to evaluate (in dependency order), the evaluation and the output of results. */

/* Inputs */

DcFormulaInput *
dc_formula_input_new (gint64 key)
{
  DcFormulaInput *input = g_new0 (DcFormulaInput, 1);

  input->key = key;
  input->times = g_array_new (FALSE, FALSE, sizeof (gint64));
  input->values = g_array_new (FALSE, FALSE, sizeof (double));
  input->dependents = g_ptr_array_new ();
  return input;
}

void
dc_formula_input_free (gpointer data)
{
  DcFormulaInput *input = data;

  g_array_unref (input->times);
  g_array_unref (input->values);
  g_ptr_array_unref (input->dependents);
  g_free (input);
}

guint
dc_formula_input_len (DcFormulaInput *input)
{
  return input->times->len - input->start;
}

static gint64
input_newest_time (DcFormulaInput *input)
{
  return g_array_index (input->times, gint64, input->times->len - 1);
}

/* Drops what no formula needs any more: samples older than the longest window, keeping at
 * least DC_FORMULA_KEEP_SAMPLES and at most the series limit. */
void
dc_formula_input_trim (DcFormulaInput *input)
{
  guint len = dc_formula_input_len (input);

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
gboolean
dc_formula_input_add (DcFormulaInput *input,
                      const DcSample *sample)
{
  guint len = dc_formula_input_len (input);
  guint pos;

  if (len == 0 || sample->time > input_newest_time (input))
    {
      g_array_append_val (input->times, sample->time);
      g_array_append_val (input->values, sample->value);
      input->quality = sample->quality;
      dc_formula_input_trim (input);
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

/* The queue of formulas to evaluate: a min-heap of topological orders. */

static void
heap_push (DcFormula     *self,
           DcFormulaItem *f,
           gint64         time)
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

static DcFormulaItem *
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

void
dc_formula_queue_dependents (DcFormula      *self,
                             DcFormulaInput *input,
                             gint64          time)
{
  for (guint i = 0; i < input->dependents->len; i++)
    heap_push (self, g_ptr_array_index (input->dependents, i), time);
}

static void
set_error (DcFormulaItem *f,
           const char    *message)
{
  if (g_strcmp0 (f->error, message) == 0)
    return;
  g_free (f->error);
  f->error = g_strdup (message);
  if (message != NULL)
    g_message ("formula %s: %s", f->id, message);
}

static void
emit (DcFormula     *self,
      DcFormulaItem *f,
      gint64         time,
      double         value,
      guint32        quality)
{
  DcSample sample = { f->result_key, time, value, quality };
  DcFormulaInput *input;

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
  if (input != NULL && dc_formula_input_add (input, &sample))
    dc_formula_queue_dependents (self, input, time);
}

static void
evaluate (DcFormula     *self,
          DcFormulaItem *f,
          gint64         time)
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
      DcFormulaInput *input = f->param_inputs[i];

      /* A parameter without any sample yet (at start, or a new point): nothing to compute
       * on, and nothing to report either. */
      if (dc_formula_input_len (input) == 0)
        return;
      dc_expr_scope_set_series (f->scope, f->param_names[i],
                                &g_array_index (input->times, gint64, input->start),
                                &g_array_index (input->values, double, input->start),
                                dc_formula_input_len (input));
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

void
dc_formula_run_queue (DcFormula *self)
{
  DcFormulaItem *f;

  while ((f = heap_pop (self)) != NULL)
    {
      f->queued = FALSE;
      evaluate (self, f, f->queued_time);
    }
}

void
dc_formula_flush_output (DcFormula *self)
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
initial_time (DcFormulaItem *f,
              gint64        *time)
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
      DcFormulaInput *input = f->param_inputs[i];

      if (input->loading || dc_formula_input_len (input) == 0)
        return FALSE;
      *time = MAX (*time, input_newest_time (input));
      any = TRUE;
    }
  return any;
}

void
dc_formula_compute_initial (DcFormula *self)
{
  for (guint i = 0; i < self->formulas->len; i++)
    {
      DcFormulaItem *f = g_ptr_array_index (self->formulas, i);
      gint64 time;

      if (!f->has_result && initial_time (f, &time))
        heap_push (self, f, time);
    }
  dc_formula_run_queue (self);
  dc_formula_flush_output (self);
}
