/* dc-demo.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-demo"

#include "config.h"

#include <math.h>

#include "dc-demo.h"
#include "dc-error.h"
#include "dc-iec104-sim.h"
#include "dc-io-pool.h"
#include "dc-modbus-server.h"

#define TICK_MS 500

/* Modbus addresses of the demo (0-based). Meter, unit 1: input registers. */
#define METER_UNIT      1
#define METER_U         0    /* ir:f32 L1, L2, L3 at 0, 2, 4 */
#define METER_I         6    /* ir:f32 L1, L2, L3 at 6, 8, 10 */
#define METER_P         12   /* ir:f32:cdab total kW */
#define METER_F         14   /* ir:f32 Hz */
#define METER_E         0    /* hr:u32 kWh */
/* PLC, unit 2. */
#define PLC_UNIT        2
#define PLC_LEVEL       0    /* hr:i16, 0.1 % */
#define PLC_SETPOINT    1    /* hr:u16, % */
#define PLC_RUNNING     0    /* co:bool */
#define PLC_COMMAND     1    /* co:bool, written by the operator */

struct _DcDemo
{
  GThread      *thread;
  GMainContext *context;
  GMainLoop    *loop;
  DcModbusSim  *modbus;
  DcIec104Sim  *iec104;
  GSource      *tick;
  GRand        *rand;
  GError       *start_error;

  /* Plant state, simulator thread only. */
  double        energy_kwh;
  double        level;
  gboolean      auto_running;
  gint64        last_tick;
};

char *
dc_demo_get_db_path (void)
{
  return g_build_filename (g_get_user_data_dir (), "datacoll", "demo", "datacoll.db", NULL);
}

/* The simulated plant */

static void
set_typed (DcDemo     *self,
           guint8      unit,
           const char *code_type,
           guint16     address,
           double      raw)
{
  DcModbusCodeType type;

  if (!dc_modbus_code_type_parse (code_type, &type, NULL))
    g_assert_not_reached ();
  dc_modbus_sim_set_typed (self->modbus, 0, unit, &type, address, raw);
}

/* 0.35 … 0.95 over the day, peaking in the early afternoon. */
static double
daily_load (void)
{
  g_autoptr(GDateTime) dt = g_date_time_new_now_local ();
  double hour = g_date_time_get_hour (dt) + g_date_time_get_minute (dt) / 60.0;

  return 0.65 + 0.3 * sin ((hour - 9.0) / 24.0 * 2 * G_PI);
}

static gboolean
tick_cb (gpointer data)
{
  DcDemo *self = data;
  gint64 now = g_get_monotonic_time ();
  double dt = self->last_tick != 0 ? (now - self->last_tick) / 1e6 : TICK_MS / 1000.0;
  double t = g_get_real_time () / 1e6;
  double load = daily_load ();
  double p_kw = 3500.0 * load * (1.0 + g_rand_double_range (self->rand, -0.02, 0.02));
  guint16 command = 0;
  guint16 setpoint = 70;
  gboolean running;

  self->last_tick = now;

  /* The main meter on the 10 kV side: phase voltages around 5.77 kV, slow drift and noise. */
  for (guint phase = 0; phase < 3; phase++)
    {
      double u = 5774.0 + 40.0 * sin (t / 600.0 + phase) + g_rand_double_range (self->rand, -3, 3);
      double i = p_kw * 1000.0 / (3.0 * u * 0.95) * (1.0 + 0.03 * (phase - 1.0));

      set_typed (self, METER_UNIT, "ir:f32", METER_U + 2 * phase, u);
      set_typed (self, METER_UNIT, "ir:f32", METER_I + 2 * phase, i);
    }
  set_typed (self, METER_UNIT, "ir:f32:cdab", METER_P, p_kw);
  set_typed (self, METER_UNIT, "ir:f32", METER_F,
             50.0 + 0.02 * sin (t / 97.0) + g_rand_double_range (self->rand, -0.004, 0.004));
  self->energy_kwh += p_kw * dt / 3600.0;
  set_typed (self, METER_UNIT, "hr:u32", METER_E, floor (self->energy_kwh));

  /* The pump station: the pump fills the tank, the town draws from it (more by day). The PLC
   * starts the pump 10 % below the set-point and stops it at the set-point; the operator's
   * command coil runs it regardless (and overfills the tank: the high alarm). */
  dc_modbus_sim_get_value (self->modbus, 0, PLC_UNIT, DC_MODBUS_TABLE_CO, PLC_COMMAND, &command);
  dc_modbus_sim_get_value (self->modbus, 0, PLC_UNIT, DC_MODBUS_TABLE_HR, PLC_SETPOINT, &setpoint);
  if (self->level < setpoint - 10.0)
    self->auto_running = TRUE;
  else if (self->level >= setpoint)
    self->auto_running = FALSE;
  running = command != 0 || self->auto_running;
  self->level += dt * ((running ? 0.9 : 0.0) - 0.35 * load);
  self->level = CLAMP (self->level, 0.0, 100.0);
  set_typed (self, PLC_UNIT, "hr:i16", PLC_LEVEL, round (self->level * 10.0));
  set_typed (self, PLC_UNIT, "co:bool", PLC_RUNNING, running ? 1 : 0);

  return G_SOURCE_CONTINUE;
}

