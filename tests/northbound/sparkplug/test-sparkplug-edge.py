#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""The Sparkplug B edge node against a real broker, checked by an independent consumer
(docs/sparkplug.md).

A mosquitto started here on a free loopback port; `datacoll --server` with [sparkplug] enabled
and a virtual device created over REST; a consumer on Debian's paho-mqtt with payload classes
generated now by protoc from the project's sparkplug_b.proto. It checks NBIRTH (bdSeq, seq 0,
Node Control/Rebirth), DBIRTH (every metric with name, alias, datatype, unit and quality
properties), DDATA of values written over REST, seq incrementing on every message of the node,
DDEATH/DBIRTH when the device is disabled and enabled again, a rebirth on NCMD, a DCMD that
reaches the point through device_ctrl and comes back as DDATA, and NDEATH with the NBIRTH's
bdSeq after the server is killed. Every wait is for a message, with a deadline.

With --auth, the broker takes no anonymous clients: the node logs in with [sparkplug] username
and password_file, and a wrong password is refused by the broker.

Usage: test-sparkplug-edge.py DATACOLL PROTO_DIR [--auth]"""

import getpass
import json
import os
import queue
import signal
import sqlite3
import subprocess
import sys
import time


sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "lib"))
from dc_test_sparkplug import *  # noqa: E402,F401,F403 (the fixtures, used by name below)


def main():
    datacoll, proto_dir = sys.argv[1], sys.argv[2]
    if "--auth" in sys.argv[3:]:
        run_main("dc-sparkplug-", run_auth, datacoll, proto_dir)
    else:
        run_main("dc-sparkplug-", run, datacoll, proto_dir)


def run_auth(datacoll, proto_dir, tmp, processes):
    pb = generate_classes(proto_dir, tmp)
    passwords = os.path.join(tmp, "passwords")
    subprocess.run(["mosquitto_passwd", "-c", "-b", passwords, "edge", "s3cret"], check=True)
    subprocess.run(["mosquitto_passwd", "-b", passwords, "consumer", "other"], check=True)
    mqtt_port = free_port()
    conf = os.path.join(tmp, "mosquitto.conf")
    with open(conf, "w", encoding="utf-8") as f:
        # user: mosquitto started as root would read the password file as user mosquitto.
        f.write("listener %d 127.0.0.1\nallow_anonymous false\npassword_file %s\n"
                "persistence false\nlog_dest stderr\nuser %s\n"
                % (mqtt_port, passwords, getpass.getuser()))
    broker = start_broker(conf, processes)
    consumer = Consumer(mqtt_port, pb, auth=("consumer", "other"))

    def start_with_password(password):
        # The password file is named relative to the settings file.
        with open(os.path.join(tmp, "edge.password"), "w", encoding="utf-8") as f:
            f.write(password + "\n")
        dc_conf = os.path.join(tmp, "datacoll.conf")
        with open(dc_conf, "w", encoding="utf-8") as f:
            f.write("[server]\nport=0\ndb=%s\n\n[sparkplug]\nenabled=true\nport=%d\n"
                    "group_id=%s\nedge_node_id=%s\nusername=edge\n"
                    "password_file=edge.password\n" % (os.path.join(tmp, "dc.db"), mqtt_port,
                                                      GROUP, NODE))
        return start_server(datacoll, dc_conf, processes)

    # A wrong password: the broker refuses the node (and says so in its log).
    server = start_with_password("wrong")
    wait_for_more(broker.lines, r"disconnected, not authori[sz]ed", "the refusal of a bad password")
    server.send_signal(signal.SIGTERM)
    server.wait(DEADLINE)

    # The right one: a session, NBIRTH, and NDEATH at the end.
    server = start_with_password("s3cret")
    nbirth = consumer.expect(PREFIX + "/NBIRTH/" + NODE)
    server.send_signal(signal.SIGTERM)
    death = consumer.expect(PREFIX + "/NDEATH/" + NODE)
    if metric(death, "bdSeq").long_value != metric(nbirth, "bdSeq").long_value:
        fail("NDEATH and NBIRTH disagree on bdSeq")
    if server.wait(DEADLINE) != 0:
        fail("datacoll did not stop cleanly")
    print("logged in as edge: NBIRTH and NDEATH", flush=True)
    consumer.client.loop_stop()


def run(datacoll, proto_dir, tmp, processes):
    # The payload classes, generated from the project's .proto now.
    PB = generate_classes(proto_dir, tmp)
    pb = PB.Payload

    # The broker.
    mqtt_port = free_port()
    conf = os.path.join(tmp, "mosquitto.conf")
    with open(conf, "w", encoding="utf-8") as f:
        f.write("listener %d 127.0.0.1\nallow_anonymous true\npersistence false\n"
                "log_dest stderr\n"
                % mqtt_port)
    broker = start_broker(conf, processes)
    consumer = Consumer(mqtt_port, PB)

    # The edge node.
    dc_conf = os.path.join(tmp, "datacoll.conf")
    with open(dc_conf, "w", encoding="utf-8") as f:
        f.write("[server]\nport=0\ndb=%s\n\n[sparkplug]\nenabled=true\nport=%d\n"
                "group_id=%s\nedge_node_id=%s\n" % (os.path.join(tmp, "dc.db"), mqtt_port,
                                                   GROUP, NODE))
    server = start_server(datacoll, dc_conf, processes)
    base = server.base

    # NBIRTH: seq 0, bdSeq, Node Control/Rebirth = false.
    nbirth = consumer.expect(PREFIX + "/NBIRTH/" + NODE)
    bd = metric(nbirth, "bdSeq")
    if bd is None or bd.datatype != 4:
        fail("NBIRTH without an Int64 bdSeq: %s" % nbirth)
    bd_seq = bd.long_value
    rebirth = metric(nbirth, "Node Control/Rebirth")
    if rebirth is None or rebirth.datatype != 11 or rebirth.boolean_value:
        fail("NBIRTH without Node Control/Rebirth = false")
    print("NBIRTH bdSeq %d" % bd_seq, flush=True)

    # A virtual device with two points, created over REST: DBIRTH with both metrics.
    rest(base, "POST", "/api/v1/devices", {"id": DEVICE, "protocol": "virtual"})
    rest(base, "POST", "/api/v1/terms", {"id": "t1", "device_id": DEVICE})
    rest(base, "POST", "/api/v1/items", {"id": "temp", "unit": "degC"})
    rest(base, "POST", "/api/v1/items", {"id": "run"})
    rest(base, "POST", "/api/v2/term_items", [
        {"device_id": DEVICE, "term_id": "t1", "item_id": "temp"},
        {"device_id": DEVICE, "term_id": "t1", "item_id": "run", "code_type": "co:bool"},
    ])
    dtopic = lambda kind: "%s/%s/%s/%s" % (PREFIX, kind, NODE, DEVICE)
    dbirth = consumer.expect(dtopic("DBIRTH"), lambda p: len(p.metrics) == 2,
                             "DBIRTH with two metrics")
    temp, run_ = metric(dbirth, "t1/temp"), metric(dbirth, "t1/run")
    if temp is None or run_ is None:
        fail("DBIRTH names: %s" % [m.name for m in dbirth.metrics])
    if temp.datatype != 10 or run_.datatype != 11:
        fail("datatypes %d %d, not Double and Boolean" % (temp.datatype, run_.datatype))
    if not temp.HasField("alias") or not run_.HasField("alias") or temp.alias == run_.alias:
        fail("aliases missing or equal")
    props = properties(temp)
    if props.get("unit") is None or props["unit"].string_value != "degC":
        fail("no unit property on t1/temp: %s" % temp)
    if props.get("quality") is None or props["quality"].type != 3:
        fail("no Int32 quality property on t1/temp")
    if not temp.is_null:
        fail("t1/temp has a value before any sample")
    print("DBIRTH aliases temp=%d run=%d" % (temp.alias, run_.alias), flush=True)

    # REST writes → DDATA by alias, with the values.
    def ctrl(item, value):
        rest(base, "POST", "/api/v1/device_ctrl",
             {"device_id": DEVICE, "term_id": "t1", "item_id": item, "value": value})

    def ddata_with(alias, check):
        def matches(p):
            return any(m.alias == alias and check(m) for m in p.metrics)
        return matches

    ctrl("temp", 21.5)
    p = consumer.expect(dtopic("DDATA"), ddata_with(temp.alias, lambda m: m.double_value == 21.5),
                        "DDATA t1/temp = 21.5")
    m = [m for m in p.metrics if m.alias == temp.alias][0]
    if m.name:
        fail("DDATA names its metric (aliases only)")
    if "quality" not in properties(m) or properties(m)["quality"].int_value != 0:
        fail("the first DDATA of t1/temp has no quality 0")
    ctrl("run", 1)
    consumer.expect(dtopic("DDATA"), ddata_with(run_.alias, lambda m: m.boolean_value),
                    "DDATA t1/run = true")
    start = time.monotonic()
    ctrl("temp", 22.25)
    consumer.expect(dtopic("DDATA"), ddata_with(temp.alias, lambda m: m.double_value == 22.25),
                    "DDATA t1/temp = 22.25")
    print("REST device_ctrl → DDATA at the consumer: %.1f ms"
          % ((time.monotonic() - start) * 1e3), flush=True)

    # Link changes: disabled → DDEATH, enabled → DBIRTH with the current values.
    rest(base, "PUT", "/api/v1/devices/" + DEVICE, {"enabled": False})
    consumer.expect(dtopic("DDEATH"))
    rest(base, "PUT", "/api/v1/devices/" + DEVICE, {"enabled": True})
    consumer.expect(dtopic("DBIRTH"), lambda p: len(p.metrics) == 2, "DBIRTH after enabling")

    # NCMD Node Control/Rebirth → NBIRTH (seq 0, the same bdSeq) and DBIRTH again.
    cmd = pb()
    cmd.timestamp = int(time.time() * 1000)
    cm = cmd.metrics.add()
    cm.name, cm.datatype, cm.boolean_value = "Node Control/Rebirth", 11, True
    consumer.publish(PREFIX + "/NCMD/" + NODE, cmd)
    rebirth_cmd = cmd
    again = consumer.expect(PREFIX + "/NBIRTH/" + NODE)
    if metric(again, "bdSeq").long_value != bd_seq:
        fail("the rebirth changed bdSeq")
    rb = consumer.expect(dtopic("DBIRTH"), what="DBIRTH after the rebirth")
    if metric(rb, "t1/temp").double_value != 22.25:
        fail("the rebirth's t1/temp is not 22.25")

    # DCMD on t1/temp (by alias) → device_ctrl → DDATA with the confirmed value, live in REST.
    cmd = pb()
    cmd.timestamp = int(time.time() * 1000)
    cm = cmd.metrics.add()
    cm.alias, cm.datatype, cm.double_value = temp.alias, 10, 30.5
    consumer.publish(dtopic("DCMD"), cmd)
    consumer.expect(dtopic("DDATA"), ddata_with(temp.alias, lambda m: m.double_value == 30.5),
                    "DDATA t1/temp = 30.5 after DCMD")
    values = json.loads(rest(base, "GET", "/api/v1/values?device_id=" + DEVICE))
    live = [v for v in values if v["item_id"] == "temp"]
    if not live or live[0]["value"] != 30.5:
        fail("REST /values after DCMD: %s" % values)
    # In the audit log like a REST control, with the user and source mqtt (its writer thread
    # writes it a moment after the answer: read until it is there, with a deadline).
    rows = []
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        db = sqlite3.connect("file:%s?mode=ro" % os.path.join(tmp, "dc-audit.db"), uri=True)
        rows = db.execute("SELECT user, source, detail, result FROM audit "
                          "WHERE action = 'control.result' AND target LIKE '%:temp' "
                          "ORDER BY id DESC LIMIT 1").fetchall()
        db.close()
        if rows:
            break
        time.sleep(0.05)
    if rows != [("mqtt", "mqtt", '{"value":30.5,"confirmed":30.5}', "ok")]:
        fail("the DCMD's audit row: %s" % rows)
    # A DCMD by name on t1/run.
    cmd = pb()
    cm = cmd.metrics.add()
    cm.name, cm.datatype, cm.boolean_value = "t1/run", 11, False
    consumer.publish(dtopic("DCMD"), cmd)
    consumer.expect(dtopic("DDATA"), ddata_with(run_.alias, lambda m: not m.boolean_value),
                    "DDATA t1/run = false after DCMD")

    # The broker restarts: the node reconnects with the next bdSeq (its will says so too). The
    # node's own NBIRTH may come before the consumer is back: NCMD rebirth, repeated until an
    # NBIRTH with the next bdSeq arrives (within the deadline).
    consumer.connected.clear()
    consumer.subscribed.clear()
    broker.terminate()
    broker.wait()
    broker = start_broker(conf, processes)
    if not consumer.connected.wait(DEADLINE) or not consumer.subscribed.wait(DEADLINE):
        fail("the consumer does not reconnect")
    end = time.monotonic() + DEADLINE
    nbirth = None
    resend = 0
    while nbirth is None:
        now = time.monotonic()
        if now > end:
            fail("no NBIRTH after the broker restarted")
        if now >= resend:
            consumer.publish(PREFIX + "/NCMD/" + NODE, rebirth_cmd)
            resend = now + 0.5
        try:
            topic, payload = consumer.messages.get(timeout=resend - now)
        except queue.Empty:
            continue
        consumer._check_seq(topic, payload)
        if topic == PREFIX + "/NBIRTH/" + NODE:
            nbirth = payload
    if metric(nbirth, "bdSeq").long_value != (bd_seq + 1) % 256:
        fail("bdSeq %d after the reconnection, not %d" % (metric(nbirth, "bdSeq").long_value,
                                                         bd_seq + 1))
    bd_seq = metric(nbirth, "bdSeq").long_value
    consumer.expect(dtopic("DBIRTH"), lambda p: len(p.metrics) == 2, "DBIRTH after reconnecting")
    print("reconnected with bdSeq %d" % bd_seq, flush=True)

    # The server dies: the broker sends the will, NDEATH with the NBIRTH's bdSeq.
    server.send_signal(signal.SIGKILL)
    server.wait()
    death = consumer.expect(PREFIX + "/NDEATH/" + NODE)
    if metric(death, "bdSeq") is None or metric(death, "bdSeq").long_value != bd_seq:
        fail("NDEATH bdSeq %s, not %d" % (metric(death, "bdSeq"), bd_seq))
    print("NDEATH bdSeq %d after %d node messages in sequence" % (bd_seq, consumer.count),
          flush=True)

    # Started again on the same configuration: NBIRTH and the device's DBIRTH at once; a
    # SIGTERM ends the session with NDEATH of the same bdSeq, and the server stops. (The
    # consumer stays: its seq check starts again at the NBIRTH.)
    server = start_server(datacoll, dc_conf, processes)
    nbirth = consumer.expect(PREFIX + "/NBIRTH/" + NODE)
    bd_seq = metric(nbirth, "bdSeq").long_value
    consumer.expect(dtopic("DBIRTH"), lambda p: len(p.metrics) == 2, "DBIRTH at start")
    server.send_signal(signal.SIGTERM)
    death = consumer.expect(PREFIX + "/NDEATH/" + NODE)
    if metric(death, "bdSeq").long_value != bd_seq:
        fail("NDEATH bdSeq after SIGTERM %d, not %d" % (metric(death, "bdSeq").long_value,
                                                        bd_seq))
    try:
        status = server.wait(DEADLINE)
    except subprocess.TimeoutExpired:
        fail("datacoll does not stop on SIGTERM")
    if status != 0:
        fail("datacoll exited with %d after SIGTERM" % status)
    print("clean stop: NDEATH bdSeq %d" % bd_seq, flush=True)
    consumer.client.loop_stop()


if __name__ == "__main__":
    main()
