/* dc-test-serial.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-test-serial"

#include "config.h"

#include "dc-test-serial.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <termios.h>
#include <unistd.h>

struct _DcTestPtyPair
{
  GSubprocess *socat;
};

static void
child_setup (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

DcTestPtyPair *
dc_test_pty_pair_new (const char *path_a,
                      const char *path_b)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *arg_a = g_strdup_printf ("pty,raw,echo=0,link=%s", path_a);
  g_autofree char *arg_b = g_strdup_printf ("pty,raw,echo=0,link=%s", path_b);
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GDataInputStream) data = NULL;
  DcTestPtyPair *self = g_new0 (DcTestPtyPair, 1);

  g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);
  self->socat = g_subprocess_launcher_spawn (launcher, &error, "socat", "-d", "-d", arg_a, arg_b,
                                             NULL);
  g_assert_no_error (error);
  data = g_data_input_stream_new (g_subprocess_get_stderr_pipe (self->socat));
  for (;;)
    {
      g_autofree char *line = g_data_input_stream_read_line (data, NULL, NULL, &error);

      g_assert_no_error (error);
      g_assert_nonnull (line);
      if (strstr (line, "starting data transfer loop") != NULL)
        break;
    }
  return self;
}

void
dc_test_pty_pair_close (DcTestPtyPair *self)
{
  if (self->socat == NULL)
    return;
  g_subprocess_send_signal (self->socat, SIGTERM);
  g_subprocess_wait (self->socat, NULL, NULL);
  g_clear_object (&self->socat);
}

void
dc_test_pty_pair_free (DcTestPtyPair *self)
{
  if (self == NULL)
    return;
  dc_test_pty_pair_close (self);
  g_free (self);
}

/* The relay */

#define FRAME_MAX 300

typedef struct
{
  guint8 bytes[FRAME_MAX];
  gsize  len;
} Frame;

struct _DcTestSerialRelay
{
  int                a;        /* the driver's side: requests in, answers out */
  int                b;        /* the peer's side: answers in, requests out */
  int                wake;     /* eventfd: stop */
  GThread           *thread;
  GRand             *rand;     /* relay thread */
  Frame              request;  /* relay thread */
  Frame              answer;   /* relay thread */

  GMutex             lock;
  DcTestSerialFault  fault;
  guint              arg;
  guint              n_answers;
  guint              n_faulted;
};

/* The length of the RTU request that starts @f, 0 while unknown. */
static gsize
request_length (const Frame *f)
{
  if (f->len < 2)
    return 0;
  switch (f->bytes[1])
    {
    case 1: case 2: case 3: case 4: case 5: case 6:
      return 8;
    case 15: case 16:
      return f->len < 7 ? 0 : 9 + f->bytes[6];
    case 22:
      return 10;
    default:
      return f->len;   /* unknown: as read */
    }
}

/* The length of the RTU answer that starts @f, 0 while unknown. */
static gsize
answer_length (const Frame *f)
{
  if (f->len < 2)
    return 0;
  if (f->bytes[1] & 0x80)
    return 5;
  switch (f->bytes[1])
    {
    case 1: case 2: case 3: case 4:
      return f->len < 3 ? 0 : 5 + f->bytes[2];
    case 5: case 6: case 15: case 16:
      return 8;
    case 22:
      return 10;
    default:
      return f->len;
    }
}

