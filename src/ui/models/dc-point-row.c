/* dc-point-row.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-point-row"

#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n.h>

#include "dc-point-row.h"
#include "dc-number.h"
#include "dc-quality.h"
#include "dc-states.h"

struct _DcPointRow
{
  GObject  parent_instance;

  gint64   key;
  char    *device_id;
  char    *term_id;
  char    *item_id;
  char    *point_id;
  char    *name;
  char    *address;
  char    *unit;
  char    *value_text;
  char    *time_text;
  char    *quality_text;
  char    *alarm_priority;   /* highest active alarm ("low" … "critical"), NULL: none */

  double   value;
  gint64   time;
  guint32  quality;
  guint    has_value : 1;

  DcPointKind kind;
  int         decimals;   /* docs/model.md `decimals`; -1: as many as needed */
  JsonObject *states;     /* docs/model.md `states`; NULL: the kind's defaults */

  double   coefficient;
  double   base_val;
  double   down_limit;
  double   up_limit;
};

enum {
  PROP_0,
  PROP_KEY,
  PROP_DEVICE_ID,
  PROP_TERM_ID,
  PROP_ITEM_ID,
  PROP_NAME,
  PROP_ADDRESS,
  PROP_UNIT,
  PROP_VALUE,
  PROP_VALUE_TEXT,
  PROP_QUALITY,
  PROP_QUALITY_TEXT,
  PROP_QUALITY_ICON,
  PROP_TIME,
  PROP_TIME_TEXT,
  PROP_DIMMED,
  PROP_VALUE_CLASSES,
  PROP_ALARM_PRIORITY,
  N_PROPS
};

G_DEFINE_FINAL_TYPE (DcPointRow, dc_point_row, G_TYPE_OBJECT)

static GParamSpec *properties[N_PROPS];

/* The identity and configuration strings (ids, name, address, unit) are GRefStrings: a bulk
 * load gives the rows of one device, term or item the same string with a reference each
 * instead of a copy each (docs/performance.md, "The point table's first frame"). */
static char *
ref_string_new (const char *str)
{
  return str != NULL ? g_ref_string_new (str) : NULL;
}

static char *
ref_string_acquire (char *str)
{
  return str != NULL ? g_ref_string_acquire (str) : NULL;
}

static void
ref_string_clear (char **str)
{
  if (*str != NULL)
    g_ref_string_release (g_steal_pointer (str));
}

static char *
point_id_new (const char *term_id,
              const char *item_id)
{
  char buf[256];
  gsize lt = term_id != NULL ? strlen (term_id) : 0;
  gsize li = item_id != NULL ? strlen (item_id) : 0;
  g_autofree char *joined = NULL;

  if (lt + li + 2 > sizeof buf)
    return g_ref_string_new ((joined = g_strconcat (term_id, ":", item_id, NULL)));
  memcpy (buf, term_id != NULL ? term_id : "", lt);
  buf[lt] = ':';
  memcpy (buf + lt + 1, item_id != NULL ? item_id : "", li);
  return g_ref_string_new_len (buf, (gssize) (lt + li + 1));
}

static DcProtocolValueKind
value_kind (DcPointKind kind)
{
  switch (kind)
    {
    case DC_POINT_KIND_SINGLE:
      return DC_PROTOCOL_VALUE_SINGLE;
    case DC_POINT_KIND_DOUBLE:
      return DC_PROTOCOL_VALUE_DOUBLE;
    case DC_POINT_KIND_ANALOG:
    default:
      return DC_PROTOCOL_VALUE_ANALOG;
    }
}

/* A state in words (the point's `states`, else the kind's defaults), else the number with
 * the point's decimals and unit: docs/model.md "State texts" and "Numbers in texts". */
static char *
format_number (DcPointRow *self,
               double      value,
               char       *buf,
               gsize       size)
{
  char *state = dc_states_text (self->states, value_kind (self->kind), value);

  if (state != NULL)
    return state;
  /* A state nobody named is shown as its number (a double point's 3 without texts …). */
  dc_number_format_buf (buf, size, value, self->decimals);
  return NULL;
}

