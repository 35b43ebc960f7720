/* test-io-loop.c
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * DcIoLoop (docs/engine.md "I/O loop"): timers in order, cancelled and re-armed, 10,000 of
 * them, wake-ups from other threads, descriptor readiness, the hosted GMainContext and a loop
 * living as a GSource of the default context.
 */

#define G_LOG_DOMAIN "test-io-loop"

#include "config.h"

#include <errno.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dc-io-loop.h"
#include "tests/lib/dc-test-wait.h"

typedef struct
{
  DcIoLoop *loop;
  GThread  *thread;
} Rig;

static gpointer
rig_thread (gpointer data)
{
  dc_io_loop_run (data);
  return NULL;
}

static void
rig_start (Rig *rig)
{
  rig->loop = dc_io_loop_new ();
  rig->thread = g_thread_new ("test-io", rig_thread, rig->loop);
}

static void
rig_stop (Rig *rig)
{
  dc_io_loop_quit (rig->loop);
  g_thread_join (rig->thread);
  g_clear_pointer (&rig->loop, dc_io_loop_unref);
}

/* Timers */

typedef struct
{
  DcIoLoop  *loop;
  DcIoTimer  timers[10000];
  gint64     fired_at[10000];
  int        order[10000];
  guint      n_fired;        /* atomic for the main thread */
  guint      n;
  gint64     last_due;
  gboolean   out_of_order;
  gboolean   early;
} Timers;

typedef struct
{
  Timers *ts;
  int     index;
} TimerRef;

static TimerRef refs[10000];

static void
timer_fired (gpointer data)
{
  TimerRef *ref = data;
  Timers *ts = ref->ts;
  DcIoTimer *t = &ts->timers[ref->index];
  gint64 now = g_get_monotonic_time ();

  g_assert_false (dc_io_timer_is_armed (t));
  if (now < t->due)
    ts->early = TRUE;
  if (t->due < ts->last_due)
    ts->out_of_order = TRUE;
  ts->last_due = t->due;
  ts->fired_at[ref->index] = now;
  ts->order[ts->n_fired] = ref->index;
  g_atomic_int_inc (&ts->n_fired);
}

static Timers *
timers_new (DcIoLoop *loop,
            guint     n)
{
  Timers *ts = g_new0 (Timers, 1);

  ts->loop = loop;
  ts->n = n;
  for (guint i = 0; i < n; i++)
    {
      refs[i].ts = ts;
      refs[i].index = i;
      dc_io_timer_init (&ts->timers[i], timer_fired, &refs[i]);
    }
  return ts;
}

typedef struct
{
  Timers *ts;
  gint64  base;
} OrderJob;

static gboolean
arm_order_cb (gpointer data)
{
  OrderJob *job = data;
  Timers *ts = job->ts;

  job->base = g_get_monotonic_time ();
  /* 0: +3 ms, 1: +1 ms, 2: +2 ms, 3 and 4: +2.5 ms (armed in that order), 5: in the past. */
  dc_io_timer_set (ts->loop, &ts->timers[0], job->base + 3000);
  dc_io_timer_set (ts->loop, &ts->timers[1], job->base + 1000);
  dc_io_timer_set (ts->loop, &ts->timers[2], job->base + 2000);
  dc_io_timer_set (ts->loop, &ts->timers[3], job->base + 2500);
  dc_io_timer_set (ts->loop, &ts->timers[4], job->base + 2500);
  dc_io_timer_set (ts->loop, &ts->timers[5], job->base - 1000);
  return G_SOURCE_REMOVE;
}

static void
test_timers_order (void)
{
  Rig rig = { 0 };
  g_autofree Timers *ts = NULL;
  OrderJob job = { 0 };
  const int expected[] = { 5, 1, 2, 3, 4, 0 };

  rig_start (&rig);
  ts = timers_new (rig.loop, 6);
  job.ts = ts;
  dc_io_loop_invoke_sync (rig.loop, arm_order_cb, &job);
  DC_TEST_WAIT_UNTIL (g_atomic_int_get (&ts->n_fired) == 6u, 5);
  for (guint i = 0; i < 6; i++)
    g_assert_cmpint (ts->order[i], ==, expected[i]);
  g_assert_false (ts->early);
  /* µs precision: the 1 ms timer did not wait for a millisecond tick beyond its due. */
  g_assert_cmpint (ts->fired_at[1], >=, job.base + 1000);
  rig_stop (&rig);
}

