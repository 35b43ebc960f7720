/* alarms-fixture.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include "dc-alarm.h"
#include "dc-alarms-page.h"
#include "dc-application.h"
#include "dc-engine.h"
#include "dc-history.h"
#include "dc-window.h"

G_BEGIN_DECLS

/* The Alarms page's tests (test-ui-alarms.c, test-ui-alarms-ack.c): the real window against a
 * real engine and alarm plugin (sqlite files in a temporary dir) and a virtual device "plant"
 * whose points have limits: temp (high 90 °C, high priority), level (low 10 %), cb (a breaker,
 * critical, alarms on 2 "closed"), amb (high 35 °C, low priority). */
typedef struct
{
  char          *dir;
  DcStore       *store;
  DcHistory     *history;
  DcEngine      *engine;
  DcAlarm       *alarm;
  DcApplication *app;
  DcWindow      *window;
  DcAlarmsPage  *page;
} Fx;

typedef struct
{
  Fx         *fx;
  const char *item_id;
  const char *condition;
  gint64      id;
} RowWait;

typedef struct
{
  Fx           *fx;
  gint64        id;
  DcAlarmState  state;
} StateWait;

Fx *fx_new (void);
void fx_free (Fx *fx);
gint64 key_of (Fx *fx, const char *item_id);
void push (Fx *fx, const char *item_id, double value);
const char *row_title (Fx *fx, gint64 id);
const char *row_subtitle (Fx *fx, gint64 id);
DcPointRow *point_row (Fx *fx, const char *item_id);
DcDeviceNode *plant_node (Fx *fx);
gboolean row_shown (gpointer data);
gboolean dialog_open (gpointer data);
gboolean state_is (gpointer data);
gboolean page_unacked_is (gpointer data);

G_END_DECLS