/* The simulator thread */

static gboolean
start_sims_cb (gpointer data)
{
  DcDemo *self = data;
  static const guint8 units[] = { METER_UNIT, PLC_UNIT };
  DcModbusSimOptions options = { 0, };
  DcIec104SimConfig config;

  options.port = 0;
  options.n_ports = 1;
  options.units = units;
  options.n_units = G_N_ELEMENTS (units);
  options.n_registers = 100;
  self->modbus = dc_modbus_sim_start (&options, self->context, &self->start_error);
  if (self->modbus == NULL)
    return G_SOURCE_REMOVE;

  dc_iec104_sim_config_init (&config);
  config.port = 0;
  config.ca = 1;
  config.demo = TRUE;
  self->iec104 = dc_iec104_sim_new (&config, self->context, &self->start_error);
  if (self->iec104 == NULL)
    return G_SOURCE_REMOVE;

  set_typed (self, PLC_UNIT, "hr:u16", PLC_SETPOINT, 70);
  set_typed (self, PLC_UNIT, "co:bool", PLC_COMMAND, 0);
  tick_cb (self);
  self->tick = g_timeout_source_new (TICK_MS);
  g_source_set_callback (self->tick, tick_cb, self, NULL);
  g_source_set_static_name (self->tick, "[dc-demo-tick]");
  g_source_attach (self->tick, self->context);

  return G_SOURCE_REMOVE;
}

static gboolean
stop_sims_cb (gpointer data)
{
  DcDemo *self = data;

  if (self->tick != NULL)
    {
      g_source_destroy (self->tick);
      g_clear_pointer (&self->tick, g_source_unref);
    }
  g_clear_pointer (&self->modbus, dc_modbus_sim_stop);
  g_clear_pointer (&self->iec104, dc_iec104_sim_free);
  g_main_loop_quit (self->loop);

  return G_SOURCE_REMOVE;
}

static gpointer
demo_thread (gpointer data)
{
  DcDemo *self = data;

  g_main_context_push_thread_default (self->context);
  g_main_loop_run (self->loop);
  g_main_context_pop_thread_default (self->context);

  return NULL;
}

DcDemo *
dc_demo_start (GError **error)
{
  DcDemo *self = g_new0 (DcDemo, 1);

  self->rand = g_rand_new ();
  self->level = 62.0;
  self->energy_kwh = 1.25e6;
  self->context = g_main_context_new ();
  self->loop = g_main_loop_new (self->context, FALSE);
  self->thread = g_thread_new ("dc-demo", demo_thread, self);

  dc_io_invoke_sync (self->context, start_sims_cb, self);
  if (self->start_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&self->start_error));
      dc_demo_stop (self);
      return NULL;
    }

  g_debug ("demo simulators: Modbus TCP on port %u, IEC 104 on port %u",
           dc_demo_get_modbus_port (self), dc_demo_get_iec104_port (self));

  return self;
}

void
dc_demo_stop (DcDemo *self)
{
  if (self == NULL)
    return;

  dc_io_invoke_sync (self->context, stop_sims_cb, self);
  g_thread_join (self->thread);
  g_main_loop_unref (self->loop);
  g_main_context_unref (self->context);
  g_rand_free (self->rand);
  g_clear_error (&self->start_error);
  g_free (self);
}

guint16
dc_demo_get_modbus_port (DcDemo *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return dc_modbus_sim_get_port (self->modbus, 0);
}

guint16
dc_demo_get_iec104_port (DcDemo *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return dc_iec104_sim_get_port (self->iec104);
}

/* The configuration */

static gboolean
ensure (DcStore     *store,
        DcKind       kind,
        const char  *json,
        GError     **error)
{
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) local_error = NULL;

  node = json_from_string (json, &local_error);
  if (node == NULL)
    g_error ("demo plant JSON: %s: %s", local_error->message, json);

  if (dc_store_create (store, kind, json_node_get_object (node), &local_error))
    return TRUE;
  if (g_error_matches (local_error, DC_ERROR, DC_ERROR_EXISTS))
    return TRUE;

  g_propagate_prefixed_error (error, g_steal_pointer (&local_error), "demo plant: ");
  return FALSE;
}

