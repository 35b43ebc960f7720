/* test-ui-formula.c
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * The formula editor under Xvfb (docs/ui-editing.md "Formulas"): opened from the window's
 * action, the live formula_check answer under the expression (an error, then OK once the
 * missing parameter is picked), saved through the plant connection (stored, with its audit
 * row), edited again from the result point's selection.
 */

#include "config.h"

#include <string.h>

#include "dc-test-ui.h"

#include "dc-audit.h"
#include "dc-formula-editor.h"
#include "dc-remote-source.h"
#include "dc-test-http.h"
#include "dc-test-server.h"
#include "dc-test-wait.h"

static void
plant (UiPlant *f)
{
  dc_test_store_create (f->store, DC_KIND_DEVICE, "{\"id\":\"v\",\"name\":\"Feeder\",\"protocol\":\"virtual\"}");
  dc_test_store_create (f->store, DC_KIND_DEVICE, "{\"id\":\"calc\",\"name\":\"Calculations\",\"protocol\":\"formula\"}");
  dc_test_store_create (f->store, DC_KIND_TERM, "{\"id\":\"t\",\"device_id\":\"v\"}");
  dc_test_store_create (f->store, DC_KIND_TERM, "{\"id\":\"ft\",\"device_id\":\"calc\"}");
  dc_test_store_create (f->store, DC_KIND_ITEM, "{\"id\":\"pa\",\"name\":\"Phase A power\",\"unit\":\"kW\"}");
  dc_test_store_create (f->store, DC_KIND_ITEM, "{\"id\":\"pb\",\"name\":\"Phase B power\",\"unit\":\"kW\"}");
  dc_test_store_create (f->store, DC_KIND_ITEM, "{\"id\":\"sum\",\"name\":\"Total power\",\"unit\":\"kW\"}");
  dc_test_store_create (f->store, DC_KIND_POINT, "{\"term_id\":\"t\",\"item_id\":\"pa\"}");
  dc_test_store_create (f->store, DC_KIND_POINT, "{\"term_id\":\"t\",\"item_id\":\"pb\"}");
  dc_test_store_create (f->store, DC_KIND_POINT, "{\"term_id\":\"ft\",\"item_id\":\"sum\"}");
}

/* The mapped GtkLabel under @widget whose text is @text. */
static GtkWidget *
find_label (GtkWidget  *widget,
            const char *text)
{
  if (GTK_IS_LABEL (widget) && gtk_widget_get_mapped (widget) &&
      g_strcmp0 (gtk_label_get_label (GTK_LABEL (widget)), text) == 0)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_label (child, text);

      if (found != NULL)
        return found;
    }
  return NULL;
}

typedef struct
{
  DcFormulaEditor *editor;
  const char      *label;
} LabelWait;

static gboolean
label_shown (gpointer data)
{
  LabelWait *w = data;

  return dc_formula_editor_get_check_text (w->editor) != NULL &&
         find_label (GTK_WIDGET (w->editor), w->label) != NULL;
}

static gboolean
checked (gpointer data)
{
  return dc_formula_editor_get_check_text (data) != NULL;
}