static char *
format_value (DcPointRow *self)
{
  char buf[DC_NUMBER_BUF_SIZE];
  char *state;

  if (!self->has_value)
    return g_strdup ("—");
  if (!isfinite (self->value))
    return g_strdup (_("no value"));

  state = format_number (self, self->value, buf, sizeof buf);
  if (state != NULL)
    return state;

  /* A limit violation is marked in the text (an arrow), not by colour alone. */
  {
    const char *mark = "";

    if (self->kind != DC_POINT_KIND_ANALOG)
      mark = "";
    else if (isfinite (self->up_limit) && self->value > self->up_limit)
      mark = " ▲";
    else if (isfinite (self->down_limit) && self->value < self->down_limit)
      mark = " ▼";

    if (self->unit != NULL && self->unit[0] != '\0')
      return g_strdup_printf ("%s %s%s", buf, self->unit, mark);
    return g_strdup_printf ("%s%s", buf, mark);
  }
}

static char *
format_time (gint64 time_us)
{
  g_autoptr(GDateTime) dt = NULL;
  g_autoptr(GDateTime) now = NULL;

  if (time_us == 0)
    return g_strdup ("");

  dt = g_date_time_new_from_unix_local (time_us / G_USEC_PER_SEC);
  if (dt == NULL)
    return g_strdup ("");
  now = g_date_time_new_now_local ();
  if (g_date_time_get_year (dt) == g_date_time_get_year (now) &&
      g_date_time_get_day_of_year (dt) == g_date_time_get_day_of_year (now))
    return g_date_time_format (dt, "%H:%M:%S");
  return g_date_time_format (dt, "%Y-%m-%d %H:%M:%S");
}

static void
dc_point_row_finalize (GObject *object)
{
  DcPointRow *self = DC_POINT_ROW (object);

  ref_string_clear (&self->device_id);
  ref_string_clear (&self->term_id);
  ref_string_clear (&self->item_id);
  ref_string_clear (&self->point_id);
  ref_string_clear (&self->name);
  ref_string_clear (&self->address);
  ref_string_clear (&self->unit);
  g_free (self->value_text);
  g_free (self->time_text);
  g_free (self->quality_text);
  g_free (self->alarm_priority);
  g_clear_pointer (&self->states, json_object_unref);

  G_OBJECT_CLASS (dc_point_row_parent_class)->finalize (object);
}

