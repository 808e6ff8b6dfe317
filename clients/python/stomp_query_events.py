#!/usr/bin/env python3
"""A till over STOMP: QUERY an order, then read the merchant's payment events.

Needs stomp.py (Debian: apt-get install python3-stomp; it installs for the system interpreter,
/usr/bin/python3). From the environment:
  BROKER_HOST, BROKER_PORT  the gateway's broker (default 127.0.0.1:61616)
  BROKER_USER, BROKER_PASSWORD  broker login
  MERCHANT, API_TOKEN       merchant id and its bearer token (merchants.yaml: apiToken)
  ORDER_ID                  the order to query
  EVENTS_WAIT               seconds to wait for more events before stopping (default 5)
Prints the QUERY's PaymentResult, then one line per event; exits 1 when the query fails.
"""
import json
import os
import queue
import sys
import uuid

import stomp

env = os.environ
merchant = env["MERCHANT"]
inbox = queue.Queue()


class Inbox(stomp.ConnectionListener):
    """stomp.py calls this from its receiver thread: hand every frame to the main thread."""

    def on_message(self, frame):
        inbox.put(frame)

    def on_error(self, frame):
        inbox.put(frame)


conn = stomp.Connection([(env.get("BROKER_HOST", "127.0.0.1"), int(env.get("BROKER_PORT", "61616")))])
conn.set_listener("", Inbox())
conn.connect(env["BROKER_USER"], env["BROKER_PASSWORD"], wait=True)
try:
    # 1. STOMP has no temporary queues: answers to requests without reply-to go to the queue
    #    payments.results. Subscribe first, selecting only the answer to OUR correlation id.
    correlation_id = "till-" + str(uuid.uuid4())
    conn.subscribe("/queue/payments.results", id="results", ack="auto",
                   headers={"selector": "JMSCorrelationID = '%s'" % correlation_id})
    query = {"requestId": "till-q-" + str(uuid.uuid4()), "merchant": merchant,
             "operation": "QUERY", "orderId": env["ORDER_ID"]}
    conn.send("/queue/payments.requests", json.dumps(query),
              headers={"Authorization": "Bearer " + env["API_TOKEN"],  # never logged, never copied
                       "correlation-id": correlation_id,            # STOMP clients MUST set one
                       "persistent": "true"})  # kept on disk by the broker (STOMP's default: memory only)
    frame = inbox.get(timeout=60)
    if frame.cmd == "ERROR":
        sys.exit("broker refused: " + frame.headers.get("message", ""))
    result = json.loads(frame.body)
    print(json.dumps(result, ensure_ascii=False))
    conn.unsubscribe("results")
    if "error" in result:
        sys.exit(1)

    # 2. Events: the merchant's durable queue (merchants.yaml `eventsQueue: true`) keeps them while
    #    the till is away. Name it fully, <address>::<queue>, and WITHOUT the /queue/ prefix (the
    #    broker does not take a prefix on a full name). ack="auto": an event counts as taken once
    #    the broker has delivered it, which suits a till that prints them; one that must not lose
    #    an event to its own crash acknowledges after handling it, as clients/node/consume_events.js
    #    does over AMQP. (Without a queue: subscribe to /topic/payments.events with selector
    #    "merchant = '<id>'", live events only.)
    conn.subscribe("payments.events::payments.events." + merchant, id="events", ack="auto")
    while True:
        try:
            frame = inbox.get(timeout=float(env.get("EVENTS_WAIT", "5")))
        except queue.Empty:
            break  # quiet for EVENTS_WAIT seconds: done for now
        if frame.cmd == "ERROR":
            sys.exit("broker refused: " + frame.headers.get("message", ""))
        print(json.dumps(json.loads(frame.body), ensure_ascii=False))  # handle it (here: print)
finally:
    conn.disconnect()
