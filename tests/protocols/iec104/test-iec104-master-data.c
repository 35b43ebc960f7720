/* test-iec104-master-data.c
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * The master driver's data: general and counter interrogation, spontaneous changes, a flood
 * under a congested sink (k and w), reads, two common addresses, time tags (zones, CP24),
 * periodic interrogation and clock sync, and a point map changed in place.
 */

#define G_LOG_DOMAIN "test-iec104-master"

#include "config.h"

#include <stdlib.h>

#include "dc-iec104-codec.h"

#include "iec104-master-fixture.h"

static void
test_gi (Fixture       *f,
         gconstpointer  data)
{
  DcSample s = { 0 };
  gint64 now = g_get_real_time ();
  g_autoptr(GPtrArray) frames = NULL;
  DcIec104DriverStats st;

  json_object_set_int_member (f->device, "ci_s", 3600);
  start_both (f);

  for (guint i = 0; i < f->points->len; i++)
    {
      const DcPointInfo *p = g_ptr_array_index (f->points, i);

      g_assert_true (wait_for (f, has_sample, GINT_TO_POINTER ((int) p->key), 10));
    }

  g_assert_true (sink_last (&f->sink, 1, &s));
  g_assert_cmpfloat (s.value, ==, 0);
  g_assert_cmpuint (s.quality, ==, 0);
  g_assert_cmpint (llabs (s.time - now), <, 5 * G_USEC_PER_SEC);
  g_assert_true (sink_last (&f->sink, 2, &s));
  g_assert_cmpfloat (s.value, ==, 1);
  /* TYP 31 point takes TYP 3 from the GI. */
  g_assert_true (sink_last (&f->sink, 11, &s));
  g_assert_cmpfloat (s.value, ==, 1);
  g_assert_true (sink_last (&f->sink, 12, &s));
  g_assert_cmpfloat (s.value, ==, 2);
  g_assert_true (sink_last (&f->sink, 22, &s));
  g_assert_cmpfloat (s.value, ==, 110);
  g_assert_true (sink_last (&f->sink, 31, &s));
  g_assert_cmpfloat (s.value, ==, 0.25);
  g_assert_true (sink_last (&f->sink, 41, &s));
  g_assert_cmpfloat (s.value, ==, 100);
  /* coefficient 2 */
  g_assert_true (sink_last (&f->sink, 42, &s));
  g_assert_cmpfloat (s.value, ==, 220);
  /* counters from the counter interrogation */
  g_assert_true (sink_last (&f->sink, 53, &s));
  g_assert_cmpfloat (s.value, ==, 3000);

  dc_iec104_driver_get_stats (DC_IEC104_DRIVER (f->driver), &st);
  g_assert_cmpuint (st.gi_sent, ==, 1);
  g_assert_cmpuint (st.ci_sent, ==, 1);
  g_assert_cmpuint (st.asdus_dropped, ==, 0);
  g_assert_cmpuint (st.unknown_objects, ==, 0);

  /* The traffic ring: the first frame sent is STARTDT act and every frame decodes. */
  frames = dc_traffic_get_frames (dc_driver_get_traffic (f->driver), 0, 1000);
  g_assert_cmpuint (frames->len, >, 5);
  for (guint i = 0; i < frames->len; i++)
    {
      const DcTrafficFrame *fr = g_ptr_array_index (frames, i);
      g_autoptr(JsonObject) decoded = NULL;
      g_autofree char *err = NULL;
      g_autofree char *summary = dc_driver_decode_frame (f->driver, fr, &decoded, &err);

      g_assert_null (err);
      g_assert_nonnull (decoded);
      if (i == 0)
        {
          g_assert_false (fr->incoming);
          g_assert_cmpstr (summary, ==, "U STARTDT act");
        }
      if (i == 1)
        g_assert_cmpstr (summary, ==, "U STARTDT con");
    }
}

static gboolean
value_is_42_5 (Fixture *f, gconstpointer data)
{
  DcSample s;

  return sink_last (&f->sink, 48, &s) && s.value == 42.5;
}

static void
test_spontaneous (Fixture       *f,
                  gconstpointer  data)
{
  DcSample s = { 0 };
  gint64 now;

  start_both (f);
  g_assert_true (wait_for (f, has_sample, GINT_TO_POINTER (48), 10));
  now = g_get_real_time ();
  dc_iec104_sim_set_value (f->sim, DC_IEC104_SIM_IOA_FLOATS + 7, 42.5);
  g_assert_true (wait_for (f, has_sample, GINT_TO_POINTER (48), 10));
  g_assert_true (wait_for (f, value_is_42_5, NULL, 10));
  g_assert_true (sink_last (&f->sink, 48, &s));
  g_assert_cmpfloat (s.value, ==, 42.5);
  /* M_ME_TF_1 carries the station's CP56 time, within a second or so of now. */
  g_assert_cmpint (llabs (s.time - now), <, 2 * G_USEC_PER_SEC);
  g_assert_cmpuint (s.quality, ==, 0);
}