typedef struct
{
  const char *id;
  const char *name;
  const char *unit;
} DemoItem;

static const DemoItem items[] = {
  { "f1_current", "F1 current", "A" }, { "f2_current", "F2 current", "A" },
  { "f3_current", "F3 current", "A" }, { "f1_power", "F1 active power", "kW" },
  { "f2_power", "F2 active power", "kW" }, { "f3_power", "F3 active power", "kW" },
  { "f1_breaker", "F1 breaker", "" }, { "f2_breaker", "F2 breaker", "" },
  { "f3_breaker", "F3 breaker", "" }, { "f1_breaker_cmd", "F1 breaker command", "" },
  { "f2_breaker_cmd", "F2 breaker command", "" }, { "f3_breaker_cmd", "F3 breaker command", "" },
  { "f1_energy", "F1 energy", "kWh" },
  { "f2_energy", "F2 energy", "kWh" }, { "f3_energy", "F3 energy", "kWh" },
  { "busbar_voltage", "Busbar voltage", "kV" },
  { "u_l1", "Voltage L1", "V" }, { "u_l2", "Voltage L2", "V" }, { "u_l3", "Voltage L3", "V" },
  { "i_l1", "Current L1", "A" }, { "i_l2", "Current L2", "A" }, { "i_l3", "Current L3", "A" },
  { "p_total", "Total active power", "kW" }, { "frequency", "Frequency", "Hz" },
  { "energy", "Energy", "kWh" },
  { "tank_level", "Tank level", "%" }, { "pump_running", "Pump running", "" },
  { "pump_command", "Pump start/stop", "" }, { "level_setpoint", "Level set-point", "%" },
  { "site_power", "Site total power", "kW" }, { "meter_difference", "Meter minus feeders", "kW" },
  { "tank_level_max_1h", "Tank level, 1 h maximum", "%" },
  { "ambient_temperature", "Ambient temperature", "°C" },
  { "shift_notes", "Shift note counter", "" },
};

typedef struct
{
  const char *term_id;
  const char *item_id;
  const char *fields;   /* JSON members after term_id/item_id */
} DemoPoint;

