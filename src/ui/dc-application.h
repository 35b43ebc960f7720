/* dc-application.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <adwaita.h>

#include "dc-alarm.h"
#include "dc-engine.h"
#include "dc-plant-model.h"
#include "dc-plant-source.h"

G_BEGIN_DECLS

/* The workstation: one main window over a DcPlantModel. The process around it (main.c) owns
 * the store, engine and REST server and feeds the plant model; the application only shows it.
 *
 * ::open-demo is emitted by the empty state's "Open Demo Plant"; without a handler the
 * application starts `datacoll --demo --port 0` (its own database and a free REST port) as a
 * separate process and reports when that fails. */
#define DC_TYPE_APPLICATION (dc_application_get_type ())

G_DECLARE_FINAL_TYPE (DcApplication, dc_application, DC, APPLICATION, AdwApplication)

DcApplication *dc_application_new              (GApplicationFlags  flags);
DcPlantModel  *dc_application_get_plant        (DcApplication     *self);
/* The plant connection: attached to the plant model and given to the window (a new one
 * detaches the old one). */
void           dc_application_set_source       (DcApplication     *self,
                                                DcPlantSource     *source);
DcPlantSource *dc_application_get_source       (DcApplication     *self);
void           dc_application_set_rest_address (DcApplication     *self,
                                                const char        *address);
/* The alarm plugin the Alarms page shows (NULL: alarms are off). */
void           dc_application_set_alarm        (DcApplication     *self,
                                                DcAlarm           *alarm);
void           dc_application_set_config_path  (DcApplication     *self,
                                                const char        *path);
/* GSettings of the app, or NULL when the schema is not installed. */
GSettings     *dc_application_get_settings     (DcApplication     *self);
/* Shows an error as a toast in the main window. */
void           dc_application_report           (DcApplication     *self,
                                                const char        *message);

/* main.c, before the database is opened: registers the workstation on the session bus. When
 * @unique and another DataColl workstation already runs, that one is activated (its window
 * comes to the front) and TRUE is returned: this process should exit with 0. Otherwise the
 * registered application is kept for the run functions below. `datacoll --demo` is not
 * unique (the empty state's "Open Demo Plant" starts it next to a running workstation). */
gboolean       dc_application_activate_running (gboolean           unique);
/* A start error of the workstation (busy port, database in use, bad settings): shows
 * @message in a dialog until it is closed and returns the exit status 1. */
int            dc_application_run_start_error  (const char        *message);

/* Runs the workstation in this process on the default main context, next to the engine and
 * the REST server main.c set up: the window shows @store's plant, @engine's live values and
 * history, @alarm's alarms (may be NULL). @rest_uri ("http://127.0.0.1:8080/") is shown in
 * the header. @args: what is left of the command line (argv[0] and GApplication options).
 * Returns the exit status. */
int            dc_application_run_workstation  (DcStore           *store,
                                                DcEngine          *engine,
                                                DcAlarm           *alarm,
                                                const char        *rest_uri,
                                                const char        *config_file,
                                                char             **args);

/* The workstation on a DataColl server at @url (`datacoll --connect URL`, or `datacoll` next
 * to a running server): no engine in this process, everything through the remote plant
 * connection with @token (may be NULL; the login dialog asks when the server wants one).
 * Returns the exit status. */
int            dc_application_run_remote       (const char        *url,
                                                const char        *token,
                                                char             **args);

G_END_DECLS