static void
test_flood (Fixture       *f,
            gconstpointer  data)
{
  guint64 target = 20000;
  guint64 before, after;
  DcIec104DriverStats st;
  DcIec104SimStats ss;

  f->sim_config.flood = 30;
  f->sim_config.floats = 30;
  for (guint i = 8; i < 30; i++)
    add_point (f, 41 + i, DC_IEC104_SIM_IOA_FLOATS + i, 13, 1, FALSE);
  start_both (f);
  g_assert_true (wait_for (f, count_at_least, &target, 20));

  /* Congested sink: the master holds its acknowledgements and the outstation stops at k. */
  g_atomic_int_set (&f->sink.congested, TRUE);
  g_usleep (200 * 1000);
  before = sink_count (&f->sink);
  g_usleep (300 * 1000);
  after = sink_count (&f->sink);
  g_assert_cmpuint (after - before, <=, 12 * 30);
  g_atomic_int_set (&f->sink.congested, FALSE);
  target = after + 20000;
  g_assert_true (wait_for (f, count_at_least, &target, 20));

  dc_iec104_driver_get_stats (DC_IEC104_DRIVER (f->driver), &st);
  g_assert_cmpuint (st.acks_held, >, 0);
  g_assert_cmpuint (st.w_max_used, <=, 12);
  g_assert_cmpuint (st.t1_timeouts, ==, 0);
  g_assert_cmpuint (st.asdus_dropped, ==, 0);
  g_assert_cmpuint (st.unknown_objects, ==, 0);
  /* Nothing the driver decoded was lost on the way to the sink. */
  dc_driver_stop (f->driver);
  dc_iec104_driver_get_stats (DC_IEC104_DRIVER (f->driver), &st);
  g_assert_cmpuint (st.samples, ==, sink_count (&f->sink));
  /* Every object received became a sample, except the GI's act-con and act-term. */
  g_assert_cmpuint (st.objects_in - 2, ==, sink_count (&f->sink));
  dc_iec104_sim_get_stats (f->sim, &ss);
  g_assert_cmpuint (ss.objects_sent, >=, sink_count (&f->sink));
  g_assert_cmpuint (f->ups, ==, 1);
}

static void
test_read (Fixture       *f,
           gconstpointer  data)
{
  start_both (f);
  g_assert_true (wait_for (f, has_sample, GINT_TO_POINTER (42), 10));
  dc_driver_call_async (f->driver, point (f, 42), g_get_monotonic_time () + 5 * G_USEC_PER_SEC,
                        NULL, call_done_cb, f);
  g_assert_true (wait_for (f, is_done, NULL, 10));
  g_assert_no_error (f->error);
  g_assert_cmpint (f->sample.key, ==, 42);
  g_assert_cmpfloat (f->sample.value, ==, 220);
}

static gboolean
float_time_near (Fixture *f, gconstpointer data)
{
  DcSample s;

  return sink_last (&f->sink, 41, &s) && s.value == 77 &&
         llabs (s.time - *(const gint64 *) data) < 2 * G_USEC_PER_SEC;
}

static gboolean
float_is_77 (Fixture *f, gconstpointer data)
{
  DcSample s;

  return sink_last (&f->sink, 41, &s) && s.value == 77;
}

static void
test_time_zone (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GTimeZone) tz = g_time_zone_new_identifier ("Asia/Shanghai");
  gint64 now;
  DcSample s = { 0 };

  if (tz == NULL)
    {
      g_test_skip ("tzdata missing");
      return;
    }
  /* A DL/T 634.5104 station keeping Beijing time: read in the device's zone, stored in UTC. */
  f->sim_config.time_zone = "Asia/Shanghai";
  json_object_set_string_member (f->device, "time_zone", "Asia/Shanghai");
  start_both (f);
  g_assert_true (wait_for (f, has_sample, GINT_TO_POINTER (41), 10));
  now = g_get_real_time ();
  dc_iec104_sim_set_value (f->sim, DC_IEC104_SIM_IOA_FLOATS, 77);
  g_assert_true (wait_for (f, float_is_77, NULL, 10));
  g_assert_true (sink_last (&f->sink, 41, &s));
  g_assert_cmpint (llabs (s.time - now), <, 2 * G_USEC_PER_SEC);
  g_assert_true (wait_for (f, float_time_near, &now, 1));
}

static gboolean
float_is_88 (Fixture *f, gconstpointer data)
{
  DcSample s;

  return sink_last (&f->sink, 41, &s) && s.value == 88;
}

