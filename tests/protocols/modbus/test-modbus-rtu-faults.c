/* test-modbus-rtu-faults.c
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * Serial faults for modbus_rtu (docs/modbus.md "RTU driver"): the driver on one socat pty pair,
 * an independent peer (python3-pymodbus, pymodbus-rtu-server.py) serving units 1 and 2 on
 * another, and the test library's serial relay between them injecting faults: noise on the
 * line, CRC errors, a unit that stops answering. Unit 3 is configured and never answers. Each
 * unit has its own comm state; the live ones keep delivering; no value the peer did not send is
 * ever stored; everything recovers when the fault ends.
 * Skipped only when pymodbus cannot be imported.
 */

#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

#include <glib/gstdio.h>

#include "dc-modbus.h"

#include "dc-test-driver.h"
#include "dc-test-serial.h"
#include "dc-test-sim.h"
#include "dc-test-sink.h"
#include "dc-test-wait.h"

/* Points: (key, term, address); the peer's unit U holds U * 1000 + address below 50 and a
 * counter at 50. */
static const struct { gint64 key; const char *term; guint unit; int address; } points[] = {
  { 1, "t1", 1, 5 },
  { 2, "t1", 1, 50 },
  { 3, "t2", 2, 5 },
  { 4, "t2", 2, 50 },
  { 5, "t3", 3, 5 },
};

typedef struct
{
  GHashTable *down;   /* term id → last error, while down */
  GHashTable *ups;    /* term id → times it came up */
  GHashTable *downs;  /* term id → times it went down */
} TermLog;

typedef struct
{
  char              *dir;
  char              *master;
  DcTestPtyPair     *line;      /* driver ⇄ relay */
  DcTestPtyPair     *bus;       /* relay ⇄ peer */
  DcTestSerialRelay *relay;
  GSubprocess       *peer;
  DcTestSink        *sink;
  DcTestLinkLog      link;
  TermLog            terms;
  DcDriver          *driver;
} Fixture;

static void
count (GHashTable *table,
       const char *term_id)
{
  guint n = GPOINTER_TO_UINT (g_hash_table_lookup (table, term_id));

  g_hash_table_insert (table, g_strdup (term_id), GUINT_TO_POINTER (n + 1));
}

static guint
counted (GHashTable *table,
         const char *term_id)
{
  return GPOINTER_TO_UINT (g_hash_table_lookup (table, term_id));
}

static void
term_link_changed_cb (DcDriver   *driver,
                      const char *term_id,
                      gboolean    up,
                      const char *last_error,
                      TermLog    *log)
{
  if (up)
    {
      count (log->ups, term_id);
      g_hash_table_remove (log->down, term_id);
    }
  else
    {
      count (log->downs, term_id);
      g_hash_table_insert (log->down, g_strdup (term_id), g_strdup (last_error));
    }
}

static void
child_setup (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static GSubprocess *
spawn_peer (const char *pty,
            const char *units)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *script = g_test_build_filename (G_TEST_DIST, "protocols", "modbus",
                                                   "pymodbus-rtu-server.py", NULL);
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GDataInputStream) data = NULL;
  g_autofree char *line = NULL;
  GSubprocess *peer;

  g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);
  peer = g_subprocess_launcher_spawn (launcher, &error, dc_test_python3 (), script, pty, units,
                                      NULL);
  g_assert_no_error (error);
  data = g_data_input_stream_new (g_subprocess_get_stdout_pipe (peer));
  line = g_data_input_stream_read_line (data, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (line, ==, "ready");
  return peer;
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *relay_a = NULL;
  g_autofree char *relay_b = NULL;
  g_autofree char *peer = NULL;

  f->dir = g_dir_make_tmp ("dc-rtu-faults-XXXXXX", NULL);
  f->master = g_build_filename (f->dir, "master", NULL);
  relay_a = g_build_filename (f->dir, "relay-a", NULL);
  relay_b = g_build_filename (f->dir, "relay-b", NULL);
  peer = g_build_filename (f->dir, "peer", NULL);
  f->line = dc_test_pty_pair_new (f->master, relay_a);
  f->bus = dc_test_pty_pair_new (relay_b, peer);
  f->relay = dc_test_serial_relay_new (relay_a, relay_b);
  f->peer = spawn_peer (peer, "1,2");
  f->sink = dc_test_sink_new ();
  f->terms.down = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  f->terms.ups = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  f->terms.downs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  if (f->driver != NULL)
    dc_test_driver_finish (f->driver);
  g_subprocess_force_exit (f->peer);
  g_subprocess_wait (f->peer, NULL, NULL);
  g_object_unref (f->peer);
  dc_test_serial_relay_free (f->relay);
  dc_test_pty_pair_free (f->line);
  dc_test_pty_pair_free (f->bus);
  dc_test_sink_free (f->sink);
  g_free (f->link.last_error);
  g_hash_table_unref (f->terms.down);
  g_hash_table_unref (f->terms.ups);
  g_hash_table_unref (f->terms.downs);
  g_free (f->master);
  /* socat removes its links when it ends. */
  g_rmdir (f->dir);
  g_free (f->dir);
}