static void
dc_point_row_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  DcPointRow *self = DC_POINT_ROW (object);

  switch (prop_id)
    {
    case PROP_KEY:
      g_value_set_int64 (value, self->key);
      break;
    case PROP_DEVICE_ID:
      g_value_set_string (value, self->device_id);
      break;
    case PROP_TERM_ID:
      g_value_set_string (value, self->term_id);
      break;
    case PROP_ITEM_ID:
      g_value_set_string (value, self->item_id);
      break;
    case PROP_NAME:
      g_value_set_string (value, dc_point_row_get_name (self));
      break;
    case PROP_ADDRESS:
      g_value_set_string (value, self->address);
      break;
    case PROP_UNIT:
      g_value_set_string (value, self->unit);
      break;
    case PROP_VALUE:
      g_value_set_double (value, self->has_value ? self->value : -G_MAXDOUBLE);
      break;
    case PROP_VALUE_TEXT:
      g_value_set_string (value, dc_point_row_get_value_text (self));
      break;
    case PROP_QUALITY:
      g_value_set_uint (value, self->quality);
      break;
    case PROP_QUALITY_TEXT:
      if (self->quality_text == NULL)
        self->quality_text = !self->has_value ? g_strdup ("")
                           : self->quality == 0 ? g_strdup (_("good"))
                           : dc_quality_to_text (self->quality);
      g_value_set_string (value, self->quality_text);
      break;
    case PROP_QUALITY_ICON:
      if (!self->has_value)
        g_value_set_string (value, NULL);
      else if (self->quality == 0)
        g_value_set_string (value, "emblem-ok-symbolic");
      else
        g_value_set_string (value, dc_quality_icon_name (self->quality));
      break;
    case PROP_VALUE_CLASSES:
      {
        static const char *normal[] = { "value", NULL };
        static const char *dimmed[] = { "value", "dim-label", NULL };

        g_value_set_boxed (value, (!self->has_value || dc_quality_is_bad (self->quality))
                                  ? dimmed : normal);
      }
      break;
    case PROP_TIME:
      g_value_set_int64 (value, self->time);
      break;
    case PROP_ALARM_PRIORITY:
      g_value_set_string (value, self->alarm_priority);
      break;
    case PROP_TIME_TEXT:
      g_value_set_string (value, dc_point_row_get_time_text (self));
      break;
    case PROP_DIMMED:
      g_value_set_boolean (value, !self->has_value || dc_quality_is_bad (self->quality));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dc_point_row_class_init (DcPointRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = dc_point_row_finalize;
  object_class->get_property = dc_point_row_get_property;

  properties[PROP_KEY] =
    g_param_spec_int64 ("key", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_DEVICE_ID] =
    g_param_spec_string ("device-id", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_TERM_ID] =
    g_param_spec_string ("term-id", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_ITEM_ID] =
    g_param_spec_string ("item-id", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_ADDRESS] =
    g_param_spec_string ("address", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_UNIT] =
    g_param_spec_string ("unit", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /* For sorting: a point without a value sorts first. */
  properties[PROP_VALUE] =
    g_param_spec_double ("value", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_VALUE_TEXT] =
    g_param_spec_string ("value-text", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_QUALITY] =
    g_param_spec_uint ("quality", NULL, NULL, 0, G_MAXUINT32, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_QUALITY_TEXT] =
    g_param_spec_string ("quality-text", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_QUALITY_ICON] =
    g_param_spec_string ("quality-icon", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_TIME] =
    g_param_spec_int64 ("time", NULL, NULL, G_MININT64, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_TIME_TEXT] =
    g_param_spec_string ("time-text", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_DIMMED] =
    g_param_spec_boolean ("dimmed", NULL, NULL, TRUE, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  properties[PROP_VALUE_CLASSES] =
    g_param_spec_boxed ("value-classes", NULL, NULL, G_TYPE_STRV,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_ALARM_PRIORITY] =
    g_param_spec_string ("alarm-priority", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
dc_point_row_init (DcPointRow *self)
{
  self->coefficient = 1;
  self->down_limit = NAN;
  self->up_limit = NAN;
}

DcPointRow *
dc_point_row_new (gint64      key,
                  const char *device_id,
                  const char *term_id,
                  const char *item_id)
{
  DcPointRow *self = g_object_new (DC_TYPE_POINT_ROW, NULL);

  self->key = key;
  self->device_id = ref_string_new (device_id);
  self->term_id = ref_string_new (term_id);
  self->item_id = ref_string_new (item_id);
  self->decimals = -1;

  return self;
}

DcPointRow *
dc_point_row_new_full (gint64       key,
                       const char  *device_id,
                       const char  *term_id,
                       const char  *item_id,
                       const char  *name,
                       const char  *address,
                       const char  *unit,
                       DcPointKind  kind,
                       double       coefficient,
                       double       base_val,
                       double       down_limit,
                       double       up_limit)
{
  DcPointRow *self = dc_point_row_new (key, device_id, term_id, item_id);

  self->name = ref_string_new (name);
  self->address = ref_string_new (address);
  self->unit = ref_string_new (unit);
  self->kind = kind;
  self->coefficient = coefficient;
  self->base_val = base_val;
  self->down_limit = down_limit;
  self->up_limit = up_limit;

  return self;
}

DcPointRow *
dc_point_row_new_shared (gint64       key,
                         char        *device_id,
                         char        *term_id,
                         char        *item_id,
                         char        *name,
                         char        *address,
                         char        *unit,
                         DcPointKind  kind,
                         double       coefficient,
                         double       base_val,
                         double       down_limit,
                         double       up_limit)
{
  DcPointRow *self = g_object_new (DC_TYPE_POINT_ROW, NULL);

  self->key = key;
  self->device_id = ref_string_acquire (device_id);
  self->term_id = ref_string_acquire (term_id);
  self->item_id = ref_string_acquire (item_id);
  self->decimals = -1;
  self->name = ref_string_acquire (name);
  self->address = ref_string_acquire (address);
  self->unit = ref_string_acquire (unit);
  self->kind = kind;
  self->coefficient = coefficient;
  self->base_val = base_val;
  self->down_limit = down_limit;
  self->up_limit = up_limit;

  return self;
}

gint64
dc_point_row_get_key (DcPointRow *self)
{
  g_return_val_if_fail (DC_IS_POINT_ROW (self), 0);
  return self->key;
}

const char *
dc_point_row_get_device_id (DcPointRow *self)
{
  g_return_val_if_fail (DC_IS_POINT_ROW (self), NULL);
  return self->device_id;
}

const char *
dc_point_row_get_term_id (DcPointRow *self)
{
  g_return_val_if_fail (DC_IS_POINT_ROW (self), NULL);
  return self->term_id;
}

const char *
dc_point_row_get_item_id (DcPointRow *self)
{
  g_return_val_if_fail (DC_IS_POINT_ROW (self), NULL);
  return self->item_id;
}

const gint64 *
dc_point_row_peek_key (DcPointRow *self)
{
  g_return_val_if_fail (DC_IS_POINT_ROW (self), NULL);
  return &self->key;
}

const char *
dc_point_row_get_point_id (DcPointRow *self)
{
  g_return_val_if_fail (DC_IS_POINT_ROW (self), NULL);
  /* Made when first asked (the plant model's id index is built on its first use). */
  if (self->point_id == NULL)
    self->point_id = point_id_new (self->term_id, self->item_id);
  return self->point_id;
}

static void
set_string_prop (DcPointRow  *self,
                 char       **field,
                 const char  *value,
                 int          prop)
{
  if (g_strcmp0 (*field, value) == 0)
    return;
  ref_string_clear (field);
  *field = ref_string_new (value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

void
dc_point_row_set_ids (DcPointRow *self,
                      const char *device_id,
                      const char *term_id,
                      const char *item_id)
{
  g_return_if_fail (DC_IS_POINT_ROW (self));

  g_object_freeze_notify (G_OBJECT (self));
  set_string_prop (self, &self->device_id, device_id, PROP_DEVICE_ID);
  set_string_prop (self, &self->term_id, term_id, PROP_TERM_ID);
  if (g_strcmp0 (self->item_id, item_id) != 0)
    {
      set_string_prop (self, &self->item_id, item_id, PROP_ITEM_ID);
      if (self->name == NULL || self->name[0] == '\0')
        g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NAME]);
    }
  /* Kept when only the device changes: the plant model's id index borrows it. */
  if (self->point_id != NULL)
    {
      char *point_id = point_id_new (self->term_id, self->item_id);

      if (strcmp (self->point_id, point_id) != 0)
        {
          ref_string_clear (&self->point_id);
          self->point_id = g_steal_pointer (&point_id);
        }
      ref_string_clear (&point_id);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

const char *
dc_point_row_get_name (DcPointRow *self)
{
  g_return_val_if_fail (DC_IS_POINT_ROW (self), NULL);
  return self->name != NULL && self->name[0] != '\0' ? self->name : self->item_id;
}

void
dc_point_row_set_name (DcPointRow *self,
                       const char *name)
{
  g_return_if_fail (DC_IS_POINT_ROW (self));
  set_string_prop (self, &self->name, name, PROP_NAME);
}

const char *
dc_point_row_get_address (DcPointRow *self)
{
  g_return_val_if_fail (DC_IS_POINT_ROW (self), NULL);
  return self->address;
}

void
dc_point_row_set_address (DcPointRow *self,
                          const char *address)
{
  g_return_if_fail (DC_IS_POINT_ROW (self));
  set_string_prop (self, &self->address, address, PROP_ADDRESS);
}

const char *
dc_point_row_get_unit (DcPointRow *self)
{
  g_return_val_if_fail (DC_IS_POINT_ROW (self), NULL);
  return self->unit;
}

void
dc_point_row_set_unit (DcPointRow *self,
                       const char *unit)
{
  g_return_if_fail (DC_IS_POINT_ROW (self));
  if (g_strcmp0 (self->unit, unit) == 0)
    return;
  set_string_prop (self, &self->unit, unit, PROP_UNIT);
  g_clear_pointer (&self->value_text, g_free);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VALUE_TEXT]);
}

void
dc_point_row_set_limits (DcPointRow *self,
                         double      down_limit,
                         double      up_limit)
{
  g_return_if_fail (DC_IS_POINT_ROW (self));
  if (self->down_limit == down_limit && self->up_limit == up_limit)
    return;
  self->down_limit = down_limit;
  self->up_limit = up_limit;
  g_clear_pointer (&self->value_text, g_free);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VALUE_TEXT]);
}

int
dc_point_row_get_limit_state (DcPointRow *self)
{
  g_return_val_if_fail (DC_IS_POINT_ROW (self), 0);

  if (!self->has_value || self->kind != DC_POINT_KIND_ANALOG || !isfinite (self->value))
    return 0;
  if (isfinite (self->up_limit) && self->value > self->up_limit)
    return 1;
  if (isfinite (self->down_limit) && self->value < self->down_limit)
    return -1;
  return 0;
}

void
dc_point_row_get_limits (DcPointRow *self,
                         double     *down_limit,
                         double     *up_limit)
{
  g_return_if_fail (DC_IS_POINT_ROW (self));
  *down_limit = self->down_limit;
  *up_limit = self->up_limit;
}

void
dc_point_row_set_kind (DcPointRow  *self,
                       DcPointKind  kind)
{
  g_return_if_fail (DC_IS_POINT_ROW (self));

  if (self->kind == kind)
    return;
  self->kind = kind;
  g_clear_pointer (&self->value_text, g_free);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VALUE_TEXT]);
}

void
dc_point_row_set_presentation (DcPointRow *self,
                               int         decimals,
                               JsonObject *states)
{
  g_return_if_fail (DC_IS_POINT_ROW (self));

  if (decimals < 0)
    decimals = -1;
  if (self->decimals == decimals && self->states == NULL && states == NULL)
    return;
  self->decimals = decimals;
  if (states != NULL)
    json_object_ref (states);
  g_clear_pointer (&self->states, json_object_unref);
  self->states = states;
  g_clear_pointer (&self->value_text, g_free);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VALUE_TEXT]);
}

