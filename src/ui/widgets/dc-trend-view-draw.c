/* dc-trend-view-draw.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-trend-view"

#include "config.h"

#include <math.h>

#include <glib/gi18n.h>

#include "dc-trend-view-private.h"

/* Drawing of DcTrendView (docs/ui.md, "Trend"): round ticks, one value axis per unit, the
 * min/max band and the average line of every analog pen, steps for state pens, the legend. */

static const GdkRGBA palette[] = {
  { 0.208, 0.518, 0.894, 1 },  /* blue 3 */
  { 1.000, 0.471, 0.000, 1 },  /* orange 3 */
  { 0.200, 0.820, 0.478, 1 },  /* green 3 */
  { 0.569, 0.255, 0.675, 1 },  /* purple 3 */
  { 0.878, 0.106, 0.141, 1 },  /* red 3 */
  { 0.965, 0.827, 0.176, 1 },  /* yellow 3 */
};

double
dc_trend_nice_step (double range,
                    guint  max_ticks)
{
  double raw, mag, norm;

  if (!(range > 0) || max_ticks == 0)
    return 1;
  raw = range / max_ticks;
  mag = pow (10, floor (log10 (raw)));
  norm = raw / mag;
  if (norm <= 1)
    return mag;
  if (norm <= 2)
    return 2 * mag;
  if (norm <= 5)
    return 5 * mag;
  return 10 * mag;
}

gint64
dc_trend_time_step (gint64 span_us,
                    guint  max_ticks)
{
  static const gint64 steps_s[] = {
    1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 2 * 3600, 3 * 3600, 6 * 3600,
    12 * 3600, 86400, 2 * 86400, 7 * 86400, 14 * 86400, 28 * 86400,
  };

  if (max_ticks == 0)
    max_ticks = 1;
  for (guint i = 0; i < G_N_ELEMENTS (steps_s); i++)
    if (span_us / (steps_s[i] * G_USEC_PER_SEC) <= (gint64) max_ticks)
      return steps_s[i] * G_USEC_PER_SEC;
  return steps_s[G_N_ELEMENTS (steps_s) - 1] * G_USEC_PER_SEC;
}

const GdkRGBA *
_dc_trend_view_color (guint index)
{
  return &palette[index % G_N_ELEMENTS (palette)];
}

/* The value range of the pens of axis @group in [from, to], padded by 5 %; a state axis
 * spans its states with half a step above and below. */
static void
value_range (DcTrendView *self,
             int          group,
             gint64       from,
             gint64       to,
             double      *lo,
             double      *hi)
{
  double vmin = INFINITY, vmax = -INFINITY;

  for (guint i = 0; i < self->series->len; i++)
    {
      Series *s = g_ptr_array_index (self->series, i);

      if (s->group != group)
        continue;
      if (s->state_values != NULL)
        {
          for (guint j = 0; j < s->state_values->len; j++)
            {
              vmin = MIN (vmin, g_array_index (s->state_values, double, j) - 0.5);
              vmax = MAX (vmax, g_array_index (s->state_values, double, j) + 0.5);
            }
        }
      for (guint j = 0; j < s->buckets->len; j++)
        {
          const DcTrendBucket *b = &g_array_index (s->buckets, DcTrendBucket, j);

          if (b->end < from || b->start > to || b->count == 0)
            continue;
          if (isfinite (b->min))
            vmin = MIN (vmin, b->min - (s->state_values ? 0.5 : 0));
          if (isfinite (b->max))
            vmax = MAX (vmax, b->max + (s->state_values ? 0.5 : 0));
        }
      if (s->state_values != NULL)
        {
          *lo = vmin;
          *hi = vmax;
          return;
        }
    }

  if (!isfinite (vmin) || !isfinite (vmax))
    {
      vmin = 0;
      vmax = 1;
    }
  if (vmax - vmin < 1e-9)
    {
      double pad = fabs (vmax) > 1e-9 ? fabs (vmax) * 0.05 : 1;

      vmin -= pad;
      vmax += pad;
    }
  else
    {
      double pad = (vmax - vmin) * 0.05;

      vmin -= pad;
      vmax += pad;
    }
  *lo = vmin;
  *hi = vmax;
}