/* Starts the driver on the line with the points whose unit is in @units ("123": all). */
static void
fixture_start (Fixture    *f,
               const char *units)
{
  g_autoptr(GPtrArray) terms = dc_test_terms_new ();
  g_autoptr(GPtrArray) infos = dc_test_points_new ();
  g_autoptr(JsonObject) device = json_object_new ();

  dc_modbus_register_drivers ();
  json_object_set_string_member (device, "id", "line1");
  json_object_set_string_member (device, "protocol", "modbus_rtu");
  json_object_set_string_member (device, "serial", f->master);
  json_object_set_int_member (device, "baud", 115200);
  json_object_set_string_member (device, "parity", "N");
  json_object_set_int_member (device, "poll_ms", 50);
  /* Generous for a loaded machine: a late peer must not look like a dead unit. */
  json_object_set_int_member (device, "timeout_ms", 1000);
  for (guint u = 1; u <= 3; u++)
    {
      g_autofree char *id = g_strdup_printf ("t%u", u);

      if (strchr (units, '0' + u) != NULL)
        g_ptr_array_add (terms, dc_test_term_json (id, u));
    }
  for (guint i = 0; i < G_N_ELEMENTS (points); i++)
    if (strchr (units, '0' + points[i].unit) != NULL)
      g_ptr_array_add (infos, dc_test_point (points[i].key, "line1", points[i].term,
                                             points[i].address, "hr:u16", 1, 0));

  f->driver = dc_driver_new_for_protocol ("modbus_rtu");
  g_signal_connect (f->driver, "link-changed", G_CALLBACK (dc_test_link_changed_cb), &f->link);
  g_signal_connect (f->driver, "term-link-changed", G_CALLBACK (term_link_changed_cb),
                    &f->terms);
  dc_driver_set_config (f->driver, device, terms, infos);
  dc_driver_set_sink (f->driver, &f->sink->parent);
  dc_driver_start (f->driver);
}

/* The status object of unit @unit in the driver's status ("units" of "protocol"). */
static JsonObject *
unit_status (Fixture *f,
             guint    unit)
{
  g_autoptr(JsonNode) status = dc_driver_build_status (f->driver);
  JsonObject *protocol = json_object_get_object_member (json_node_get_object (status),
                                                        "protocol");
  JsonArray *units = json_object_get_array_member (protocol, "units");

  g_assert_nonnull (units);
  for (guint i = 0; i < json_array_get_length (units); i++)
    {
      JsonObject *o = json_array_get_object_element (units, i);

      if (json_object_get_int_member (o, "unit") == unit)
        return json_object_ref (o);
    }
  g_error ("unit %u is not in the status", unit);
}

static gint64
unit_stat (Fixture    *f,
           guint       unit,
           const char *name)
{
  g_autoptr(JsonObject) o = unit_status (f, unit);

  return json_object_get_int_member (o, name);
}

static char *
unit_state (Fixture *f,
            guint    unit)
{
  g_autoptr(JsonObject) o = unit_status (f, unit);

  return g_strdup (json_object_get_string_member (o, "state"));
}

/* Every valid sample is one the peer sent: U * 1000 + 5 at address 5, and per unit a counter
 * that never goes backwards. Returns the number of invalid samples of @key (0 for all keys),
 * and the number of samples in @total when not NULL. */
static guint
check_samples_total (Fixture *f,
                     gint64   key,
                     guint   *total)
{
  gdouble last_counter[3] = { -1, -1, -1 };
  guint invalid = 0;

  g_mutex_lock (&f->sink->lock);
  for (guint i = 0; i < f->sink->samples->len; i++)
    {
      const DcSample *s = &g_array_index (f->sink->samples, DcSample, i);
      guint unit = (s->key + 1) / 2;

      if (s->quality != 0)
        {
          if (key == 0 || s->key == key)
            invalid++;
          continue;
        }
      if (s->key % 2 == 1)
        {
          if (s->value != unit * 1000 + 5)
            g_error ("key %" G_GINT64_FORMAT ": %g was never sent", s->key, s->value);
        }
      else
        {
          if (s->value < last_counter[unit])
            g_error ("key %" G_GINT64_FORMAT ": counter went back from %g to %g", s->key,
                     last_counter[unit], s->value);
          last_counter[unit] = s->value;
        }
    }
  if (total != NULL)
    *total = f->sink->samples->len;
  g_mutex_unlock (&f->sink->lock);
  return invalid;
}