static const DemoPoint points[] = {
  /* sub1, CA 1: floats 4001–4007, doubles 1001–1003 (with time tag), counters 5001–5003;
   * the breaker commands at their command addresses IOA + 10000 (select-before-operate). */
  { "sub1_ca1", "f1_current", "\"protocol_code\": 4001, \"code_type\": 13, \"up_limit\": 95, \"decimals\": 1" },
  { "sub1_ca1", "f2_current", "\"protocol_code\": 4002, \"code_type\": 13, \"up_limit\": 95, \"decimals\": 1" },
  { "sub1_ca1", "f3_current", "\"protocol_code\": 4003, \"code_type\": 13, \"up_limit\": 95, \"decimals\": 1" },
  { "sub1_ca1", "f1_power", "\"protocol_code\": 4004, \"code_type\": 13, \"decimals\": 1" },
  { "sub1_ca1", "f2_power", "\"protocol_code\": 4005, \"code_type\": 13, \"decimals\": 1" },
  { "sub1_ca1", "f3_power", "\"protocol_code\": 4006, \"code_type\": 13, \"decimals\": 1" },
  { "sub1_ca1", "busbar_voltage", "\"protocol_code\": 4007, \"code_type\": 13, \"up_limit\": 10.5, \"down_limit\": 9.5, \"decimals\": 2" },
  { "sub1_ca1", "f1_breaker", "\"protocol_code\": 1001, \"code_type\": 31, \"alarm_on\": 1, \"states\": {\"1\": \"open\", \"2\": \"closed\"}" },
  { "sub1_ca1", "f2_breaker", "\"protocol_code\": 1002, \"code_type\": 31, \"alarm_on\": 1, \"states\": {\"1\": \"open\", \"2\": \"closed\"}" },
  { "sub1_ca1", "f3_breaker", "\"protocol_code\": 1003, \"code_type\": 31, \"alarm_on\": 1, \"states\": {\"1\": \"open\", \"2\": \"closed\"}" },
  { "sub1_ca1", "f1_breaker_cmd", "\"protocol_code\": 11001, \"code_type\": 46, \"states\": {\"1\": \"open\", \"2\": \"closed\"}, \"feedback\": \"f1_breaker\"" },
  { "sub1_ca1", "f2_breaker_cmd", "\"protocol_code\": 11002, \"code_type\": 46, \"states\": {\"1\": \"open\", \"2\": \"closed\"}, \"feedback\": \"f2_breaker\"" },
  { "sub1_ca1", "f3_breaker_cmd", "\"protocol_code\": 11003, \"code_type\": 46, \"states\": {\"1\": \"open\", \"2\": \"closed\"}, \"feedback\": \"f3_breaker\"" },
  { "sub1_ca1", "f1_energy", "\"protocol_code\": 5001, \"code_type\": 15" },
  { "sub1_ca1", "f2_energy", "\"protocol_code\": 5002, \"code_type\": 15" },
  { "sub1_ca1", "f3_energy", "\"protocol_code\": 5003, \"code_type\": 15" },
  /* meter1, unit 1 */
  { "meter1_u1", "u_l1", "\"protocol_code\": 0, \"code_type\": \"ir:f32\"" },
  { "meter1_u1", "u_l2", "\"protocol_code\": 2, \"code_type\": \"ir:f32\"" },
  { "meter1_u1", "u_l3", "\"protocol_code\": 4, \"code_type\": \"ir:f32\"" },
  { "meter1_u1", "i_l1", "\"protocol_code\": 6, \"code_type\": \"ir:f32\"" },
  { "meter1_u1", "i_l2", "\"protocol_code\": 8, \"code_type\": \"ir:f32\"" },
  { "meter1_u1", "i_l3", "\"protocol_code\": 10, \"code_type\": \"ir:f32\"" },
  { "meter1_u1", "p_total", "\"protocol_code\": 12, \"code_type\": \"ir:f32:cdab\"" },
  { "meter1_u1", "frequency", "\"protocol_code\": 14, \"code_type\": \"ir:f32\"" },
  { "meter1_u1", "energy", "\"protocol_code\": 0, \"code_type\": \"hr:u32\"" },
  /* plc1, unit 2 */
  { "plc1_u2", "tank_level", "\"protocol_code\": 0, \"code_type\": \"hr:i16\", \"coefficient\": 0.1, \"up_limit\": 90, \"down_limit\": 10" },
  { "plc1_u2", "level_setpoint", "\"protocol_code\": 1, \"code_type\": \"hr:u16\"" },
  { "plc1_u2", "pump_running", "\"protocol_code\": 0, \"code_type\": \"co:bool\"" },
  { "plc1_u2", "pump_command", "\"protocol_code\": 1, \"code_type\": \"co:bool\"" },
  /* calc */
  { "calc_site", "site_power", "\"history\": \"change\"" },
  { "calc_site", "meter_difference", "\"history\": \"change\"" },
  { "calc_site", "tank_level_max_1h", "\"history\": \"change\"" },
  /* manual */
  { "manual_entry", "ambient_temperature", "\"history\": \"all\"" },
  { "manual_entry", "shift_notes", "\"history\": \"all\"" },
};

static const char * const formulas[] = {
  "{\"id\": \"site_power\", \"formula\": \"p1 + p2 + p3\", \"device_id\": \"calc\", "
  "\"term_id\": \"calc_site\", \"item_id\": \"site_power\", \"p1\": \"sub1:sub1_ca1:f1_power\", "
  "\"p2\": \"sub1:sub1_ca1:f2_power\", \"p3\": \"sub1:sub1_ca1:f3_power\"}",
  "{\"id\": \"meter_difference\", \"formula\": \"p1 - (p2 + p3 + p4)\", \"device_id\": \"calc\", "
  "\"term_id\": \"calc_site\", \"item_id\": \"meter_difference\", \"p1\": \"meter1:meter1_u1:p_total\", "
  "\"p2\": \"sub1:sub1_ca1:f1_power\", \"p3\": \"sub1:sub1_ca1:f2_power\", "
  "\"p4\": \"sub1:sub1_ca1:f3_power\"}",
  "{\"id\": \"tank_level_max_1h\", \"formula\": \"p1.window(3600).max()\", \"device_id\": \"calc\", "
  "\"term_id\": \"calc_site\", \"item_id\": \"tank_level_max_1h\", \"p1\": \"plc1:plc1_u2:tank_level\"}",
};

static gboolean
point_device (DcStore     *store,
              const char  *device_id,
              const char  *json,
              guint16      port,
              GError     **error)
{
  g_autoptr(JsonObject) patch = json_object_new ();

  if (!ensure (store, DC_KIND_DEVICE, json, error))
    return FALSE;

  /* This run's simulator port (free ports change from run to run). */
  json_object_set_string_member (patch, "ip", "127.0.0.1");
  json_object_set_int_member (patch, "port", port);

  return dc_store_update (store, DC_KIND_DEVICE, device_id, patch, error);
}

