/* live-fixture.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

/* The live-data tests' fixture (tests/api/test-api-live-*.c), built once: a store with an
 * IEC 104 device served by a small test driver and N_POINTS virtual points, the engine's driver
 * manager, the live routes (dc-api-live) on a real server, and a WebSocket client on its own
 * thread and context. */

#include <libsoup/soup.h>

#include "dc-api-live.h"
#include "dc-engine-drivers.h"
#include "dc-server.h"
#include "dc-store.h"

#include "dc-test-http.h"
#include "dc-test-wait.h"

G_BEGIN_DECLS

#define WAIT_UNTIL(cond) DC_TEST_WAIT_UNTIL (cond, 60)

#define N_POINTS 2000

/* Fixture */

typedef struct
{
  DcSampleSink     sink;
  GHashTable      *live;      /* key → DcSample, main thread */
  DcStore         *store;
  DcServer        *server;
  DcEngineDrivers *drivers;
  DcApiLive       *api;
  char            *base;
  gint64          *keys;      /* N_POINTS virtual points, v:tv:p0 … */
} Fixture;

/* What the engine does per accepted batch: live table, then listeners. */
void        fixture_ingest       (Fixture        *fx,
                                  const DcSample *samples,
                                  guint           n_samples);
void        fixture_setup        (Fixture        *fx,
                                  gconstpointer   data);
void        fixture_teardown     (Fixture        *fx,
                                  gconstpointer   data);
/* The JSON node of @text, which must parse. */
JsonNode   *parse                (const char     *text);

/* Ingests the values @value + i for the points i = @first … @first + @n - 1, now. */
void        push_values          (Fixture        *fx,
                                  guint           first,
                                  guint           n,
                                  double          value);

/* A WebSocket client running on its own thread and context. */

typedef struct
{
  char                    *uri;
  GThread                 *thread;
  GMainContext            *context;
  GMutex                   lock;
  GCond                    cond;
  gboolean                 paused;
  gboolean                 quit;
  gboolean                 connected;
  gboolean                 closed;
  gboolean                 finished;
  char                    *send;      /* a text to send, taken by the thread */
  GPtrArray               *messages;  /* JsonNode; big ones reduced to {type, n} */
  GHashTable              *last;      /* item id → newest value seen */
  SoupWebsocketConnection *conn;
} WsClient;

WsClient   *ws_client_new        (Fixture        *fx);
/* A paused client stops reading its socket. */
void        ws_client_set_paused (WsClient       *client,
                                  gboolean        paused);
void        ws_client_send       (WsClient       *client,
                                  const char     *text);
/* Messages received so far. */
guint       ws_client_count      (WsClient       *client);
/* Borrowed; valid until the client is freed. */
JsonObject *ws_client_message    (WsClient       *client,
                                  guint           index);
const char *ws_client_type       (WsClient       *client,
                                  guint           index);
gboolean    ws_client_finished   (WsClient       *client);
gboolean    ws_client_connected  (WsClient       *client);
/* Closes the connection, waits for the thread, frees. */
void        ws_client_free       (WsClient       *client);
/* The index of the first message of @type at or after @from, or G_MAXUINT. */
guint       find_type            (WsClient       *client,
                                  guint           from,
                                  const char     *type);

/* Sets up the test program: protocols registered, libsoup's debug messages dropped. */
void        live_test_init       (void);

G_END_DECLS