static void
test_cp24 (Fixture       *f,
           gconstpointer  data)
{
  DcIec104Asdu h = { .type = DC_IEC104_M_ME_TC_1, .cause = DC_IEC104_COT_SPONTANEOUS, .ca = 1 };
  DcIec104Object o = { .ioa = DC_IEC104_SIM_IOA_FLOATS, .value = 88 };
  gint64 tag = (g_get_real_time () / 1000 - 2000) * 1000;  /* 2 s ago, whole ms */
  guint8 buf[64];
  gsize len;
  DcSample s = { 0 };

  start_both (f);
  g_assert_true (wait_for (f, has_sample, GINT_TO_POINTER (41), 10));
  dc_iec104_time_from_us (&o.time, tag, NULL);
  len = dc_iec104_build_asdu (buf, sizeof buf, &h, &o, 1, NULL);
  g_assert_cmpuint (len, >, 0);
  dc_iec104_sim_send_raw_asdu (f->sim, buf, len);
  g_assert_true (wait_for (f, float_is_88, NULL, 10));
  g_assert_true (sink_last (&f->sink, 41, &s));
  /* Minutes and milliseconds from the tag, hour and date from the receive time. */
  g_assert_cmpint (s.time, ==, tag);
}

static gboolean
sim_periodic_done (Fixture *f, gconstpointer data)
{
  DcIec104SimStats s;

  dc_iec104_sim_get_stats (f->sim, &s);
  return s.gi_count >= 3 && s.ci_count >= 3 && s.clock_syncs >= 1;
}

static void
test_periods (Fixture       *f,
              gconstpointer  data)
{
  DcIec104DriverStats st;

  json_object_set_int_member (f->device, "gi_s", 1);
  json_object_set_int_member (f->device, "ci_s", 1);
  json_object_set_boolean_member (f->device, "clock_sync", TRUE);
  start_both (f);
  g_assert_true (wait_for (f, sim_periodic_done, NULL, 10));
  dc_iec104_driver_get_stats (DC_IEC104_DRIVER (f->driver), &st);
  g_assert_cmpuint (st.gi_sent, >=, 3);
  g_assert_cmpuint (st.clock_syncs, ==, 1);
  g_assert_cmpuint (f->ups, ==, 1);
}

static gboolean
float_is_50 (Fixture *f, gconstpointer data)
{
  DcSample s;

  return sink_last (&f->sink, 41, &s) && s.value == 50;
}

static void
test_points_changed (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GPtrArray) points = NULL;
  g_autoptr(JsonObject) p = json_object_new ();

  points = g_ptr_array_new_with_free_func ((GDestroyNotify) dc_point_info_free);
  start_both (f);
  g_assert_true (wait_for (f, has_sample, GINT_TO_POINTER (41), 10));

  /* Only point 41, now with coefficient 10: the map changes in place, the link stays. */
  json_object_set_string_member (p, "device_id", "dev1");
  json_object_set_string_member (p, "term_id", "t1");
  json_object_set_string_member (p, "item_id", "i41");
  json_object_set_string_member (p, "protocol_code", "4001");
  json_object_set_string_member (p, "code_type", "36");
  json_object_set_double_member (p, "coefficient", 10);
  g_ptr_array_add (points, dc_point_info_new_from_json (41, p));
  dc_driver_set_config (f->driver, f->device, f->terms, points);
  dc_driver_points_changed (f->driver);

  dc_iec104_sim_set_value (f->sim, DC_IEC104_SIM_IOA_FLOATS, 5);
  if (!wait_for (f, float_is_50, NULL, 10))
    {
      DcSample s = { 0 };
      DcIec104DriverStats st;

      sink_last (&f->sink, 41, &s);
      dc_iec104_driver_get_stats (DC_IEC104_DRIVER (f->driver), &st);
      g_error ("point 41 is %g (ups %u downs %u, unknown %" G_GUINT64_FORMAT ")", s.value,
               f->ups, f->downs, st.unknown_objects);
    }
  g_assert_cmpuint (f->ups, ==, 1);
  g_assert_cmpuint (f->downs, ==, 0);
}

/* Two common addresses: GI goes to both; the station refuses CA 2 (cause 46) and the link
 * stays up. */
static void
test_two_cas (Fixture       *f,
              gconstpointer  data)
{
  JsonObject *term = json_object_new ();
  DcIec104DriverStats st;

  json_object_set_string_member (term, "id", "t2");
  json_object_set_int_member (term, "address", 2);
  g_ptr_array_add (f->terms, term);
  start_both (f);
  g_assert_true (wait_for (f, has_sample, GINT_TO_POINTER (41), 10));
  dc_iec104_driver_get_stats (DC_IEC104_DRIVER (f->driver), &st);
  g_assert_cmpuint (st.gi_sent, ==, 2);
  g_assert_cmpuint (f->downs, ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  ADD ("gi", test_gi);
  ADD ("spontaneous", test_spontaneous);
  ADD ("flood-kw", test_flood);
  ADD ("read", test_read);
  ADD ("two-cas", test_two_cas);
  ADD ("time-zone", test_time_zone);
  ADD ("cp24", test_cp24);
  ADD ("periods", test_periods);
  ADD ("points-changed", test_points_changed);

  return g_test_run ();
}
