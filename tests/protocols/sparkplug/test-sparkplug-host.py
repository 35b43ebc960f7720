#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""The southbound sparkplug device protocol against a real broker (docs/sparkplug.md,
"Southbound").

A mosquitto started here on a free loopback port, a central `datacoll --server` with a
`sparkplug` device created over REST, and an edge node played by this script with Debian's
paho-mqtt and payload classes generated now by protoc from the project's sparkplug_b.proto. It
checks: the primary host's STATE (online, then offline when the device goes); the rebirth
request (NCMD) of a new session; points, terms and items made from NBIRTH
and DBIRTH (names, datatypes, units, nothing configured by hand); DDATA by alias (an Int32 read
with the birth's datatype) in /values; a historical metric in history but not live; a control
(device_ctrl) that goes out as DCMD and is confirmed by the edge's DDATA, and one that times
out; a seq gap answered by a rebirth request; DDEATH and NDEATH marking points comm-lost (0x100)
and a stale NDEATH (another bdSeq) ignored; the decoded frames and the counters.

Usage: test-sparkplug-host.py DATACOLL PROTO_DIR EDGE_TEST"""

import datetime
import json
import os
import queue
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import paho.mqtt.client as mqtt

# The fixtures of the edge node's test (broker, server, REST, deadlines).
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "lib"))
import dc_test_sparkplug as sp  # noqa: E402 (after the path)
fail, rest, DEADLINE = sp.fail, sp.rest, sp.DEADLINE

GROUP, NODE, SPDEV, CENTRAL = "Plant", "edgeP", "plc", "cen"
TERM = "%s.%s.1" % (CENTRAL, SPDEV)
NTOPIC = lambda kind: "spBv1.0/%s/%s/%s" % (GROUP, kind, NODE)
DTOPIC = lambda kind: "spBv1.0/%s/%s/%s/%s" % (GROUP, kind, NODE, SPDEV)
COMM_LOST = 0x100
STATE = "spBv1.0/STATE/central"


def wait_until(what, check, deadline=DEADLINE):
    end = time.monotonic() + deadline
    last = None
    while time.monotonic() < end:
        last = check()
        if last:
            return last
        time.sleep(0.05)
    fail("%s: not within %.0f s (last: %r)" % (what, deadline, last))


def rest_error(base, method, path, body):
    try:
        sp.rest(base, method, path, body)
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()
    fail("%s %s was accepted: %r" % (method, path, body))


class Edge:
    """A Sparkplug edge node: publishes births and data, hears NCMD and DCMD."""

    def __init__(self, port, pb):
        self.pb = pb
        self.commands = queue.Queue()
        self.seq = 0
        self.bd_seq = 0
        ready = threading.Event()
        self.client = mqtt.Client(client_id="sparkplug-test-edge", clean_session=True)
        self.client.will_set(NTOPIC("NDEATH"), self.death(0).SerializeToString(), qos=1)
        self.client.on_connect = lambda c, u, f, rc: c.subscribe(
            [(NTOPIC("NCMD"), 0), (DTOPIC("DCMD"), 0), (STATE, 1)])
        self.skipped = []
        self.client.on_subscribe = lambda *args: ready.set()
        self.client.on_message = self._on_message
        self.client.connect("127.0.0.1", port, keepalive=30)
        self.client.loop_start()
        if not ready.wait(DEADLINE):
            fail("the edge cannot connect and subscribe")

    def _on_message(self, client, userdata, msg):
        if msg.topic == STATE:
            self.commands.put((msg.topic, json.loads(msg.payload)))
            return
        payload = self.pb.Payload()
        payload.ParseFromString(msg.payload)
        self.commands.put((msg.topic, payload))

    def expect_command(self, topic, what):
        """The next message on @topic, also one that came while another was awaited."""
        for i, (got, payload) in enumerate(self.skipped):
            if got == topic:
                del self.skipped[i]
                return payload
        end = time.monotonic() + DEADLINE
        while True:
            left = end - time.monotonic()
            if left <= 0:
                fail("no %s within %.0f s" % (what, DEADLINE))
            try:
                got, payload = self.commands.get(timeout=left)
            except queue.Empty:
                continue
            if got == topic:
                return payload
            self.skipped.append((got, payload))

    def expect_rebirth(self, what):
        payload = self.expect_command(NTOPIC("NCMD"), what)
        m = payload.metrics[0]
        if m.name != "Node Control/Rebirth" or m.datatype != 11 or not m.boolean_value:
            fail("%s: not Node Control/Rebirth = true: %s" % (what, payload))

    def payload(self, seq=True):
        p = self.pb.Payload()
        p.timestamp = int(time.time() * 1000)
        if seq:
            p.seq = self.seq
            self.seq = (self.seq + 1) % 256
        return p

    def death(self, bd_seq):
        p = self.pb.Payload()
        p.timestamp = int(time.time() * 1000)
        m = p.metrics.add()
        m.name, m.datatype, m.long_value = "bdSeq", 4, bd_seq
        return p

    def publish(self, topic, payload):
        self.client.publish(topic, payload.SerializeToString(), qos=0).wait_for_publish(DEADLINE)

    def births(self, temp=21.5):
        self.seq = 0
        n = self.payload()
        for name, dt, field, value in (("bdSeq", 4, "long_value", self.bd_seq),
                                       ("Node Control/Rebirth", 11, "boolean_value", False)):
            m = n.metrics.add()
            m.name, m.datatype = name, dt
            setattr(m, field, value)
        self.publish(NTOPIC("NBIRTH"), n)
        d = self.payload()
        for name, alias, dt, field, value, unit in (
                ("1/temp", 10, 10, "double_value", temp, "degC"),
                ("1/run", 11, 11, "boolean_value", True, None),
                ("1/count", 12, 3, "int_value", (-5) & 0xffffffff, None),
                ("info", 13, 12, "string_value", "not a number", None)):
            m = d.metrics.add()
            m.name, m.alias, m.datatype = name, alias, dt
            setattr(m, field, value)
            if unit:
                m.properties.keys.append("unit")
                v = m.properties.values.add()
                v.type, v.string_value = 12, unit
        self.publish(DTOPIC("DBIRTH"), d)

    def data(self, values, historical_ms=None):
        p = self.payload()
        for alias, field, value in values:
            m = p.metrics.add()
            m.alias = alias
            setattr(m, field, value)
            if historical_ms is not None:
                m.is_historical = True
                m.timestamp = historical_ms
        self.publish(DTOPIC("DDATA"), p)


def values(base):
    answer = json.loads(rest(base, "GET", "/api/v1/values?device_id=" + CENTRAL))
    return {(s["term_id"], s["item_id"]): s for s in answer}


def value_is(base, item, value, quality=0):
    def check():
        s = values(base).get((TERM, item))
        return s is not None and s["value"] == value and s["quality"] == quality
    return check


def main():
    datacoll, proto_dir = sys.argv[1], sys.argv[2]
    sp.run_main("dc-sparkplug-host-", run, datacoll, proto_dir)


def run(datacoll, proto_dir, tmp, processes):
    PB = sp.generate_classes(proto_dir, tmp)

    mqtt_port = sp.free_port()
    conf = os.path.join(tmp, "mosquitto.conf")
    with open(conf, "w", encoding="utf-8") as f:
        f.write("listener %d 127.0.0.1\nallow_anonymous true\npersistence false\n"
                "log_dest stderr\n" % mqtt_port)
    sp.start_broker(conf, processes)
    node = Edge(mqtt_port, PB)

    dc_conf = os.path.join(tmp, "central.conf")
    with open(dc_conf, "w", encoding="utf-8") as f:
        f.write("[server]\nport=0\ndb=%s\ncall_timeout_s=2\n" % os.path.join(tmp, "central.db"))
    server = sp.start_server(datacoll, dc_conf, processes)
    base = server.base

    # The device: a bad one is refused with the field's rule.
    device = {"id": CENTRAL, "protocol": "sparkplug", "ip": "127.0.0.1", "port": mqtt_port,
              "group_id": GROUP, "edge_node_id": NODE, "host_id": "central"}
    code, text = rest_error(base, "POST", "/api/v1/devices", dict(device, host_id="a+b"))
    if code != 400 or "host_id" not in text:
        fail("a host_id with '+': %d %s" % (code, text))
    code, text = rest_error(base, "POST", "/api/v1/devices", dict(device, group_id="a/b"))
    if code != 400 or "group_id" not in text:
        fail("a group_id with '/': %d %s" % (code, text))
    code, text = rest_error(base, "POST", "/api/v1/devices",
                            {k: v for k, v in device.items() if k != "edge_node_id"})
    if code != 400 or "missing field: edge_node_id" not in text:
        fail("no edge_node_id: %d %s" % (code, text))
    rest(base, "POST", "/api/v1/devices", device)

    # The primary host's STATE (retained), and a new session asks the node for its births.
    state = node.expect_command(STATE, "STATE online")
    if state.get("online") is not True or not isinstance(state.get("timestamp"), int):
        fail("STATE: %s" % state)
    node.expect_rebirth("the rebirth request of a new session")
    print("NCMD rebirth on subscribing", flush=True)
    node.births()

    # Points, terms and items from the births; the String metric is not a point.
    def points():
        ids = json.loads(rest(base, "GET", "/api/v1/terms/%s/items" % urllib.parse.quote(TERM))) \
            if TERM in json.loads(rest(base, "GET", "/api/v1/devices/%s/terms" % CENTRAL)) else []
        return sorted(ids) == ["count", "run", "temp"] and ids
    wait_until("points made from the births", points)
    point = json.loads(rest(base, "GET", "/api/v1/terms/%s/items/temp" % TERM))
    if point.get("protocol_code") != "plc/1/temp" or point.get("code_type") != "Double":
        fail("point temp: %s" % point)
    if json.loads(rest(base, "GET", "/api/v1/items/temp")).get("unit") != "degC":
        fail("item temp has no unit degC")
    count = json.loads(rest(base, "GET", "/api/v1/terms/%s/items/count" % TERM))
    if count.get("code_type") != "Int32":
        fail("point count: %s" % count)
    wait_until("birth values live", value_is(base, "temp", 21.5))
    wait_until("birth Int32 value", value_is(base, "count", -5))
    wait_until("birth Boolean value", value_is(base, "run", 1))
    status = json.loads(rest(base, "GET", "/api/v1/devices/%s/status" % CENTRAL))
    if status["state"] != "up":
        fail("the device is not up after NBIRTH: %s" % status)
    print("births: 3 points, values live", flush=True)

    # DATA by alias; the Int32 comes without datatype and is read as the birth says.
    node.data([(10, "double_value", 22.25), (12, "int_value", (-2) & 0xffffffff)])
    wait_until("DDATA by alias", value_is(base, "temp", 22.25))
    wait_until("DDATA Int32 by alias", value_is(base, "count", -2))

    # A historical metric goes to history at its time, not to the live value.
    old_ms = int(time.time() * 1000) - 60000
    node.data([(10, "double_value", 5.5)], historical_ms=old_ms)
    datas = "/api/v1/devices/%s/terms/%s/items/temp/datas" % (CENTRAL, TERM)
    wait_until("the historical value in history",
               lambda: 5.5 in json.loads(rest(base, "GET", datas)).values())
    if values(base)[(TERM, "temp")]["value"] != 22.25:
        fail("a historical metric became the live value")
    print("DDATA by alias, historical to history only", flush=True)

    # A control: DCMD with the alias, confirmed by the edge's DDATA.
    answer = {}

    def control(value, key):
        try:
            answer[key] = json.loads(rest(base, "POST", "/api/v1/device_ctrl", {
                "device_id": CENTRAL, "term_id": TERM, "item_id": "temp", "value": value}))
        except urllib.error.HTTPError as e:
            answer[key] = (e.code, e.read().decode())
    t = threading.Thread(target=control, args=(30, "ok"))
    t.start()
    cmd = node.expect_command(DTOPIC("DCMD"), "DCMD of the control")
    m = cmd.metrics[0]
    if m.alias != 10 or m.name != "1/temp" or m.datatype != 10 or m.double_value != 30:
        fail("DCMD: %s" % cmd)
    node.data([(10, "double_value", 30.0)])
    t.join(DEADLINE)
    if not isinstance(answer.get("ok"), dict) or answer["ok"]["value"] != 30:
        fail("device_ctrl answer: %r" % answer.get("ok"))
    # No confirmation: the call's deadline (2 s here) answers 504.
    control(31, "timeout")
    if not isinstance(answer["timeout"], tuple) or answer["timeout"][0] != 504:
        fail("an unconfirmed control: %r" % (answer["timeout"],))
    node.expect_command(DTOPIC("DCMD"), "DCMD of the unconfirmed control")
    code, text = rest_error(base, "POST", "/api/v1/device_ctrl", {
        "device_id": CENTRAL, "term_id": TERM, "item_id": "run", "value": 2})
    if code != 400 or "Boolean" not in text:
        fail("a Boolean control with 2: %d %s" % (code, text))
    print("controls: DCMD confirmed by DDATA, timeout 504, range 400", flush=True)

    # A seq gap: the host asks for a rebirth; the node is born again.
    node.seq = (node.seq + 3) % 256
    node.data([(10, "double_value", 23.0)])
    node.expect_rebirth("the rebirth request after a seq gap")
    node.births(temp=24.0)
    wait_until("values after the rebirth", value_is(base, "temp", 24.0))
    print("seq gap: rebirth requested and served", flush=True)

    # DDEATH: that device's points are comm-lost; its DBIRTH brings them back.
    node.publish(DTOPIC("DDEATH"), node.payload())
    wait_until("comm lost on DDEATH", value_is(base, "temp", 24.0, COMM_LOST))
    # A sample older than the comm-lost mark (the server's time, in µs) goes to history only
    # (docs/history.md): the edge's clock counts in ms, so stamp the birth after the mark.
    lost = values(base)[(TERM, "temp")]["time"]
    mark = datetime.datetime.strptime(lost.rstrip("Z"), "%Y-%m-%dT%H:%M:%S.%f").replace(
        tzinfo=datetime.timezone.utc).timestamp()
    d = node.payload()
    d.timestamp = max(d.timestamp, int(mark * 1000) + 1)
    m = d.metrics.add()
    m.name, m.alias, m.datatype, m.double_value = "1/temp", 10, 10, 25.0
    node.publish(DTOPIC("DBIRTH"), d)
    wait_until("good again after DBIRTH", value_is(base, "temp", 25.0))

    # An NDEATH of another session is ignored; the current one marks the node offline.
    node.publish(NTOPIC("NDEATH"), node.death(7))
    node.data([(10, "double_value", 26.0)])
    wait_until("data after a stale NDEATH", value_is(base, "temp", 26.0))
    node.publish(NTOPIC("NDEATH"), node.death(0))
    wait_until("comm lost on NDEATH", value_is(base, "temp", 26.0, COMM_LOST))
    status = json.loads(rest(base, "GET", "/api/v1/devices/%s/status" % CENTRAL))
    if status["state"] != "down" or "NDEATH" not in (status["last_error"] or ""):
        fail("status after NDEATH: %s" % status)
    counters = status["protocol"]
    for name, least in (("seq_gaps", 1), ("rebirth_requests", 2), ("historical", 1),
                        ("births", 5), ("deaths", 2), ("stale_deaths", 1), ("commands", 2),
                        ("points_created", 3)):
        if counters.get(name, -1) < least:
            fail("counter %s = %s, expected at least %d: %s" % (name, counters.get(name), least,
                                                               counters))
    print("DDEATH and NDEATH: comm lost; stale NDEATH ignored", flush=True)

    # The traffic: PUBLISH packets decoded as Sparkplug.
    frames = json.loads(rest(base, "GET", "/api/v1/devices/%s/frames?limit=500" % CENTRAL))
    kinds = {(f["dir"], (f["decoded"] or {}).get("type_name")) for f in frames}
    for want in (("rx", "NBIRTH"), ("rx", "DBIRTH"), ("rx", "DDATA"), ("rx", "NDEATH"),
                 ("tx", "NCMD"), ("tx", "DCMD")):
        if want not in kinds:
            fail("no %s %s frame in %s" % (want + (kinds,)))
    ddata = [f for f in frames if (f["decoded"] or {}).get("type_name") == "DDATA"][0]
    if not ddata["summary"].startswith("DDATA Plant/DDATA/edgeP/plc seq") or \
            not ddata["decoded"]["metrics"] or ddata["error"] is not None:
        fail("a DDATA frame: %s" % ddata)
    print("frames decoded: %d" % len(frames), flush=True)

    # The device deleted: its session ends with STATE offline (the birth's timestamp).
    rest(base, "DELETE", "/api/v1/devices/" + CENTRAL)
    offline = node.expect_command(STATE, "STATE offline")
    if offline != {"online": False, "timestamp": state["timestamp"]}:
        fail("STATE at the end: %s after %s" % (offline, state))
    # Again, then the server killed: the broker publishes the will, STATE offline.
    rest(base, "POST", "/api/v1/devices", device)
    # The ended session's offline comes once: its own publish, then DISCONNECT, so the broker
    # drops its will (docs/sparkplug.md, "The MQTT link").
    state = node.expect_command(STATE, "STATE online again")
    if state.get("online") is not True:
        fail("STATE after the device came back: %s" % state)
    server.kill()
    server.wait()
    offline = node.expect_command(STATE, "STATE offline by the will")
    if offline != {"online": False, "timestamp": state["timestamp"]}:
        fail("the will's STATE: %s after %s" % (offline, state))
    print("STATE online, then offline (deleted; killed: the will)", flush=True)
    node.client.loop_stop()


if __name__ == "__main__":
    main()