static void
write_all (int           fd,
           const guint8 *bytes,
           gsize         len)
{
  while (len > 0)
    {
      ssize_t n = write (fd, bytes, len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return;   /* the line went away: the test sees it on the driver's side */
      bytes += n;
      len -= n;
    }
}

static void
relay_request (DcTestSerialRelay *self,
               const guint8      *bytes,
               gsize              len)
{
  gboolean mute;

  g_mutex_lock (&self->lock);
  mute = self->fault == DC_TEST_SERIAL_MUTE_UNIT && bytes[0] == self->arg;
  g_mutex_unlock (&self->lock);
  if (!mute)
    write_all (self->b, bytes, len);
}

static void
relay_answer (DcTestSerialRelay *self,
              const guint8      *bytes,
              gsize              len)
{
  guint8 out[FRAME_MAX + 256];
  DcTestSerialFault fault;
  guint arg;

  g_mutex_lock (&self->lock);
  fault = self->fault;
  arg = self->arg;
  self->n_answers++;
  if (fault == DC_TEST_SERIAL_NOISE || fault == DC_TEST_SERIAL_CORRUPT)
    self->n_faulted++;
  g_mutex_unlock (&self->lock);

  memcpy (out, bytes, len);
  if (fault == DC_TEST_SERIAL_CORRUPT)
    out[len - 1] ^= 0x10;
  if (fault == DC_TEST_SERIAL_NOISE)
    {
      /* One write: the noise is on the line before the driver's next request goes out. */
      arg = MIN (arg, 256);
      for (guint i = 0; i < arg; i++)
        out[len + i] = g_rand_int_range (self->rand, 0, 256);
      len += arg;
    }
  write_all (self->a, out, len);
}

/* Reads what @fd has into @f and hands on each whole frame. FALSE when the line is gone. */
static gboolean
relay_read (DcTestSerialRelay *self,
            int                fd,
            Frame             *f,
            gboolean           requests)
{
  ssize_t n = read (fd, f->bytes + f->len, FRAME_MAX - f->len);
  gsize flen;

  if (n < 0 && (errno == EAGAIN || errno == EINTR))
    return TRUE;
  if (n <= 0)
    return FALSE;
  f->len += n;
  while ((flen = requests ? request_length (f) : answer_length (f)) != 0 && flen <= f->len)
    {
      if (requests)
        relay_request (self, f->bytes, flen);
      else
        relay_answer (self, f->bytes, flen);
      memmove (f->bytes, f->bytes + flen, f->len - flen);
      f->len -= flen;
    }
  if (f->len == FRAME_MAX)
    f->len = 0;   /* no frame is that long: drop it */
  return TRUE;
}

static gpointer
relay_thread (gpointer data)
{
  DcTestSerialRelay *self = data;

  for (;;)
    {
      struct pollfd fds[3] = {
        { self->a, POLLIN, 0 },
        { self->b, POLLIN, 0 },
        { self->wake, POLLIN, 0 },
      };

      if (poll (fds, 3, -1) < 0)
        {
          if (errno == EINTR)
            continue;
          break;
        }
      if (fds[2].revents != 0)
        break;
      if ((fds[0].revents & (POLLIN | POLLHUP | POLLERR)) &&
          !relay_read (self, self->a, &self->request, TRUE))
        break;
      if ((fds[1].revents & (POLLIN | POLLHUP | POLLERR)) &&
          !relay_read (self, self->b, &self->answer, FALSE))
        break;
    }
  return NULL;
}

static int
open_raw (const char *path)
{
  struct termios tio;
  int fd = open (path, O_RDWR | O_NOCTTY | O_CLOEXEC);

  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (tcgetattr (fd, &tio), ==, 0);
  cfmakeraw (&tio);
  g_assert_cmpint (tcsetattr (fd, TCSANOW, &tio), ==, 0);
  return fd;
}

DcTestSerialRelay *
dc_test_serial_relay_new (const char *master_side,
                          const char *peer_side)
{
  DcTestSerialRelay *self = g_new0 (DcTestSerialRelay, 1);

  g_mutex_init (&self->lock);
  self->a = open_raw (master_side);
  self->b = open_raw (peer_side);
  self->wake = eventfd (0, EFD_CLOEXEC);
  g_assert_cmpint (self->wake, >=, 0);
  self->rand = g_rand_new ();
  self->thread = g_thread_new ("dc-test-serial-relay", relay_thread, self);
  return self;
}

void
dc_test_serial_relay_set_fault (DcTestSerialRelay *self,
                                DcTestSerialFault  fault,
                                guint              arg)
{
  g_mutex_lock (&self->lock);
  self->fault = fault;
  self->arg = arg;
  g_mutex_unlock (&self->lock);
}

guint
dc_test_serial_relay_n_answers (DcTestSerialRelay *self)
{
  guint n;

  g_mutex_lock (&self->lock);
  n = self->n_answers;
  g_mutex_unlock (&self->lock);
  return n;
}

guint
dc_test_serial_relay_n_faulted (DcTestSerialRelay *self)
{
  guint n;

  g_mutex_lock (&self->lock);
  n = self->n_faulted;
  g_mutex_unlock (&self->lock);
  return n;
}

void
dc_test_serial_relay_free (DcTestSerialRelay *self)
{
  guint64 one = 1;

  if (self == NULL)
    return;
  if (write (self->wake, &one, sizeof one) != sizeof one)
    g_error ("eventfd write: %s", g_strerror (errno));
  g_thread_join (self->thread);
  close (self->a);
  close (self->b);
  close (self->wake);
  g_rand_free (self->rand);
  g_mutex_clear (&self->lock);
  g_free (self);
}
