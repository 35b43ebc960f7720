/* ui-remote.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

/* The desk of the test-ui-remote* tests (docs/ui.md "The plant connection"): a separate
 * `datacoll --server` process polling a real Modbus simulator (datacoll-sim), and in this
 * process the workstation's window over the remote plant connection, as
 * `datacoll --connect URL` builds it. */

#include "dc-remote-source.h"
#include "dc-test-http.h"
#include "dc-test-server.h"
#include "dc-test-sim.h"
#include "dc-test-ui.h"
#include "dc-test-wait.h"

G_BEGIN_DECLS

#define N_POINTS 5

typedef struct
{
  char           *dir;
  char           *db;
  DcTestSim      *sim;
  DcTestServer   *server;
  guint           port;
  char           *token;   /* of the user who configures the plant, NULL on an open server */
  DcApplication  *app;
  DcWindow       *window;
  DcRemoteSource *source;
} Desk;

DcTestServer *start_server     (const char     *db,
                                guint           port);
/* POST @body to @path as @token (NULL: none); it must succeed. */
void          post             (const char     *base,
                                const char     *path,
                                const char     *body,
                                const char     *token);
/* POST /api/v1/login; the session token. */
char         *login_token      (const char     *base,
                                const char     *user,
                                const char     *password);
/* `datacoll user add NAME --role ROLE --db DB` with the password on standard input. */
void          add_user         (const char     *db,
                                const char     *name,
                                const char     *role,
                                const char     *password);
/* Device "m" (Modbus TCP on the simulator, 100 ms polls), term "t1", items r0…r4, points on
 * holding registers 0…4 with their history, configured as d->token. */
void          configure_plant  (Desk           *d);
/* A workstation application with its window over @source. */
DcWindow     *open_desk        (DcApplication **app,
                                DcRemoteSource *source);
void          close_desk       (DcApplication  *app,
                                DcWindow       *window);
/* The simulator and the server (with the users of @users, "name:role:password" each, NULL
 * for an open server; the first configures the plant); with @open_window the desk too. */
void          desk_start       (Desk           *d,
                                const char    **users,
                                gboolean        open_window);
/* desk_start() of an open server with the desk. */
void          desk_setup       (Desk           *d);
void          desk_teardown    (Desk           *d);
DcPlantModel *plant_of         (DcApplication  *app);
/* The value the server has for point r@i (GET /api/v1/values), -1 when none yet. */
double        server_value     (Desk           *d,
                                guint           i);
gboolean      row_has_value    (DcPlantModel   *plant,
                                const char     *item,
                                double          value);
void          wait_connected   (DcRemoteSource *source,
                                guint           n_connects);
/* A visible message dialog among the toplevels, into *(AdwMessageDialog **) @data. */
gboolean      find_dialog      (gpointer        data);
GtkWidget    *find_label       (GtkWidget      *widget,
                                const char     *text);
/* The state of alarm @id as @source has it ("" when unknown). */
const char   *alarm_state      (DcRemoteSource *source,
                                gint64          id);

G_END_DECLS