static gboolean
arm_cancel_cb (gpointer data)
{
  Timers *ts = data;
  gint64 now = g_get_monotonic_time ();

  dc_io_timer_set (ts->loop, &ts->timers[0], now + 1000);
  dc_io_timer_set (ts->loop, &ts->timers[1], now + 2000);
  dc_io_timer_set (ts->loop, &ts->timers[2], now + 3000);
  dc_io_timer_cancel (ts->loop, &ts->timers[1]);
  g_assert_false (dc_io_timer_is_armed (&ts->timers[1]));
  dc_io_timer_cancel (ts->loop, &ts->timers[1]); /* twice: nothing */
  /* Re-armed earlier and later. */
  dc_io_timer_set (ts->loop, &ts->timers[3], now + 500000);
  dc_io_timer_set (ts->loop, &ts->timers[3], now + 500);
  dc_io_timer_set (ts->loop, &ts->timers[4], now + 100);
  dc_io_timer_set (ts->loop, &ts->timers[4], now + 5000);
  return G_SOURCE_REMOVE;
}

static void
test_timers_cancel_rearm (void)
{
  Rig rig = { 0 };
  g_autofree Timers *ts = NULL;
  const int expected[] = { 3, 0, 2, 4 };

  rig_start (&rig);
  ts = timers_new (rig.loop, 5);
  dc_io_loop_invoke_sync (rig.loop, arm_cancel_cb, ts);
  DC_TEST_WAIT_UNTIL (g_atomic_int_get (&ts->n_fired) == 4, 5);
  for (guint i = 0; i < 4; i++)
    g_assert_cmpint (ts->order[i], ==, expected[i]);
  g_assert_cmpint (ts->fired_at[1], ==, 0);
  g_assert_false (ts->early);
  g_assert_false (ts->out_of_order);
  rig_stop (&rig);
}

static gboolean
arm_many_cb (gpointer data)
{
  Timers *ts = data;
  gint64 now = g_get_monotonic_time ();
  GRand *rand = g_rand_new_with_seed (19);

  for (guint i = 0; i < ts->n; i++)
    dc_io_timer_set (ts->loop, &ts->timers[i], now + g_rand_int_range (rand, 0, 50000));
  /* Every third one cancelled, every seventh of the others re-armed to another time. */
  for (guint i = 0; i < ts->n; i += 3)
    dc_io_timer_cancel (ts->loop, &ts->timers[i]);
  for (guint i = 1; i < ts->n; i += 7)
    if (i % 3 != 0)
      dc_io_timer_set (ts->loop, &ts->timers[i], now + g_rand_int_range (rand, 0, 50000));
  g_rand_free (rand);
  return G_SOURCE_REMOVE;
}

static void
test_timers_many (void)
{
  Rig rig = { 0 };
  g_autofree Timers *ts = NULL;
  guint expected = 10000 - (10000 + 2) / 3;
  gint64 deadline;
  g_autofree gboolean *seen = g_new0 (gboolean, 10000);

  rig_start (&rig);
  ts = timers_new (rig.loop, 10000);
  dc_io_loop_invoke_sync (rig.loop, arm_many_cb, ts);
  deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  while ((guint) g_atomic_int_get (&ts->n_fired) < expected && g_get_monotonic_time () < deadline)
    dc_io_loop_invoke_sync (rig.loop, (GSourceFunc) (void (*)(void)) g_get_monotonic_time, NULL);
  g_assert_cmpuint ((guint) g_atomic_int_get (&ts->n_fired), ==, expected);
  g_assert_false (ts->early);
  g_assert_false (ts->out_of_order);
  for (guint i = 0; i < expected; i++)
    {
      g_assert_cmpint (ts->order[i] % 3, !=, 0);
      g_assert_false (seen[ts->order[i]]);
      seen[ts->order[i]] = TRUE;
    }
  /* Nothing more fires. */
  dc_io_loop_invoke_sync (rig.loop, (GSourceFunc) (void (*)(void)) g_get_monotonic_time, NULL);
  g_assert_cmpuint ((guint) g_atomic_int_get (&ts->n_fired), ==, expected);
  rig_stop (&rig);
}