char *
dc_point_row_format_value (DcPointRow *self,
                           double      value)
{
  char buf[DC_NUMBER_BUF_SIZE];
  char *state;

  g_return_val_if_fail (DC_IS_POINT_ROW (self), NULL);

  if (!isfinite (value))
    return g_strdup (_("no value"));
  state = format_number (self, value, buf, sizeof buf);
  if (state != NULL)
    return state;
  if (self->unit != NULL && self->unit[0] != '\0')
    return g_strdup_printf ("%s %s", buf, self->unit);
  return g_strdup (buf);
}

gboolean
dc_point_row_is_state (DcPointRow *self)
{
  g_return_val_if_fail (DC_IS_POINT_ROW (self), FALSE);
  return self->kind != DC_POINT_KIND_ANALOG || self->states != NULL;
}

JsonObject *
dc_point_row_get_states (DcPointRow *self)
{
  g_return_val_if_fail (DC_IS_POINT_ROW (self), NULL);
  return self->states;
}

void
dc_point_row_set_scaling (DcPointRow *self,
                          double      coefficient,
                          double      base_val)
{
  g_return_if_fail (DC_IS_POINT_ROW (self));
  self->coefficient = coefficient;
  self->base_val = base_val;
}

void
dc_point_row_get_scaling (DcPointRow *self,
                          double     *coefficient,
                          double     *base_val)
{
  g_return_if_fail (DC_IS_POINT_ROW (self));
  *coefficient = self->coefficient;
  *base_val = self->base_val;
}