static guint
check_samples (Fixture *f,
               gint64   key)
{
  return check_samples_total (f, key, NULL);
}

typedef struct
{
  Fixture *f;
  gint64   key;
  double   above;
} Growing;

/* A valid sample of the counter @key above @above arrived. */
static gboolean
counter_above (gpointer user_data)
{
  Growing *g = user_data;
  DcSample s;

  return dc_test_sink_latest (g->f->sink, g->key, &s) && s.quality == 0 && s.value > g->above;
}

/* The counter of @key keeps growing: @n new valid values, each above the one before. */
static void
assert_counter_grows (Fixture *f,
                      gint64   key,
                      guint    n)
{
  DcSample s = { 0 };
  Growing g = { f, key, -1 };

  for (guint i = 0; i < n; i++)
    {
      g_assert_true (dc_test_wait_for (NULL, counter_above, &g, 10));
      g_assert_true (dc_test_sink_latest (f->sink, key, &s));
      g.above = s.value;
    }
}

typedef struct
{
  TermLog    *log;
  const char *term;
  gboolean    down;
} TermWait;

static gboolean
term_reached (gpointer user_data)
{
  TermWait *w = user_data;

  if (w->down)
    return g_hash_table_contains (w->log->down, w->term);
  return counted (w->log->ups, w->term) > 0 && !g_hash_table_contains (w->log->down, w->term);
}

static gboolean
wait_term (Fixture    *f,
           const char *term,
           gboolean    down)
{
  TermWait w = { &f->terms, term, down };

  return dc_test_wait_for (NULL, term_reached, &w, 20);
}

typedef struct
{
  DcTestSerialRelay *relay;
  guint              n;
} RelayWait;

static gboolean
faulted_reached (gpointer user_data)
{
  RelayWait *w = user_data;

  return dc_test_serial_relay_n_faulted (w->relay) >= w->n;
}

/* Unit 3 never answers: it alone is down; units 1 and 2 stay up and keep delivering. Unit 2
 * then stops answering (the relay mutes it) and goes down alone while unit 1 goes on; when it
 * answers again it comes back up. */
static void
test_dead_unit (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *state = NULL;

  fixture_start (f, "123");
  g_assert_true (wait_term (f, "t3", TRUE));
  g_assert_cmpstr (g_hash_table_lookup (f->terms.down, "t3"), ==, "no answer within 1000 ms");
  assert_counter_grows (f, 2, 5);
  assert_counter_grows (f, 4, 5);
  g_assert_cmpint (f->link.state, ==, DC_LINK_UP);
  g_assert_cmpuint (counted (f->terms.downs, "t1"), ==, 0);
  g_assert_cmpuint (counted (f->terms.downs, "t2"), ==, 0);
  state = unit_state (f, 3);
  g_assert_cmpstr (state, ==, "down");
  g_clear_pointer (&state, g_free);
  g_assert_cmpint (unit_stat (f, 3, "timeouts"), >=, 1);
  g_assert_cmpint (unit_stat (f, 3, "responses"), ==, 0);
  g_assert_cmpint (unit_stat (f, 1, "timeouts"), ==, 0);
  state = unit_state (f, 1);
  g_assert_cmpstr (state, ==, "up");
  g_clear_pointer (&state, g_free);

  dc_test_serial_relay_set_fault (f->relay, DC_TEST_SERIAL_MUTE_UNIT, 2);
  g_assert_true (wait_term (f, "t2", TRUE));
  assert_counter_grows (f, 2, 5);
  g_assert_cmpuint (counted (f->terms.downs, "t1"), ==, 0);
  g_assert_cmpint (f->link.state, ==, DC_LINK_UP);

  dc_test_serial_relay_set_fault (f->relay, DC_TEST_SERIAL_PASS, 0);
  g_assert_true (wait_term (f, "t2", FALSE));
  dc_test_sink_reset (f->sink);
  assert_counter_grows (f, 4, 3);
  g_assert_true (g_hash_table_contains (f->terms.down, "t3"));
  g_assert_cmpuint (check_samples (f, 1), ==, 0);
}