/* Wake-ups */

typedef struct
{
  guint   count[4];
  guint   bad_order;
  GThread *loop_thread;
  GThread *wrong_thread;
} Invokes;

typedef struct
{
  Invokes *inv;
  guint    producer;
  guint    seq;
} InvokeItem;

static gboolean
invoke_item_cb (gpointer data)
{
  InvokeItem *item = data;
  Invokes *inv = item->inv;

  if (inv->loop_thread != g_thread_self ())
    inv->wrong_thread = g_thread_self ();
  if (item->seq != inv->count[item->producer])
    inv->bad_order++;
  inv->count[item->producer]++;
  return G_SOURCE_REMOVE;
}

static gboolean
loop_thread_cb (gpointer data)
{
  *(GThread **) data = g_thread_self ();
  return G_SOURCE_REMOVE;
}

typedef struct
{
  DcIoLoop *loop;
  Invokes  *inv;
  guint     producer;
} Producer;

static gpointer
producer_thread (gpointer data)
{
  Producer *p = data;

  for (guint i = 0; i < 2000; i++)
    {
      InvokeItem *item = g_new0 (InvokeItem, 1);

      item->inv = p->inv;
      item->producer = p->producer;
      item->seq = i;
      dc_io_loop_invoke (p->loop, invoke_item_cb, item, g_free);
    }
  return NULL;
}

static gboolean
read_turns_cb (gpointer data)
{
  void **args = data;

  *(guint64 *) args[1] = dc_io_loop_get_turns (args[0]);
  return G_SOURCE_REMOVE;
}

static guint64
loop_turns (DcIoLoop *loop)
{
  guint64 turns = 0;
  void *args[] = { loop, &turns };

  dc_io_loop_invoke_sync (loop, read_turns_cb, args);
  return turns;
}

static void
test_wakeup (void)
{
  Rig rig = { 0 };
  Invokes inv = { 0 };
  Producer producers[4];
  GThread *threads[4];
  guint64 before, after;

  rig_start (&rig);
  dc_io_loop_invoke_sync (rig.loop, loop_thread_cb, &inv.loop_thread);
  g_assert_nonnull (inv.loop_thread);
  g_assert_true (inv.loop_thread != g_thread_self ());
  g_assert_false (dc_io_loop_is_current (rig.loop));

  /* An idle loop sleeps: no turns while nothing happens (the sync call itself is one). */
  before = loop_turns (rig.loop);
  g_usleep (20000); /* not synchronisation: the time an idle loop must not spin in */
  after = loop_turns (rig.loop);
  g_assert_cmpuint (after - before, <=, 2);

  for (guint i = 0; i < 4; i++)
    {
      producers[i].loop = rig.loop;
      producers[i].inv = &inv;
      producers[i].producer = i;
      threads[i] = g_thread_new ("producer", producer_thread, &producers[i]);
    }
  for (guint i = 0; i < 4; i++)
    g_thread_join (threads[i]);
  /* Ordered after every invocation queued before it. */
  dc_io_loop_invoke_sync (rig.loop, (GSourceFunc) (void (*)(void)) g_get_monotonic_time, NULL);
  for (guint i = 0; i < 4; i++)
    g_assert_cmpuint (inv.count[i], ==, 2000);
  g_assert_cmpuint (inv.bad_order, ==, 0);
  g_assert_null (inv.wrong_thread);
  rig_stop (&rig);
}

