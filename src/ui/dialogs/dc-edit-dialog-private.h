/* dc-edit-dialog-private.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <adwaita.h>

#include "dc-edit-dialog.h"
#include "dc-protocol.h"

G_BEGIN_DECLS

/* The edit dialog (dc-edit-dialog.c: the entity, saving, the store's messages) and its form
 * (dc-edit-dialog-form.c: the fields every protocol has and those of the protocol registry,
 * dc-protocol.h, read from and written to JSON). The form never calls back into
 * dc-edit-dialog.c (docs/ui.md). */

/* The fields every protocol has; the protocols' own fields come from the protocol registry
 * (dc-protocol.h) at the rows without a key. */
typedef DcProtocolField FieldSpec;
typedef DcProtocolOption Option;

#define F_TEXT   DC_PROTOCOL_FIELD_TEXT
#define F_INT    DC_PROTOCOL_FIELD_INT
#define F_NUMBER DC_PROTOCOL_FIELD_NUMBER
#define F_BOOL   DC_PROTOCOL_FIELD_BOOL
#define F_CHOICE DC_PROTOCOL_FIELD_CHOICE
#define FIELD(kind, key, label, type, options, hint) \
  { kind, key, label, type, options, hint, NULL, DC_PROTOCOL_PLACE_MAIN, FALSE }
/* A field preset in new entities (a switch also in edits: absent means @value). */
#define FIELD_PRESET(kind, key, label, type, options, hint, value) \
  { kind, key, label, type, options, hint, value, DC_PROTOCOL_PLACE_MAIN, FALSE }
#define PROTOCOL_FIELDS(kind, place) { kind, NULL, NULL, 0, NULL, NULL, NULL, place, FALSE }
/* The fields after it go into a new group with this title (NULL: none). */
#define GROUP(kind, title) { kind, NULL, title, 0, NULL, NULL, NULL, DC_PROTOCOL_PLACE_MAIN, TRUE }

typedef struct
{
  const FieldSpec *spec;           /* a protocol's field: the current protocol's */
  gboolean         from_protocol;
  AdwActionRow    *row;
  GtkWidget       *widget;
  AdwPreferencesGroup *group;      /* the group holding the row */
  char            *error;
} Field;

struct _DcEditDialog
{
  AdwWindow       parent_instance;

  AdwWindowTitle *window_title;
  GtkWidget      *form_box;
  GtkLabel       *error_label;

  DcPlantSource  *source;
  gboolean        create;      /* a new entity (not an edit or a duplicate): fields preset */
  DcKind          kind;
  char           *id;          /* edited entity; NULL when creating */
  char           *parent_id;
  char           *protocol;    /* of the device (points, terms) */
  GPtrArray      *fields;      /* Field */
  AdwPreferencesGroup *group;      /* the group rows are added to while building */
  GPtrArray      *groups;     /* AdwPreferencesGroup, shown when one of their rows is */
  char           *error;
  Option         *protocol_options;   /* the registered protocols */
  FieldSpec       protocol_spec;
};

/* The row's subtitle for @spec's hint: "Default: 1" for numbers, else the hint (translated). */
char         *dc_edit_form_hint             (const FieldSpec *spec);
void          dc_edit_form_field_free       (Field        *f);
Field        *dc_edit_form_find_field       (DcEditDialog *self,
                                             const char   *key);
/* The protocol the form shows: the device's choice, else the protocol of the term's device. */
const char   *dc_edit_form_current_protocol (DcEditDialog *self);
void          dc_edit_form_update_visibility (DcEditDialog *self);
void          dc_edit_form_set_text         (Field        *f,
                                             const char   *text);
/* A field's text (a choice's value); NULL when empty (a DcProtocolGetFunc). */
const char   *dc_edit_form_get_text         (const char   *key,
                                             gpointer      user_data);
void          dc_edit_form_fill             (DcEditDialog *self,
                                             JsonObject   *object);
JsonObject   *dc_edit_form_build_object     (DcEditDialog *self);
/* self->protocol from the device of a term (@is_term) or the device @term_or_device. */
void          dc_edit_form_load_protocol    (DcEditDialog *self,
                                             const char   *term_or_device,
                                             gboolean      is_term);
void          dc_edit_form_build            (DcEditDialog *self);

G_END_DECLS