/* Noise on the line between frames (after each answer, before the next request) costs
 * nothing: the driver drops what is waiting on the line before each request, so no unit goes
 * down and no value is wrong. (socat may pass the noise on after the answer, late enough to
 * meet the next exchange on a loaded machine: that exchange alone fails, hence the 5 %.)
 * Before, every exchange after the first noise failed and the units went down. */
static void
test_noise (Fixture       *f,
            gconstpointer  data)
{
  RelayWait w = { f->relay, 0 };
  guint total = 0, invalid;

  fixture_start (f, "12");
  assert_counter_grows (f, 2, 3);
  assert_counter_grows (f, 4, 3);

  dc_test_serial_relay_set_fault (f->relay, DC_TEST_SERIAL_NOISE, 7);
  dc_test_sink_reset (f->sink);
  w.n = 60;
  g_assert_true (dc_test_wait_for (NULL, faulted_reached, &w, 20));
  assert_counter_grows (f, 2, 3);
  assert_counter_grows (f, 4, 3);
  invalid = check_samples_total (f, 0, &total);
  g_test_message ("noise: %u invalid samples of %u", invalid, total);
  g_assert_cmpuint (total, >, 0);
  g_assert_cmpuint (invalid * 20, <=, total);
  g_assert_cmpuint (counted (f->terms.downs, "t1"), ==, 0);
  g_assert_cmpuint (counted (f->terms.downs, "t2"), ==, 0);
  g_assert_cmpint (unit_stat (f, 1, "crc_errors") * 20, <=, unit_stat (f, 1, "requests"));
  g_assert_cmpint (f->link.n_down, ==, 0);
}

/* Every answer of the line fails its CRC check: each one is counted, the points of the request
 * go invalid (never a wrong value), the units go down after three in a row and the device with
 * them (nothing answers); when the line is clean again everything comes back. */
static void
test_crc_errors (Fixture       *f,
                 gconstpointer  data)
{
  RelayWait w = { f->relay, 0 };

  fixture_start (f, "12");
  assert_counter_grows (f, 2, 3);
  g_assert_cmpint (unit_stat (f, 1, "crc_errors"), ==, 0);

  dc_test_serial_relay_set_fault (f->relay, DC_TEST_SERIAL_CORRUPT, 0);
  dc_test_sink_reset (f->sink);
  g_assert_true (wait_term (f, "t1", TRUE));
  g_assert_true (wait_term (f, "t2", TRUE));
  g_assert_cmpstr (g_hash_table_lookup (f->terms.down, "t1"), ==,
                   "3 answers in a row failed their CRC check");
  g_assert_true (dc_test_wait_link (&f->link, 1, 1, 20));
  g_assert_cmpstr (f->link.last_error, ==, "no unit answers");
  w.n = 6;
  g_assert_true (dc_test_wait_for (NULL, faulted_reached, &w, 20));
  g_assert_cmpint (unit_stat (f, 1, "crc_errors"), >=, 3);
  g_assert_cmpint (unit_stat (f, 2, "crc_errors"), >=, 3);
  g_assert_cmpuint (check_samples (f, 1), >, 0);

  dc_test_serial_relay_set_fault (f->relay, DC_TEST_SERIAL_PASS, 0);
  g_assert_true (wait_term (f, "t1", FALSE));
  g_assert_true (wait_term (f, "t2", FALSE));
  g_assert_true (dc_test_wait_link (&f->link, 2, 1, 20));
  assert_counter_grows (f, 2, 3);
  assert_counter_grows (f, 4, 3);
  check_samples (f, 0);
}

/* A line on which no configured unit answers: the device is never up (an open serial port
 * proves nothing), it goes down with "no unit answers". */
static void
test_no_unit_answers (Fixture       *f,
                      gconstpointer  data)
{
  fixture_start (f, "3");
  g_assert_true (wait_term (f, "t3", TRUE));
  g_assert_true (dc_test_wait_link (&f->link, 0, 1, 20));
  g_assert_cmpuint (f->link.n_up, ==, 0);
  g_assert_cmpstr (f->link.last_error, ==, "no unit answers");
  g_assert_cmpuint (dc_test_sink_count (f->sink), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  dc_test_require_pymodbus ();
  if (g_find_program_in_path ("socat") == NULL)
    g_error ("socat is not installed (build-aux/install-deps installs it)");

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/dc/modbus/rtu-faults/dead-unit", test_dead_unit);
  ADD ("/dc/modbus/rtu-faults/noise", test_noise);
  ADD ("/dc/modbus/rtu-faults/crc-errors", test_crc_errors);
  ADD ("/dc/modbus/rtu-faults/no-unit-answers", test_no_unit_answers);
#undef ADD

  return g_test_run ();
}