static void
test_quit_before_run (void)
{
  g_autoptr(DcIoLoop) loop = dc_io_loop_new ();

  dc_io_loop_quit (loop);
  dc_io_loop_run (loop); /* returns at once */
}

/* Descriptors */

typedef struct
{
  DcIoLoop  *loop;
  int        fds[2];
  DcIoWatch *watch;
  GString   *received;
  guint      writable;
  guint      after_remove;
  gboolean   removed;
  guint      n_received;   /* atomic */
  gint       hup;          /* atomic */
} Pipe;

static void
pipe_cb (int      fd,
         guint32  events,
         gpointer data)
{
  Pipe *p = data;
  char buf[64];
  gssize n;

  if (p->removed)
    {
      p->after_remove++;
      return;
    }
  if (events & EPOLLOUT)
    {
      p->writable++;
      dc_io_watch_set_events (p->watch, EPOLLIN);
    }
  if (events & EPOLLIN)
    {
      n = read (fd, buf, sizeof buf);
      if (n > 0)
        {
          g_string_append_len (p->received, buf, n);
          g_atomic_int_add (&p->n_received, n);
        }
      else if (n == 0)
        {
          g_atomic_int_set (&p->hup, TRUE);
          /* Removed from inside its own callback. */
          dc_io_watch_remove (p->watch);
          p->removed = TRUE;
        }
    }
}

static gboolean
watch_add_cb (gpointer data)
{
  Pipe *p = data;

  p->watch = dc_io_watch_add (p->loop, p->fds[0], EPOLLIN | EPOLLOUT, pipe_cb, p);
  return G_SOURCE_REMOVE;
}

static void
test_fd_ready (void)
{
  Rig rig = { 0 };
  Pipe p = { 0 };

  rig_start (&rig);
  g_assert_cmpint (socketpair (AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, p.fds), ==, 0);
  p.loop = rig.loop;
  p.received = g_string_new (NULL);
  dc_io_loop_invoke_sync (rig.loop, watch_add_cb, &p);
  g_assert_cmpint (write (p.fds[1], "hello ", 6), ==, 6);
  DC_TEST_WAIT_UNTIL (g_atomic_int_get (&p.n_received) == 6, 5);
  g_assert_cmpint (write (p.fds[1], "world", 5), ==, 5);
  close (p.fds[1]);
  DC_TEST_WAIT_UNTIL (g_atomic_int_get (&p.hup), 5);
  dc_io_loop_invoke_sync (rig.loop, (GSourceFunc) (void (*)(void)) g_get_monotonic_time, NULL);
  g_assert_cmpstr (p.received->str, ==, "hello world");
  g_assert_cmpuint (p.writable, ==, 1);
  g_assert_cmpuint (p.after_remove, ==, 0);
  close (p.fds[0]);
  g_string_free (p.received, TRUE);
  rig_stop (&rig);
}

/* The hosted GMainContext */

typedef struct
{
  DcIoLoop  *loop;
  DcIoTimer  timer;
  guint      glib_fired;   /* atomic */
  guint      idle_fired;   /* atomic */
  GThread   *glib_thread;
} Hosted;

static gboolean
hosted_timeout_cb (gpointer data)
{
  Hosted *h = data;

  h->glib_thread = g_thread_self ();
  g_atomic_int_inc (&h->glib_fired);
  return G_SOURCE_REMOVE;
}

static gboolean
hosted_idle_cb (gpointer data)
{
  Hosted *h = data;

  g_atomic_int_inc (&h->idle_fired);
  return G_SOURCE_REMOVE;
}

/* A loop timer attaches a GLib source from the loop's thread, inside the loop's wait: GLib
 * must still see it. */
static void
hosted_timer_cb (gpointer data)
{
  Hosted *h = data;
  GSource *source = g_idle_source_new ();

  g_source_set_callback (source, hosted_idle_cb, h, NULL);
  g_source_attach (source, dc_io_loop_get_context (h->loop));
  g_source_unref (source);
}