static char *
format_tick_time (gint64 t,
                  gint64 step)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local (t / G_USEC_PER_SEC);

  if (dt == NULL)
    return g_strdup ("");
  if (step < (gint64) 60 * G_USEC_PER_SEC)
    return g_date_time_format (dt, "%H:%M:%S");
  if (step < (gint64) 86400 * G_USEC_PER_SEC)
    {
      if (g_date_time_get_hour (dt) == 0 && g_date_time_get_minute (dt) == 0)
        return g_date_time_format (dt, "%b %d");
      return g_date_time_format (dt, "%H:%M");
    }
  return g_date_time_format (dt, "%b %d");
}

static void
append_text (GtkSnapshot   *snapshot,
             PangoLayout   *layout,
             const char    *text,
             double         x,
             double         y,
             double         xalign,
             const GdkRGBA *color)
{
  int w, h;

  pango_layout_set_text (layout, text, -1);
  pango_layout_get_pixel_size (layout, &w, &h);
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (x - w * xalign, y - h / 2.0));
  gtk_snapshot_append_layout (snapshot, layout, color);
  gtk_snapshot_restore (snapshot);
}

/* The first pen of axis @group (its index in @first_index), NULL if none. */
static Series *
group_first (DcTrendView *self,
             int          group,
             guint       *n_pens,
             guint       *first_index)
{
  Series *first = NULL;

  *n_pens = 0;
  *first_index = 0;
  for (guint i = 0; i < self->series->len; i++)
    {
      Series *s = g_ptr_array_index (self->series, i);

      if (s->group != group)
        continue;
      if (first == NULL)
        {
          first = s;
          *first_index = i;
        }
      (*n_pens)++;
    }
  return first;
}

/* The value axis of @group: at x @ax, labels on the left (@side -1) or the right (+1) of
 * it, in the colour of its pen when it has one; its unit above it. The first axis draws the
 * grid. */
static void
draw_value_axis (DcTrendView   *self,
                 GtkSnapshot   *snapshot,
                 PangoLayout   *layout,
                 int            group,
                 double         ax,
                 int            side,
                 double         px,
                 double         py,
                 double         pw,
                 double         ph,
                 double         lo,
                 double         hi,
                 const GdkRGBA *axis,
                 const GdkRGBA *grid)
{
  guint n_pens, first_index;
  Series *first = group_first (self, group, &n_pens, &first_index);
  GdkRGBA color = *axis;
  const char *unit = _dc_trend_view_axis_unit (self, (guint) group);

  if (first == NULL)
    return;
  if (n_pens == 1)
    color = *_dc_trend_view_color (first_index);
  gtk_snapshot_append_color (snapshot, axis, &GRAPHENE_RECT_INIT (ax, py, 1, ph));

  if (first->state_values != NULL)
    {
      /* A state axis: the state texts at their values. */
      for (guint j = 0; j < first->state_values->len; j++)
        {
          double v = g_array_index (first->state_values, double, j);
          double y = py + ph - (v - lo) / (hi - lo) * ph;

          if (group == 0)
            gtk_snapshot_append_color (snapshot, grid, &GRAPHENE_RECT_INIT (px, y, pw, 1));
          append_text (snapshot, layout, g_ptr_array_index (first->state_texts, j),
                       ax + side * 6, y, side < 0 ? 1 : 0, &color);
        }
      return;
    }

  {
    double vstep = dc_trend_nice_step (hi - lo, MAX (2, (guint) (ph / 36)));

    for (double v = ceil (lo / vstep) * vstep; v <= hi; v += vstep)
      {
        double y = py + ph - (v - lo) / (hi - lo) * ph;
        char buf[64];

        if (group == 0)
          gtk_snapshot_append_color (snapshot, grid, &GRAPHENE_RECT_INIT (px, y, pw, 1));
        g_snprintf (buf, sizeof buf, "%.*f", vstep >= 1 ? 0 : (int) ceil (-log10 (vstep)),
                    fabs (v) < vstep / 1e6 ? 0 : v);
        append_text (snapshot, layout, buf, ax + side * 6, y, side < 0 ? 1 : 0, &color);
      }
  }
  if (unit != NULL && unit[0] != '\0')
    append_text (snapshot, layout, unit, ax + side * 6, py + 6, side < 0 ? 1 : 0, &color);
}