void
dc_point_row_set_sample (DcPointRow     *self,
                         const DcSample *sample)
{
  gboolean value_changed;
  gboolean quality_changed;
  gboolean time_changed;
  gboolean was_dimmed;

  g_return_if_fail (DC_IS_POINT_ROW (self));
  g_return_if_fail (sample != NULL);

  was_dimmed = !self->has_value || dc_quality_is_bad (self->quality);
  value_changed = !self->has_value ||
                  memcmp (&self->value, &sample->value, sizeof (double)) != 0;
  quality_changed = !self->has_value || self->quality != sample->quality;
  time_changed = !self->has_value || self->time != sample->time;

  self->has_value = TRUE;
  self->value = sample->value;
  self->quality = sample->quality;
  self->time = sample->time;

  g_object_freeze_notify (G_OBJECT (self));
  if (value_changed)
    {
      g_clear_pointer (&self->value_text, g_free);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VALUE]);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VALUE_TEXT]);
    }
  if (quality_changed)
    {
      g_clear_pointer (&self->quality_text, g_free);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_QUALITY]);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_QUALITY_TEXT]);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_QUALITY_ICON]);
    }
  if (time_changed)
    {
      g_clear_pointer (&self->time_text, g_free);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TIME]);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TIME_TEXT]);
    }
  if (was_dimmed != dc_quality_is_bad (self->quality))
    {
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DIMMED]);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VALUE_CLASSES]);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

