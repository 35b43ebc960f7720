/* dc-local-source.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include "dc-alarm.h"
#include "dc-engine.h"
#include "dc-plant-source.h"
#include "dc-store.h"

G_BEGIN_DECLS

/* The plant connection to the engine of this process (docs/ui.md "The plant connection"):
 * the store's configuration and ::changed, the engine's live values, link states, history and
 * controls. Always connected; location "local", the desktop user's name. */
#define DC_TYPE_LOCAL_SOURCE (dc_local_source_get_type ())

G_DECLARE_FINAL_TYPE (DcLocalSource, dc_local_source, DC, LOCAL_SOURCE, GObject)

/* @engine may be NULL (configuration only: no live values, history or controls). */
DcLocalSource *dc_local_source_new        (DcStore       *store,
                                           DcEngine      *engine);
DcStore       *dc_local_source_get_store  (DcLocalSource *self);
/* The alarm plugin of this process (NULL: alarms are off). */
void           dc_local_source_set_alarm  (DcLocalSource *self,
                                           DcAlarm       *alarm);
DcAlarm       *dc_local_source_get_alarm  (DcLocalSource *self);
DcEngine      *dc_local_source_get_engine (DcLocalSource *self);

/* The engine of @source when it is local, else NULL: for the parts that do not go through
 * the plant connection yet (docs/ui.md lists them). */
DcEngine      *dc_plant_source_get_local_engine (DcPlantSource *source);
DcStore       *dc_plant_source_get_local_store  (DcPlantSource *source);

G_END_DECLS