void
_dc_trend_view_snapshot (GtkWidget   *widget,
                         GtkSnapshot *snapshot)
{
  DcTrendView *self = (DcTrendView *) widget;
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  double left, right;
  double px, py = TOP_MARGIN, pw, ph = height - TOP_MARGIN - BOTTOM_MARGIN;
  g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (widget, NULL);
  guint n_groups = MAX (self->groups->len, 1);
  g_autofree double *los = g_new0 (double, n_groups);
  g_autofree double *his = g_new0 (double, n_groups);
  GdkRGBA fg, grid, axis;
  gint64 from, to, tstep;
  cairo_t *cr;

  _dc_trend_view_margins (self, &left, &right);
  px = left;
  pw = width - left - right;
  if (pw < 20 || ph < 20)
    return;

G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &fg);
G_GNUC_END_IGNORE_DEPRECATIONS
  grid = fg;
  grid.alpha = 0.12;
  axis = fg;
  axis.alpha = 0.5;

  _dc_trend_view_range (self, &from, &to);

  /* One value axis per unit: left, right, outer left, outer right (docs/ui.md "Trend"). */
  for (guint g = 0; g < n_groups; g++)
    value_range (self, (int) g, from, to, &los[g], &his[g]);
  if (self->groups->len == 0)
    {
      double vstep = dc_trend_nice_step (his[0] - los[0], MAX (2, (guint) (ph / 36)));

      for (double v = ceil (los[0] / vstep) * vstep; v <= his[0]; v += vstep)
        gtk_snapshot_append_color (snapshot, &grid,
                                   &GRAPHENE_RECT_INIT (px, py + ph - (v - los[0]) / (his[0] - los[0]) * ph, pw, 1));
    }
  for (guint g = 0; g < MIN (self->groups->len, MAX_AXES); g++)
    {
      static const int sides[MAX_AXES] = { -1, 1, -1, 1 };
      double ax = g == 0 ? px : g == 1 ? px + pw : g == 2 ? px - AXIS_WIDTH : px + pw + AXIS_WIDTH;

      draw_value_axis (self, snapshot, layout, (int) g, ax, sides[g], px, py, pw, ph,
                       los[g], his[g], &axis, &grid);
    }

  /* Time axis. */
  tstep = dc_trend_time_step (to - from, MAX (2, (guint) (pw / 90)));
  {
    g_autoptr(GDateTime) now = g_date_time_new_now_local ();
    gint64 offset = g_date_time_get_utc_offset (now);
    gint64 first = ((from + offset) / tstep + 1) * tstep - offset;

    for (gint64 t = first; t < to; t += tstep)
      {
        double x = px + (double) (t - from) / (to - from) * pw;
        g_autofree char *label = format_tick_time (t, tstep);

        gtk_snapshot_append_color (snapshot, &grid, &GRAPHENE_RECT_INIT (x, py, 1, ph));
        append_text (snapshot, layout, label, x, py + ph + BOTTOM_MARGIN / 2.0, 0.5, &axis);
      }
  }
  gtk_snapshot_append_color (snapshot, &axis, &GRAPHENE_RECT_INIT (px, py + ph, pw, 1));
  gtk_snapshot_append_color (snapshot, &axis, &GRAPHENE_RECT_INIT (px, py, 1, ph));

  if (self->series->len == 0)
    {
      append_text (snapshot, layout, _("Select a point to show its trend"),
                   px + pw / 2, py + ph / 2, 0.5, &axis);
      return;
    }

  /* Curves: the min/max band translucent, the average line on top; state pens as steps. */
  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (px, py, pw, ph));
  cairo_rectangle (cr, px, py, pw, ph);
  cairo_clip (cr);
  for (guint i = 0; i < self->series->len; i++)
    {
      Series *s = g_ptr_array_index (self->series, i);
      const GdkRGBA *c = _dc_trend_view_color (i);
      double lo = los[s->group], hi = his[s->group];
      gboolean started = FALSE;
      double prev_y = 0;

#define X_OF(t) (px + (double) ((t) - from) / (double) (to - from) * pw)
#define Y_OF(v) (py + ph - ((v) - lo) / (hi - lo) * ph)

      cairo_set_source_rgba (cr, c->red, c->green, c->blue, 0.25);
      for (guint j = 0; j < s->buckets->len && s->state_values == NULL; j++)
        {
          const DcTrendBucket *b = &g_array_index (s->buckets, DcTrendBucket, j);
          double x0, x1, y0, y1;

          if (b->count == 0 || b->end < from || b->start > to)
            continue;
          x0 = X_OF (b->start);
          x1 = MAX (X_OF (b->end), x0 + 1);
          y0 = Y_OF (b->max);
          y1 = Y_OF (b->min);
          cairo_rectangle (cr, x0, y0, x1 - x0, MAX (y1 - y0, 1));
        }
      cairo_fill (cr);

      cairo_set_source_rgba (cr, c->red, c->green, c->blue, 1);
      cairo_set_line_width (cr, s->state_values ? 2 : 1.5);
      cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
      for (guint j = 0; j < s->buckets->len; j++)
        {
          const DcTrendBucket *b = &g_array_index (s->buckets, DcTrendBucket, j);
          double x, y;

          if (b->count == 0 || !isfinite (b->avg))
            {
              started = FALSE;
              continue;
            }
          if (b->end < from || b->start > to)
            continue;
          if (s->state_values != NULL)
            {
              /* A step: the previous state holds until this bucket, which shows every
               * state it passed through (min to max) and ends at its last one. */
              double last = isfinite (b->last) ? b->last : b->avg;

              x = X_OF (b->start);
              if (started)
                cairo_line_to (cr, x, prev_y);
              else
                cairo_move_to (cr, x, Y_OF (last));
              if (b->min != b->max)
                {
                  cairo_line_to (cr, x, Y_OF (b->min));
                  cairo_line_to (cr, x, Y_OF (b->max));
                }
              y = Y_OF (last);
              cairo_line_to (cr, x, y);
              cairo_line_to (cr, MAX (X_OF (b->end), x + 1), y);
              prev_y = y;
              started = TRUE;
              continue;
            }
          x = X_OF (b->start + (b->end - b->start) / 2);
          y = Y_OF (b->avg);
          if (!started)
            cairo_move_to (cr, x, y);
          else
            cairo_line_to (cr, x, y);
          started = TRUE;
        }
      cairo_stroke (cr);
#undef X_OF
#undef Y_OF
    }
  cairo_destroy (cr);

  if (self->groups->len > MAX_AXES)
    {
      g_autofree char *note = g_strdup_printf (ngettext ("%u more unit without an axis (scaled to fit)",
                                                         "%u more units without an axis (scaled to fit)",
                                                         self->groups->len - MAX_AXES),
                                               self->groups->len - MAX_AXES);

      append_text (snapshot, layout, note, px + pw - 10, py + 10, 1, &axis);
    }

  if (!self->draw_legend)
    return;

  /* Legend, top left inside the plot. */
  for (guint i = 0; i < self->series->len; i++)
    {
      Series *s = g_ptr_array_index (self->series, i);
      const GdkRGBA *c = _dc_trend_view_color (i);
      g_autofree char *text = s->unit && s->unit[0]
                              ? g_strdup_printf ("%s [%s]", s->label, s->unit)
                              : g_strdup (s->label);
      double y = py + 10 + i * 18;

      gtk_snapshot_append_color (snapshot, c, &GRAPHENE_RECT_INIT (px + 10, y - 1, 14, 3));
      append_text (snapshot, layout, text, px + 30, y, 0, &fg);
    }
}