gboolean
dc_demo_populate (DcDemo   *self,
                  DcStore  *store,
                  GError  **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (DC_IS_STORE (store), FALSE);

  if (!point_device (store, "sub1",
                     "{\"id\": \"sub1\", \"name\": \"Substation 1 RTU\", \"protocol\": \"iec104\", "
                     "\"ip\": \"127.0.0.1\", \"port\": 2404, \"gi_s\": 900, \"ci_s\": 60}",
                     dc_demo_get_iec104_port (self), error) ||
      !point_device (store, "meter1",
                     "{\"id\": \"meter1\", \"name\": \"Main meter\", \"protocol\": \"modbus_tcp\", "
                     "\"ip\": \"127.0.0.1\", \"port\": 502, \"poll_ms\": 500}",
                     dc_demo_get_modbus_port (self), error) ||
      !point_device (store, "plc1",
                     "{\"id\": \"plc1\", \"name\": \"Pump station PLC\", \"protocol\": \"modbus_tcp\", "
                     "\"ip\": \"127.0.0.1\", \"port\": 502, \"poll_ms\": 500}",
                     dc_demo_get_modbus_port (self), error) ||
      !ensure (store, DC_KIND_DEVICE,
               "{\"id\": \"calc\", \"name\": \"Calculations\", \"protocol\": \"formula\"}", error) ||
      !ensure (store, DC_KIND_DEVICE,
               "{\"id\": \"manual\", \"name\": \"Manual entry\", \"protocol\": \"virtual\"}", error) ||
      !ensure (store, DC_KIND_TERM,
               "{\"id\": \"sub1_ca1\", \"name\": \"Substation 1, CA 1\", \"device_id\": \"sub1\", \"address\": 1}", error) ||
      !ensure (store, DC_KIND_TERM,
               "{\"id\": \"meter1_u1\", \"name\": \"Main meter\", \"device_id\": \"meter1\", \"address\": 1}", error) ||
      !ensure (store, DC_KIND_TERM,
               "{\"id\": \"plc1_u2\", \"name\": \"Pump station\", \"device_id\": \"plc1\", \"address\": 2}", error) ||
      !ensure (store, DC_KIND_TERM,
               "{\"id\": \"calc_site\", \"name\": \"Site\", \"device_id\": \"calc\"}", error) ||
      !ensure (store, DC_KIND_TERM,
               "{\"id\": \"manual_entry\", \"name\": \"Operator\", \"device_id\": \"manual\"}", error))
    return FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (items); i++)
    {
      g_autoptr(JsonObject) item = json_object_new ();
      g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
      g_autofree char *json = NULL;

      json_object_set_string_member (item, "id", items[i].id);
      json_object_set_string_member (item, "name", items[i].name);
      json_object_set_string_member (item, "unit", items[i].unit);
      json_node_set_object (node, item);
      json = json_to_string (node, FALSE);
      if (!ensure (store, DC_KIND_ITEM, json, error))
        return FALSE;
    }

  for (guint i = 0; i < G_N_ELEMENTS (points); i++)
    {
      g_autofree char *json = g_strdup_printf ("{\"term_id\": \"%s\", \"item_id\": \"%s\", %s}",
                                               points[i].term_id, points[i].item_id,
                                               points[i].fields);

      if (!ensure (store, DC_KIND_POINT, json, error))
        return FALSE;
    }

  /* Formulas need the formula language; a build or store that refuses one keeps the rest. */
  for (guint i = 0; i < G_N_ELEMENTS (formulas); i++)
    {
      g_autoptr(GError) local_error = NULL;

      if (!ensure (store, DC_KIND_FORMULA, formulas[i], &local_error))
        g_warning ("%s", local_error->message);
    }

  return TRUE;
}

void
dc_demo_seed (DcDemo   *self,
              DcEngine *engine)
{
  DcStore *store;
  struct { const char *item; double value; } seeds[] = {
    { "ambient_temperature", 18.5 }, { "shift_notes", 0 },
  };

  g_return_if_fail (self != NULL);
  g_return_if_fail (DC_IS_ENGINE (engine));

  store = dc_engine_get_store (engine);
  for (guint i = 0; i < G_N_ELEMENTS (seeds); i++)
    {
      gint64 key = dc_store_get_point_key (store, "manual_entry", seeds[i].item);
      DcSample sample = { key, g_get_real_time (), seeds[i].value, 0 };
      DcSample live;

      if (key != 0 && !dc_engine_get_live (engine, key, &live))
        dc_engine_ingest (engine, &sample, 1, DC_INGEST_API);
    }
}
