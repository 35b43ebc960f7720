/* dc-trend-view.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-trend-view"

#include "config.h"

#include <math.h>

#include <glib/gi18n.h>

#include "dc-trend-view-private.h"
#include "dc-number.h"

enum {
  PROP_0,
  PROP_SPAN,
  PROP_FOLLOW,
  N_PROPS
};

enum {
  RANGE_CHANGED,
  SERIES_CHANGED,
  N_SIGNALS
};

G_DEFINE_FINAL_TYPE (DcTrendView, dc_trend_view, GTK_TYPE_WIDGET)

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
series_free (gpointer data)
{
  Series *s = data;

  g_free (s->label);
  g_free (s->unit);
  g_array_unref (s->buckets);
  g_clear_pointer (&s->state_values, g_array_unref);
  g_clear_pointer (&s->state_texts, g_ptr_array_unref);
  g_free (s);
}

/* The axis key of a pen: its unit, or for a state pen "\1" and its texts (pens with the
 * same states share an axis labelled with them). */
static char *
group_key (Series *s)
{
  GString *key;

  if (s->state_values == NULL)
    return g_strdup (s->unit ? s->unit : "");
  key = g_string_new ("\1");
  for (guint i = 0; i < s->state_texts->len; i++)
    {
      if (i > 0)
        g_string_append_c (key, '/');
      g_string_append (key, g_ptr_array_index (s->state_texts, i));
    }
  return g_string_free (key, FALSE);
}

/* Groups the pens by unit (docs/ui.md "Trend"), in the order the units first appear, and
 * tells the owner. */
static void
series_changed (DcTrendView *self)
{
  g_ptr_array_set_size (self->groups, 0);
  for (guint i = 0; i < self->series->len; i++)
    {
      Series *s = g_ptr_array_index (self->series, i);
      char *key = group_key (s);
      guint index;

      if (g_ptr_array_find_with_equal_func (self->groups, key, g_str_equal, &index))
        g_free (key);
      else
        {
          index = self->groups->len;
          g_ptr_array_add (self->groups, key);
        }
      s->group = (int) index;
    }
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_signal_emit (self, signals[SERIES_CHANGED], 0);
}

static Series *
find_series (DcTrendView *self,
             gint64       key)
{
  for (guint i = 0; i < self->series->len; i++)
    {
      Series *s = g_ptr_array_index (self->series, i);

      if (s->key == key)
        return s;
    }
  return NULL;
}

static gboolean
emit_range_changed_cb (gpointer data)
{
  DcTrendView *self = data;
  gint64 from, to;

  self->range_changed_id = 0;
  dc_trend_view_get_range (self, &from, &to);
  g_signal_emit (self, signals[RANGE_CHANGED], 0, from, to);
  return G_SOURCE_REMOVE;
}