static void
test_formula_editor (void)
{
  g_autoptr(GPtrArray) rows = NULL;
  DcFormulaEditor *editor;
  DcPointRow *row;
  LabelWait wait;
  GtkWidget *label;
  UiPlant f;

  ui_plant_setup (&f, FALSE, NULL);
  plant (&f);
  ui_plant_open_window (&f);

  editor = DC_FORMULA_EDITOR (ui_activate_for_dialog (GTK_WINDOW (f.window), "win.add-formula",
                                                      DC_TYPE_FORMULA_EDITOR));
  g_assert_true (DC_IS_FORMULA_EDITOR (editor));
  ui_wait_for_frame (GTK_WIDGET (editor));

  /* Only points of formula devices can be results; every point can be a parameter. */
  g_assert_false (dc_formula_editor_set_result (editor, "v:t:pa"));
  g_assert_true (dc_formula_editor_set_result (editor, "calc:ft:sum"));
  dc_formula_editor_set_id (editor, "total");
  g_assert_cmpstr (dc_formula_editor_add_parameter (editor, "v:t:pa"), ==, "p1");
  g_assert_null (dc_formula_editor_add_parameter (editor, "v:t:nothing"));

  /* The expression reads p2, which is not picked yet: the server's reason, in error style. */
  dc_formula_editor_set_expression (editor, "p1[-1] + p2[-1]");
  wait = (LabelWait) { editor, "name p2 is not defined" };
  g_assert_true (ui_wait_until (label_shown, &wait, 10000));
  g_assert_cmpstr (dc_formula_editor_get_check_text (editor), ==, "name p2 is not defined");
  label = find_label (GTK_WIDGET (editor), "name p2 is not defined");
  g_assert_true (gtk_widget_has_css_class (label, "error"));
  ui_run_for (100);
  g_assert_cmpuint (ui_render_png_settled (GTK_WIDGET (editor), "screenshot-formula-error.png"), >, 16);

  /* A syntax error is the parser's text. */
  dc_formula_editor_set_expression (editor, "p1[-1] +* 2");
  g_assert_true (ui_wait_until (checked, editor, 10000));
  g_test_message ("syntax: %s", dc_formula_editor_get_check_text (editor));
  g_assert_true (g_str_has_prefix (dc_formula_editor_get_check_text (editor), "syntax error"));

  /* Picked from the plant's points: p2, and the check says OK. */
  dc_formula_editor_set_expression (editor, "p1[-1] + p2[-1]");
  g_assert_cmpstr (dc_formula_editor_add_parameter (editor, "v:t:pb"), ==, "p2");
  g_assert_nonnull (find_label (GTK_WIDGET (editor), "Feeder › t › Phase B power (v:t:pb)"));
  wait = (LabelWait) { editor, "OK: the formula reads its parameters and computes" };
  g_assert_true (ui_wait_until (label_shown, &wait, 10000));
  g_assert_cmpstr (dc_formula_editor_get_check_text (editor), ==, "OK");
  label = find_label (GTK_WIDGET (editor), wait.label);
  g_assert_true (gtk_widget_has_css_class (label, "success"));
  ui_run_for (100);
  g_assert_cmpuint (ui_render_png_settled (GTK_WIDGET (editor), "screenshot-formula-editor.png"), >, 16);

  /* Saved through the plant connection: stored, with its audit row. */
  g_assert_true (dc_formula_editor_save (editor));
  {
    g_autoptr(JsonObject) formula = dc_store_get (f.store, DC_KIND_FORMULA, "total", NULL);

    g_assert_nonnull (formula);
    g_assert_cmpstr (json_object_get_string_member (formula, "formula"), ==, "p1[-1] + p2[-1]");
    g_assert_cmpstr (json_object_get_string_member (formula, "p1"), ==, "v:t:pa");
    g_assert_cmpstr (json_object_get_string_member (formula, "p2"), ==, "v:t:pb");
    g_assert_cmpstr (json_object_get_string_member (formula, "device_id"), ==, "calc");
    g_assert_cmpstr (json_object_get_string_member (formula, "item_id"), ==, "sum");
  }
  rows = dc_test_audit_rows (f.store, "formula.create", "total");
  g_assert_cmpuint (rows->len, ==, 1);

  /* Edit Formula of the selected result point: the stored formula, changed and saved. */
  row = dc_plant_model_lookup_point_id (dc_window_get_plant (f.window), "ft", "sum");
  g_assert_nonnull (row);
  g_assert_true (dc_window_select (f.window, row));
  dc_window_set_view (f.window, "points");
  editor = DC_FORMULA_EDITOR (ui_activate_for_dialog (GTK_WINDOW (f.window), "win.edit-formula",
                                                      DC_TYPE_FORMULA_EDITOR));
  g_assert_true (DC_IS_FORMULA_EDITOR (editor));
  g_assert_cmpstr (dc_formula_editor_get_expression (editor), ==, "p1[-1] + p2[-1]");
  g_assert_cmpuint (dc_formula_editor_get_n_parameters (editor), ==, 2);
  g_assert_cmpstr (dc_formula_editor_get_parameter (editor, "p2"), ==, "v:t:pb");
  dc_formula_editor_set_expression (editor, "max(p1[-1], p2[-1])");
  wait = (LabelWait) { editor, "OK: the formula reads its parameters and computes" };
  g_assert_true (ui_wait_until (label_shown, &wait, 10000));
  g_assert_true (dc_formula_editor_save (editor));
  {
    g_autoptr(JsonObject) formula = dc_store_get (f.store, DC_KIND_FORMULA, "total", NULL);

    g_assert_cmpstr (json_object_get_string_member (formula, "formula"), ==, "max(p1[-1], p2[-1])");
  }

  /* A refused save (a second formula for the same result) shows the server's message. */
  editor = DC_FORMULA_EDITOR (ui_activate_for_dialog (GTK_WINDOW (f.window), "win.add-formula",
                                                      DC_TYPE_FORMULA_EDITOR));
  dc_formula_editor_set_id (editor, "again");
  g_assert_true (dc_formula_editor_set_result (editor, "calc:ft:sum"));
  dc_formula_editor_set_expression (editor, "1");
  g_assert_false (dc_formula_editor_save (editor));
  g_test_message ("refused: %s", dc_formula_editor_get_error (editor));
  g_assert_cmpstr (dc_formula_editor_get_error (editor), ==,
                   "point already computed by formula total!");
  g_assert_nonnull (find_label (GTK_WIDGET (editor), "point already computed by formula total!"));
  gtk_window_destroy (GTK_WINDOW (editor));

  ui_plant_teardown (&f);
}

