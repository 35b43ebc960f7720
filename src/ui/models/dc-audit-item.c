/* dc-audit-item.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-audit-item"

#include "config.h"

#include "dc-audit-item.h"

struct _DcAuditItem
{
  GObject     parent_instance;

  DcAuditRow *row;
  char       *time_text;
  char       *words;
};

enum {
  PROP_0,
  PROP_TIME_TEXT,
  PROP_USER,
  PROP_ROLE,
  PROP_SOURCE,
  PROP_ACTION,
  PROP_TARGET,
  PROP_RESULT,
  PROP_WORDS,
  PROP_OK,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (DcAuditItem, dc_audit_item, G_TYPE_OBJECT)

static void
dc_audit_item_finalize (GObject *object)
{
  DcAuditItem *self = DC_AUDIT_ITEM (object);

  g_clear_pointer (&self->row, dc_audit_row_free);
  g_free (self->time_text);
  g_free (self->words);

  G_OBJECT_CLASS (dc_audit_item_parent_class)->finalize (object);
}

static void
dc_audit_item_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  DcAuditItem *self = DC_AUDIT_ITEM (object);

  switch (prop_id)
    {
    case PROP_TIME_TEXT:
      g_value_set_string (value, self->time_text);
      break;
    case PROP_USER:
      g_value_set_string (value, self->row->user);
      break;
    case PROP_ROLE:
      g_value_set_string (value, self->row->role[0] != '\0' ? self->row->role : "—");
      break;
    case PROP_SOURCE:
      g_value_set_string (value, self->row->source);
      break;
    case PROP_ACTION:
      g_value_set_string (value, self->row->action);
      break;
    case PROP_TARGET:
      g_value_set_string (value, self->row->target);
      break;
    case PROP_RESULT:
      g_value_set_string (value, self->row->result);
      break;
    case PROP_WORDS:
      g_value_set_string (value, self->words);
      break;
    case PROP_OK:
      g_value_set_boolean (value, g_str_equal (self->row->result, "ok"));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dc_audit_item_class_init (DcAuditItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const char *names[] = { NULL, "time-text", "user", "role", "source", "action", "target",
                          "result", "words" };

  object_class->finalize = dc_audit_item_finalize;
  object_class->get_property = dc_audit_item_get_property;

  for (guint i = PROP_TIME_TEXT; i <= PROP_WORDS; i++)
    properties[i] = g_param_spec_string (names[i], NULL, NULL, NULL,
                                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_OK] = g_param_spec_boolean ("ok", NULL, NULL, FALSE,
                                              G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
dc_audit_item_init (DcAuditItem *self)
{
}

DcAuditItem *
dc_audit_item_new (DcAuditRow   *row,
                   DcPlantModel *plant)
{
  DcAuditItem *self;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();

  g_return_val_if_fail (row != NULL, NULL);
  g_return_val_if_fail (plant == NULL || DC_IS_PLANT_MODEL (plant), NULL);

  self = g_object_new (DC_TYPE_AUDIT_ITEM, NULL);
  self->row = row;
  self->time_text = dc_audit_format_local_time (row->time, now);
  self->words = dc_audit_describe (row, plant);
  return self;
}

const DcAuditRow *
dc_audit_item_get_row (DcAuditItem *self)
{
  g_return_val_if_fail (DC_IS_AUDIT_ITEM (self), NULL);
  return self->row;
}

const char *
dc_audit_item_get_time_text (DcAuditItem *self)
{
  g_return_val_if_fail (DC_IS_AUDIT_ITEM (self), NULL);
  return self->time_text;
}

const char *
dc_audit_item_get_words (DcAuditItem *self)
{
  g_return_val_if_fail (DC_IS_AUDIT_ITEM (self), NULL);
  return self->words;
}