static void
queue_range_changed (DcTrendView *self)
{
  /* Coalesce a burst of scroll or drag events into one query. */
  if (self->range_changed_id == 0)
    self->range_changed_id = g_timeout_add (120, emit_range_changed_cb, self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static gboolean
tick_cb (gpointer data)
{
  DcTrendView *self = data;

  if (self->follow)
    {
      gint64 now = g_get_real_time ();

      /* Query again only when a good part of a bucket has scrolled in. */
      if (now - self->end > self->span / 200)
        {
          self->end = now;
          gtk_widget_queue_draw (GTK_WIDGET (self));
        }
    }
  return G_SOURCE_CONTINUE;
}

static gboolean
scroll_cb (DcTrendView              *self,
           double                    dx,
           double                    dy,
           GtkEventControllerScroll *controller)
{
  dc_trend_view_zoom (self, pow (1.2, dy));
  return TRUE;
}

static void
drag_begin_cb (DcTrendView    *self,
               double          x,
               double          y,
               GtkGestureDrag *gesture)
{
  self->drag_end = self->end;
}

static void
drag_update_cb (DcTrendView    *self,
                double          dx,
                double          dy,
                GtkGestureDrag *gesture)
{
  double left, right, pw;
  gint64 end;

  _dc_trend_view_margins (self, &left, &right);
  pw = MAX (1, gtk_widget_get_width (GTK_WIDGET (self)) - left - right);
  end = self->drag_end - (gint64) (dx / pw * self->span);

  if (dx != 0)
    dc_trend_view_set_follow (self, FALSE);
  dc_trend_view_set_end (self, end);
}

static gboolean
key_pressed_cb (DcTrendView           *self,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                GtkEventControllerKey *controller)
{
  switch (keyval)
    {
    case GDK_KEY_plus:
    case GDK_KEY_KP_Add:
    case GDK_KEY_equal:
      dc_trend_view_zoom (self, 1 / 1.5);
      return TRUE;
    case GDK_KEY_minus:
    case GDK_KEY_KP_Subtract:
      dc_trend_view_zoom (self, 1.5);
      return TRUE;
    case GDK_KEY_Left:
      dc_trend_view_pan (self, -0.25);
      return TRUE;
    case GDK_KEY_Right:
      dc_trend_view_pan (self, 0.25);
      return TRUE;
    case GDK_KEY_End:
      dc_trend_view_set_follow (self, TRUE);
      return TRUE;
    default:
      return FALSE;
    }
}

static void
dc_trend_view_map (GtkWidget *widget)
{
  DcTrendView *self = DC_TREND_VIEW (widget);

  GTK_WIDGET_CLASS (dc_trend_view_parent_class)->map (widget);
  if (self->tick_id == 0)
    self->tick_id = g_timeout_add_seconds (1, tick_cb, self);
}

static void
dc_trend_view_unmap (GtkWidget *widget)
{
  DcTrendView *self = DC_TREND_VIEW (widget);

  g_clear_handle_id (&self->tick_id, g_source_remove);
  GTK_WIDGET_CLASS (dc_trend_view_parent_class)->unmap (widget);
}

static void
dc_trend_view_measure (GtkWidget      *widget,
                       GtkOrientation  orientation,
                       int             for_size,
                       int            *minimum,
                       int            *natural,
                       int            *minimum_baseline,
                       int            *natural_baseline)
{
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = 200;
      *natural = 600;
    }
  else
    {
      *minimum = 120;
      *natural = 300;
    }
}

static void
dc_trend_view_dispose (GObject *object)
{
  DcTrendView *self = DC_TREND_VIEW (object);

  g_clear_handle_id (&self->tick_id, g_source_remove);
  g_clear_handle_id (&self->range_changed_id, g_source_remove);

  G_OBJECT_CLASS (dc_trend_view_parent_class)->dispose (object);
}

static void
dc_trend_view_finalize (GObject *object)
{
  DcTrendView *self = DC_TREND_VIEW (object);

  g_clear_pointer (&self->series, g_ptr_array_unref);
  g_clear_pointer (&self->groups, g_ptr_array_unref);

  G_OBJECT_CLASS (dc_trend_view_parent_class)->finalize (object);
}

static void
dc_trend_view_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  DcTrendView *self = DC_TREND_VIEW (object);

  switch (prop_id)
    {
    case PROP_SPAN:
      g_value_set_int64 (value, self->span);
      break;
    case PROP_FOLLOW:
      g_value_set_boolean (value, self->follow);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dc_trend_view_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  DcTrendView *self = DC_TREND_VIEW (object);

  switch (prop_id)
    {
    case PROP_SPAN:
      dc_trend_view_set_span (self, g_value_get_int64 (value));
      break;
    case PROP_FOLLOW:
      dc_trend_view_set_follow (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dc_trend_view_class_init (DcTrendViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = dc_trend_view_dispose;
  object_class->finalize = dc_trend_view_finalize;
  object_class->get_property = dc_trend_view_get_property;
  object_class->set_property = dc_trend_view_set_property;

  widget_class->snapshot = _dc_trend_view_snapshot;
  widget_class->measure = dc_trend_view_measure;
  widget_class->map = dc_trend_view_map;
  widget_class->unmap = dc_trend_view_unmap;

  properties[PROP_SPAN] =
    g_param_spec_int64 ("span", NULL, NULL, MIN_SPAN, MAX_SPAN, (gint64) 3600 * G_USEC_PER_SEC,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_FOLLOW] =
    g_param_spec_boolean ("follow", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* (gint64 from, gint64 to): the owner should query buckets for this range. */
  signals[RANGE_CHANGED] =
    g_signal_new ("range-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_INT64, G_TYPE_INT64);
  /* A pen was added or removed, or became a state pen (the axes may have changed). */
  signals[SERIES_CHANGED] =
    g_signal_new ("series-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_css_name (widget_class, "trendview");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
dc_trend_view_init (DcTrendView *self)
{
  GtkEventController *controller;
  GtkGesture *drag;

  self->series = g_ptr_array_new_with_free_func (series_free);
  self->groups = g_ptr_array_new_with_free_func (g_free);
  self->draw_legend = TRUE;
  self->span = (gint64) 3600 * G_USEC_PER_SEC;
  self->end = g_get_real_time ();
  self->follow = TRUE;

  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_widget_set_hexpand (GTK_WIDGET (self), TRUE);
  gtk_widget_set_vexpand (GTK_WIDGET (self), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Trend chart"),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  _("Scroll or press plus and minus to zoom, drag or press the arrow keys to move in time, End to follow live values"),
                                  -1);

  controller = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_VERTICAL);
  g_signal_connect_swapped (controller, "scroll", G_CALLBACK (scroll_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  drag = gtk_gesture_drag_new ();
  g_signal_connect_swapped (drag, "drag-begin", G_CALLBACK (drag_begin_cb), self);
  g_signal_connect_swapped (drag, "drag-update", G_CALLBACK (drag_update_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drag));

  controller = gtk_event_controller_key_new ();
  g_signal_connect_swapped (controller, "key-pressed", G_CALLBACK (key_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);
}

GtkWidget *
dc_trend_view_new (void)
{
  return g_object_new (DC_TYPE_TREND_VIEW, NULL);
}

void
dc_trend_view_add_series (DcTrendView *self,
                          gint64       key,
                          const char  *label,
                          const char  *unit)
{
  Series *s;

  g_return_if_fail (DC_IS_TREND_VIEW (self));

  if (find_series (self, key) != NULL)
    return;
  s = g_new0 (Series, 1);
  s->key = key;
  s->label = g_strdup (label);
  s->unit = g_strdup (unit);
  s->buckets = g_array_new (FALSE, FALSE, sizeof (DcTrendBucket));
  g_ptr_array_add (self->series, s);
  queue_range_changed (self);
  series_changed (self);
}

void
dc_trend_view_clear_series (DcTrendView *self)
{
  g_return_if_fail (DC_IS_TREND_VIEW (self));

  if (self->series->len == 0)
    return;
  g_ptr_array_set_size (self->series, 0);
  series_changed (self);
}

void
dc_trend_view_remove_series (DcTrendView *self,
                             gint64       key)
{
  Series *s;

  g_return_if_fail (DC_IS_TREND_VIEW (self));

  s = find_series (self, key);
  if (s == NULL)
    return;
  g_ptr_array_remove (self->series, s);
  series_changed (self);
}

gboolean
dc_trend_view_has_series (DcTrendView *self,
                          gint64       key)
{
  g_return_val_if_fail (DC_IS_TREND_VIEW (self), FALSE);
  return find_series (self, key) != NULL;
}

void
dc_trend_view_set_series_states (DcTrendView        *self,
                                 gint64              key,
                                 const double       *values,
                                 const char * const *texts,
                                 guint               n_states)
{
  Series *s;

  g_return_if_fail (DC_IS_TREND_VIEW (self));
  g_return_if_fail (n_states == 0 || (values != NULL && texts != NULL));

  s = find_series (self, key);
  if (s == NULL)
    return;
  g_clear_pointer (&s->state_values, g_array_unref);
  g_clear_pointer (&s->state_texts, g_ptr_array_unref);
  if (n_states > 0)
    {
      s->state_values = g_array_sized_new (FALSE, FALSE, sizeof (double), n_states);
      g_array_append_vals (s->state_values, values, n_states);
      s->state_texts = g_ptr_array_new_with_free_func (g_free);
      for (guint i = 0; i < n_states; i++)
        g_ptr_array_add (s->state_texts, g_strdup (texts[i]));
    }
  series_changed (self);
}

static Series *
series_at (DcTrendView *self,
           guint        index)
{
  g_return_val_if_fail (index < self->series->len, NULL);
  return g_ptr_array_index (self->series, index);
}

const char *
dc_trend_view_get_series_label (DcTrendView *self,
                                guint        index)
{
  Series *s;

  g_return_val_if_fail (DC_IS_TREND_VIEW (self), NULL);
  s = series_at (self, index);
  return s ? s->label : NULL;
}

const char *
dc_trend_view_get_series_unit (DcTrendView *self,
                               guint        index)
{
  Series *s;

  g_return_val_if_fail (DC_IS_TREND_VIEW (self), NULL);
  s = series_at (self, index);
  return s ? s->unit : NULL;
}

void
dc_trend_view_get_series_color (DcTrendView *self,
                                guint        index,
                                GdkRGBA     *color)
{
  g_return_if_fail (DC_IS_TREND_VIEW (self));
  g_return_if_fail (color != NULL);

  *color = *_dc_trend_view_color (index);
}

guint
dc_trend_view_get_n_axes (DcTrendView *self)
{
  g_return_val_if_fail (DC_IS_TREND_VIEW (self), 0);
  return MIN (self->groups->len, MAX_AXES);
}

int
dc_trend_view_get_series_axis (DcTrendView *self,
                               guint        index)
{
  Series *s;

  g_return_val_if_fail (DC_IS_TREND_VIEW (self), -1);
  s = series_at (self, index);
  return s != NULL && s->group < MAX_AXES ? s->group : -1;
}

const char *
dc_trend_view_get_axis_unit (DcTrendView *self,
                             guint        axis)
{
  g_return_val_if_fail (DC_IS_TREND_VIEW (self), NULL);
  g_return_val_if_fail (axis < self->groups->len, NULL);

  return _dc_trend_view_axis_unit (self, axis);
}

void
dc_trend_view_set_draw_legend (DcTrendView *self,
                               gboolean     draw)
{
  g_return_if_fail (DC_IS_TREND_VIEW (self));

  self->draw_legend = !!draw;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

guint
dc_trend_view_get_n_series (DcTrendView *self)
{
  g_return_val_if_fail (DC_IS_TREND_VIEW (self), 0);
  return self->series->len;
}

gint64
dc_trend_view_get_series_key (DcTrendView *self,
                              guint        index)
{
  g_return_val_if_fail (DC_IS_TREND_VIEW (self), 0);
  g_return_val_if_fail (index < self->series->len, 0);
  return ((Series *) g_ptr_array_index (self->series, index))->key;
}

void
dc_trend_view_set_buckets (DcTrendView         *self,
                           gint64               key,
                           const DcTrendBucket *buckets,
                           guint                n_buckets)
{
  Series *s;

  g_return_if_fail (DC_IS_TREND_VIEW (self));

  s = find_series (self, key);
  if (s == NULL)
    return;
  g_array_set_size (s->buckets, 0);
  g_array_append_vals (s->buckets, buckets, n_buckets);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

guint
dc_trend_view_get_n_buckets (DcTrendView *self,
                             gint64       key)
{
  Series *s;

  g_return_val_if_fail (DC_IS_TREND_VIEW (self), 0);

  s = find_series (self, key);
  return s ? s->buckets->len : 0;
}

void
dc_trend_view_add_sample (DcTrendView *self,
                          gint64       key,
                          gint64       time,
                          double       value)
{
  Series *s;
  DcTrendBucket *last;
  gint64 width;

  g_return_if_fail (DC_IS_TREND_VIEW (self));

  s = find_series (self, key);
  if (s == NULL || !isfinite (value))
    return;

  width = MAX (self->span / MAX (1, dc_trend_view_get_wanted_buckets (self)), G_USEC_PER_SEC);
  last = s->buckets->len ? &g_array_index (s->buckets, DcTrendBucket, s->buckets->len - 1) : NULL;
  if (last != NULL && time >= last->start && time < last->end)
    {
      last->avg = (last->avg * last->count + value) / (last->count + 1);
      last->count++;
      last->min = MIN (last->min, value);
      last->max = MAX (last->max, value);
      last->last = value;
    }
  else if (last == NULL || time >= last->end)
    {
      DcTrendBucket b = { 0, };

      b.start = last && time - last->end < width ? last->end : time - time % width;
      b.end = b.start + width;
      while (b.end <= time)
        b.end += width;
      b.min = b.max = b.avg = b.last = value;
      b.count = 1;
      g_array_append_val (s->buckets, b);
    }
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
dc_trend_view_get_range (DcTrendView *self,
                         gint64      *from,
                         gint64      *to)
{
  g_return_if_fail (DC_IS_TREND_VIEW (self));

  _dc_trend_view_range (self, from, to);
}

gint64
dc_trend_view_get_span (DcTrendView *self)
{
  g_return_val_if_fail (DC_IS_TREND_VIEW (self), 0);
  return self->span;
}

void
dc_trend_view_set_span (DcTrendView *self,
                        gint64       span_us)
{
  g_return_if_fail (DC_IS_TREND_VIEW (self));

  span_us = CLAMP (span_us, MIN_SPAN, MAX_SPAN);
  if (self->span == span_us)
    return;
  self->span = span_us;
  queue_range_changed (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SPAN]);
}

void
dc_trend_view_set_end (DcTrendView *self,
                       gint64       end_us)
{
  g_return_if_fail (DC_IS_TREND_VIEW (self));

  if (self->end == end_us)
    return;
  self->end = end_us;
  queue_range_changed (self);
}

void
dc_trend_view_set_range (DcTrendView *self,
                         gint64       from,
                         gint64       to)
{
  g_return_if_fail (DC_IS_TREND_VIEW (self));
  g_return_if_fail (from < to);

  dc_trend_view_set_follow (self, FALSE);
  dc_trend_view_set_span (self, to - from);
  /* A span beyond the limits is clamped: the range keeps its end. */
  dc_trend_view_set_end (self, to);
}

gboolean
dc_trend_view_get_follow (DcTrendView *self)
{
  g_return_val_if_fail (DC_IS_TREND_VIEW (self), FALSE);
  return self->follow;
}

void
dc_trend_view_set_follow (DcTrendView *self,
                          gboolean     follow)
{
  g_return_if_fail (DC_IS_TREND_VIEW (self));

  follow = !!follow;
  if (self->follow == follow)
    return;
  self->follow = follow;
  if (follow)
    {
      self->end = g_get_real_time ();
      queue_range_changed (self);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FOLLOW]);
}

void
dc_trend_view_zoom (DcTrendView *self,
                    double       factor)
{
  gint64 center;
  gint64 span;

  g_return_if_fail (DC_IS_TREND_VIEW (self));

  span = CLAMP ((gint64) (self->span * factor), MIN_SPAN, MAX_SPAN);
  if (!self->follow)
    {
      /* Zoom around the middle of the view. */
      center = self->end - self->span / 2;
      self->end = center + span / 2;
    }
  dc_trend_view_set_span (self, span);
}

void
dc_trend_view_pan (DcTrendView *self,
                   double       fraction)
{
  g_return_if_fail (DC_IS_TREND_VIEW (self));

  dc_trend_view_set_follow (self, FALSE);
  dc_trend_view_set_end (self, self->end + (gint64) (fraction * self->span));
}

guint
dc_trend_view_get_wanted_buckets (DcTrendView *self)
{
  double left, right;
  int width;

  g_return_val_if_fail (DC_IS_TREND_VIEW (self), 0);

  /* About one bucket per two pixels. */
  _dc_trend_view_margins (self, &left, &right);
  width = gtk_widget_get_width (GTK_WIDGET (self)) - (int) (left + right);
  return CLAMP (width / 2, 50, 1000);
}

char *
dc_trend_view_to_csv (DcTrendView *self)
{
  GString *csv;
  gint64 from, to;

  g_return_val_if_fail (DC_IS_TREND_VIEW (self), NULL);

  dc_trend_view_get_range (self, &from, &to);
  csv = g_string_new ("time,point,min,max,avg,count\n");
  for (guint i = 0; i < self->series->len; i++)
    {
      Series *s = g_ptr_array_index (self->series, i);

      for (guint j = 0; j < s->buckets->len; j++)
        {
          const DcTrendBucket *b = &g_array_index (s->buckets, DcTrendBucket, j);
          g_autoptr(GDateTime) second = NULL;
          g_autoptr(GDateTime) dt = NULL;
          g_autofree char *time = NULL;
          char min[DC_NUMBER_BUF_SIZE], max[DC_NUMBER_BUF_SIZE];
          char avg[DC_NUMBER_BUF_SIZE];
          g_autofree char *label = NULL;

          if (b->end <= from || b->start >= to || b->count == 0)
            continue;
          second = g_date_time_new_from_unix_utc (b->start / G_USEC_PER_SEC);
          dt = g_date_time_add (second, b->start % G_USEC_PER_SEC);
          time = g_date_time_format (dt, "%Y-%m-%dT%H:%M:%S.%fZ");
          /* Quote the label: names may contain commas. */
          label = g_strdup (s->label ? s->label : "");
          g_string_append_printf (csv, "%s,\"%s\",%s,%s,%s,%u\n", time,
                                  g_strdelimit (label, "\"", '\''),
                                  dc_number_format_buf (min, sizeof min, b->min, -1),
                                  dc_number_format_buf (max, sizeof max, b->max, -1),
                                  dc_number_format_buf (avg, sizeof avg, b->avg, -1),
                                  b->count);
        }
    }
  return g_string_free (csv, FALSE);
}