static gboolean
hosted_arm_cb (gpointer data)
{
  Hosted *h = data;

  dc_io_timer_init (&h->timer, hosted_timer_cb, h);
  dc_io_timer_set (h->loop, &h->timer, g_get_monotonic_time () + 2000);
  return G_SOURCE_REMOVE;
}

static void
test_hosted_context (void)
{
  Rig rig = { 0 };
  Hosted h = { 0 };
  GSource *source;
  g_autoptr(DcIoLoop) same = NULL;

  rig_start (&rig);
  h.loop = rig.loop;
  same = dc_io_loop_ref_for_context (dc_io_loop_get_context (rig.loop));
  g_assert_true (same == rig.loop);

  /* A GLib timeout attached from this thread runs on the loop's thread. */
  source = g_timeout_source_new (3);
  g_source_set_callback (source, hosted_timeout_cb, &h, NULL);
  g_source_attach (source, dc_io_loop_get_context (rig.loop));
  g_source_unref (source);
  DC_TEST_WAIT_UNTIL (g_atomic_int_get (&h.glib_fired) == 1, 5);
  g_assert_true (h.glib_thread != g_thread_self ());

  dc_io_loop_invoke_sync (rig.loop, hosted_arm_cb, &h);
  DC_TEST_WAIT_UNTIL (g_atomic_int_get (&h.idle_fired) == 1, 5);
  rig_stop (&rig);
}

/* A loop as a GSource of the default context */

static void
count_cb (gpointer data)
{
  (*(guint *) data)++;
}

static gboolean
invoked_cb (gpointer data)
{
  (*(guint *) data) += 10;
  return G_SOURCE_REMOVE;
}

static void
test_attached (void)
{
  g_autoptr(DcIoLoop) loop = dc_io_loop_ref_for_context (NULL);
  g_autoptr(DcIoLoop) again = dc_io_loop_ref_for_context (g_main_context_default ());
  DcIoTimer t1, t2;
  guint count = 0;
  int fds[2];
  Pipe p = { 0 };

  g_assert_true (loop == again);
  g_assert_true (dc_io_loop_get_context (loop) == g_main_context_default ());
  dc_io_timer_init (&t1, count_cb, &count);
  dc_io_timer_init (&t2, count_cb, &count);
  dc_io_timer_set (loop, &t1, g_get_monotonic_time () + 1000);
  dc_io_timer_set (loop, &t2, g_get_monotonic_time () + 2000);
  DC_TEST_WAIT_UNTIL (count == 2, 5);

  /* Nobody iterates the default context here: invoke_sync runs directly. */
  dc_io_loop_invoke_sync (loop, invoked_cb, &count);
  g_assert_cmpuint (count, ==, 12);
  dc_io_loop_invoke (loop, invoked_cb, &count, NULL);
  DC_TEST_WAIT_UNTIL (count == 22, 5);

  g_assert_cmpint (socketpair (AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds), ==, 0);
  p.loop = loop;
  p.fds[0] = fds[0];
  p.received = g_string_new (NULL);
  p.watch = dc_io_watch_add (loop, fds[0], EPOLLIN, pipe_cb, &p);
  g_assert_cmpint (write (fds[1], "abc", 3), ==, 3);
  close (fds[1]);
  DC_TEST_WAIT_UNTIL (g_atomic_int_get (&p.hup), 5);
  g_assert_cmpstr (p.received->str, ==, "abc");
  close (fds[0]);
  g_string_free (p.received, TRUE);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/dc/io-loop/timers/order", test_timers_order);
  g_test_add_func ("/dc/io-loop/timers/cancel-rearm", test_timers_cancel_rearm);
  g_test_add_func ("/dc/io-loop/timers/10000", test_timers_many);
  g_test_add_func ("/dc/io-loop/wakeup", test_wakeup);
  g_test_add_func ("/dc/io-loop/quit-before-run", test_quit_before_run);
  g_test_add_func ("/dc/io-loop/fd-ready", test_fd_ready);
  g_test_add_func ("/dc/io-loop/hosted-context", test_hosted_context);
  g_test_add_func ("/dc/io-loop/attached", test_attached);

  return g_test_run ();
}