gboolean
dc_point_row_has_value (DcPointRow *self)
{
  g_return_val_if_fail (DC_IS_POINT_ROW (self), FALSE);
  return self->has_value;
}

double
dc_point_row_get_value (DcPointRow *self)
{
  g_return_val_if_fail (DC_IS_POINT_ROW (self), NAN);
  return self->has_value ? self->value : NAN;
}

guint32
dc_point_row_get_quality (DcPointRow *self)
{
  g_return_val_if_fail (DC_IS_POINT_ROW (self), 0);
  return self->quality;
}

gint64
dc_point_row_get_time (DcPointRow *self)
{
  g_return_val_if_fail (DC_IS_POINT_ROW (self), 0);
  return self->time;
}

const char *
dc_point_row_get_value_text (DcPointRow *self)
{
  g_return_val_if_fail (DC_IS_POINT_ROW (self), NULL);
  if (self->value_text == NULL)
    self->value_text = format_value (self);
  return self->value_text;
}

const char *
dc_point_row_get_time_text (DcPointRow *self)
{
  g_return_val_if_fail (DC_IS_POINT_ROW (self), NULL);
  if (self->time_text == NULL)
    self->time_text = format_time (self->has_value ? self->time : 0);
  return self->time_text;
}

char *
dc_point_row_format_age (DcPointRow *self,
                         gint64      now_us)
{
  double age;

  g_return_val_if_fail (DC_IS_POINT_ROW (self), NULL);

  if (!self->has_value)
    return g_strdup ("");

  age = (double) (now_us - self->time) / G_USEC_PER_SEC;
  if (age < 0)
    age = 0;
  if (age < 10)
    /* Translators: an age in seconds with one decimal, e.g. "0.4 s". */
    return g_strdup_printf (_("%.1f s"), age);
  if (age < 120)
    return g_strdup_printf (_("%.0f s"), age);
  if (age < 120 * 60)
    return g_strdup_printf (_("%.0f min"), age / 60);
  if (age < 48 * 3600)
    return g_strdup_printf (_("%.0f h"), age / 3600);
  return g_strdup_printf (_("%.0f d"), age / 86400);
}

/* Set by the Alarms page: the highest priority of the point's active alarms, or NULL. */
void
dc_point_row_set_alarm_priority (DcPointRow *self,
                                 const char *priority)
{
  g_return_if_fail (DC_IS_POINT_ROW (self));

  if (g_strcmp0 (self->alarm_priority, priority) == 0)
    return;
  g_free (self->alarm_priority);
  self->alarm_priority = g_strdup (priority);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ALARM_PRIORITY]);
}

const char *
dc_point_row_get_alarm_priority (DcPointRow *self)
{
  g_return_val_if_fail (DC_IS_POINT_ROW (self), NULL);
  return self->alarm_priority;
}
