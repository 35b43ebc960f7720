/* dc-control-dialog.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <adwaita.h>

#include "dc-local-source.h"
#include "dc-plant-model.h"
#include "dc-point-row.h"

G_BEGIN_DECLS

/* The Control… dialog: the point, its current value (else its feedback point's), the value to send (typed from the point's
 * command type and range-checked), an explicit confirmation, then the steps live (select sent →
 * selected → execute sent → confirmed / terminated, or the device's rejection or the timeout)
 * and the recent controls of the control record.
 *
 * Signals:
 *   ::step (int DcCtrlStep, const char *detail)      a step reported by the driver
 *   ::finished (gboolean confirmed, const char *text) the control ended */
#define DC_TYPE_CONTROL_DIALOG (dc_control_dialog_get_type ())

G_DECLARE_FINAL_TYPE (DcControlDialog, dc_control_dialog, DC, CONTROL_DIALOG, AdwWindow)

/* Whether the point of @row can be controlled (a command type: IEC 104 45–51/58–64, Modbus
 * coils and holding registers, virtual points). */
gboolean         dc_control_is_possible          (DcPlantSource   *source,
                                                  DcPointRow      *row);
/* @plant (nullable) gives names and state texts to the recent controls. */
DcControlDialog *dc_control_dialog_new           (GtkWindow       *parent,
                                                  DcPlantSource   *source,
                                                  DcPlantModel    *plant,
                                                  DcPointRow      *row);
/* Tests and keyboard-free use: the value (a choice's value or the number), the confirmation. */
void             dc_control_dialog_set_value     (DcControlDialog *self,
                                                  double           value);
void             dc_control_dialog_set_confirmed (DcControlDialog *self,
                                                  gboolean         confirmed);
/* Sends (as the Send button does); FALSE when the value is refused (the message is shown
 * under the value and returned by get_value_error). */
gboolean         dc_control_dialog_send          (DcControlDialog *self);
const char      *dc_control_dialog_get_value_error (DcControlDialog *self);
/* The step texts shown so far, and the final text ("" while running). */
GPtrArray       *dc_control_dialog_get_steps     (DcControlDialog *self);
/* The choices offered (GtkStringObjects: "Open", "Closed"), NULL for a number; the current
 * value line ("closed · good · 14:02:11", from the feedback point when the command point has
 * no value: "closed · good · 14:02:11 — from F1 breaker"). */
GListModel      *dc_control_dialog_get_choices   (DcControlDialog *self);
const char      *dc_control_dialog_get_current   (DcControlDialog *self);
const char      *dc_control_dialog_get_result    (DcControlDialog *self);
gboolean         dc_control_dialog_is_done       (DcControlDialog *self);
guint            dc_control_dialog_get_n_recent  (DcControlDialog *self);

G_END_DECLS