static void
post (const char *base,
      const char *path,
      const char *body)
{
  g_autoptr(DcReply) reply = dc_http (base, "POST", path, body);

  if (reply->status != 200)
    g_error ("POST %s %s: %u %s", path, body, reply->status, reply->body);
}

static gboolean
formula_on_server (gpointer data)
{
  g_autoptr(DcReply) reply = dc_http (data, "GET", "/api/v1/formulas/remote-total", NULL);

  return reply->status == 200;
}

/* A remote desk: the check is POST /api/v1/formula_check (a text answer), the save a POST of
 * the formula, recorded in the server's audit log. */
static void
test_formula_remote (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = dc_test_make_dir ();
  g_autofree char *db = g_build_filename (dir, "server.db", NULL);
  g_autoptr(DcRemoteSource) source = NULL;
  g_autoptr(DcPlantModel) plant = dc_plant_model_new ();
  g_autoptr(DcReply) audit = NULL;
  DcTestServer *server;
  DcFormulaEditor *editor;
  LabelWait wait;

  server = dc_test_server_start ((const char *[]) { "--server", "--port", "0", "--db", db, NULL });
  post (server->base, "/api/v1/devices", "{\"id\":\"v\",\"name\":\"Feeder\",\"protocol\":\"virtual\"}");
  post (server->base, "/api/v1/devices", "{\"id\":\"calc\",\"protocol\":\"formula\"}");
  post (server->base, "/api/v1/terms", "{\"id\":\"t\",\"device_id\":\"v\"}");
  post (server->base, "/api/v1/terms", "{\"id\":\"ft\",\"device_id\":\"calc\"}");
  post (server->base, "/api/v1/items", "{\"id\":\"pa\"}");
  post (server->base, "/api/v1/items", "{\"id\":\"sum\"}");
  post (server->base, "/api/v1/terms/t/items", "{\"item_id\":\"pa\"}");
  post (server->base, "/api/v1/terms/ft/items", "{\"item_id\":\"sum\"}");

  source = dc_remote_source_new (server->base, NULL, &error);
  g_assert_no_error (error);
  dc_plant_source_attach (DC_PLANT_SOURCE (source), plant);
  DC_TEST_WAIT_UNTIL (dc_plant_source_get_state (DC_PLANT_SOURCE (source)) == DC_SOURCE_CONNECTED &&
                      dc_plant_model_get_n_points (plant) == 2, 30);

  editor = dc_formula_editor_new (NULL, DC_PLANT_SOURCE (source), plant, NULL, "calc:ft:sum");
  gtk_window_present (GTK_WINDOW (editor));
  ui_wait_for_frame (GTK_WIDGET (editor));
  dc_formula_editor_set_id (editor, "remote-total");
  dc_formula_editor_set_expression (editor, "p1[-1] * 2 + p2[-1]");
  g_assert_cmpstr (dc_formula_editor_add_parameter (editor, "v:t:pa"), ==, "p1");
  wait = (LabelWait) { editor, "name p2 is not defined" };
  g_assert_true (ui_wait_until (label_shown, &wait, 20000));
  dc_formula_editor_set_expression (editor, "p1[-1] * 2");
  wait = (LabelWait) { editor, "OK: the formula reads its parameters and computes" };
  g_assert_true (ui_wait_until (label_shown, &wait, 20000));

  /* Saved by the server: the editor closes when the answer comes. */
  g_object_ref (editor);
  g_assert_true (dc_formula_editor_save (editor));
  g_assert_true (ui_wait_until (formula_on_server, server->base, 20000));
  DC_TEST_WAIT_UNTIL (!gtk_widget_get_visible (GTK_WIDGET (editor)), 20);
  g_assert_null (dc_formula_editor_get_error (editor));
  g_object_unref (editor);
  audit = dc_http (server->base, "GET", "/api/v1/audit?action=formula.create", NULL);
  g_assert_cmpuint (audit->status, ==, 200);
  g_test_message ("audit: %s", audit->body);
  g_assert_nonnull (strstr (audit->body, "\"target\":\"remote-total\""));

  dc_plant_source_detach (DC_PLANT_SOURCE (source));
  dc_test_server_stop (server);
}

int
main (int   argc,
      char *argv[])
{
  ui_test_init (&argc, &argv);

  ui_test_add ("/dc/ui/formula/editor", test_formula_editor);
  ui_test_add ("/dc/ui/formula/remote", test_formula_remote);

  return g_test_run ();
}
