/* test-hostile-parser.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "hostile.h"

/* Issue 21, item 7: parsing on the main thread. formula_check with 32k arguments blocked every
 * request for 6 s. While a large check runs, a normal request must be answered within the
 * probe budget, and the check must answer. */

typedef enum
{
  CASE_PARAMETERS,   /* {"formula": "p1", "p1": …, "p32000": …} */
  CASE_NAMES,        /* p1+p2+…: thousands of distinct names */
  CASE_ARGUMENTS,    /* max(1,1,…) */
  CASE_CHAIN,        /* 1<1<1<… */
} ParserCase;

static char *
make_body (ParserCase c)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GString) formula = g_string_new (NULL);

  json_builder_begin_object (builder);
  switch (c)
    {
    case CASE_PARAMETERS:
      g_string_append (formula, "p1");
      for (guint i = 1; i <= 32000; i++)
        {
          g_autofree char *name = g_strdup_printf ("p%u", i);

          json_builder_set_member_name (builder, name);
          json_builder_add_string_value (builder, "v:t1:i1");
        }
      break;
    case CASE_NAMES:
      g_string_append (formula, "p1");
      for (guint i = 2; formula->len < 65000; i++)
        g_string_append_printf (formula, "+p%u", i);
      break;
    case CASE_ARGUMENTS:
      g_string_append (formula, "max(1");
      while (formula->len < 65000)
        g_string_append (formula, ",1");
      g_string_append_c (formula, ')');
      break;
    case CASE_CHAIN:
      g_string_append (formula, "1");
      while (formula->len < 65000)
        g_string_append (formula, "<1");
      break;
    default:
      g_assert_not_reached ();
    }
  json_builder_set_member_name (builder, "formula");
  json_builder_add_string_value (builder, formula->str);
  json_builder_end_object (builder);
  node = json_builder_get_root (builder);
  return json_to_string (node, FALSE);
}

static void
test_parser (gconstpointer data)
{
  ParserCase c = GPOINTER_TO_UINT (data);
  g_autoptr(HostileServer) server = hostile_server_start (NULL, NULL);
  g_autofree char *body = make_body (c);
  g_autofree char *request = NULL;
  g_autofree char *answer = NULL;
  gint64 start;
  gint64 deadline;
  gboolean answered = FALSE;
  guint probes = 0;
  int fd;

  hostile_http_ok (server, "POST", "/api/v1/devices", "{\"id\":\"v\",\"protocol\":\"virtual\"}");
  hostile_http_ok (server, "POST", "/api/v1/terms", "{\"id\":\"t1\",\"device_id\":\"v\"}");
  hostile_http_ok (server, "POST", "/api/v1/items", "{\"id\":\"i1\"}");
  hostile_http_ok (server, "POST", "/api/v1/terms/t1/items", "{\"item_id\":\"i1\"}");

  request = g_strdup_printf ("POST /api/v1/formula_check HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                             "Connection: close\r\nContent-Type: application/json\r\n"
                             "Content-Length: %zu\r\n\r\n%s", strlen (body), body);
  fd = hostile_connect (server);
  start = g_get_monotonic_time ();
  hostile_send (fd, request, strlen (request));

  /* Probe while the check runs, until it answers (30 s at most). */
  deadline = start + 30 * G_USEC_PER_SEC;
  while (!answered && g_get_monotonic_time () < deadline)
    {
      struct pollfd p = { fd, POLLIN, 0 };

      if (poll (&p, 1, 0) > 0)
        answered = TRUE;
      else
        {
          hostile_assert_responsive (server);
          probes++;
        }
    }
  answer = hostile_read (fd, NULL, 20000, NULL);
  close (fd);
  g_test_message ("answered after %.2f s (%u probes): %.120s",
                  (g_get_monotonic_time () - start) / 1e6, probes, answer);
  g_assert_true (answered);
  g_assert_true (g_str_has_prefix (answer, "HTTP/1.1 200"));
}

int
main (int   argc,
      char *argv[])
{
  static const char *names[] = { "parameters", "names", "arguments", "chain" };

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_strdup_printf ("/dc/hostile/parser/%s", names[i]);

      g_test_add_data_func (path, GUINT_TO_POINTER (i), test_parser);
    }

  return g_test_run ();
}
