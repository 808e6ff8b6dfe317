#!/usr/bin/env python3
"""A till's barcode payment over AMQP 1.0: send a MICRO PAY, wait for its final result.

Needs Qpid Proton for Python (Debian: apt-get install python3-qpid-proton; it installs for the
system interpreter, /usr/bin/python3). Everything comes from the environment, nothing is secret in
here:
  BROKER_URL       amqp://127.0.0.1:61616 (the gateway's broker port; amqps:// with TLS)
  BROKER_USER      broker login, BROKER_PASSWORD its password
  MERCHANT         merchant id, API_TOKEN its bearer token (merchants.yaml: apiToken)
  ORDER_ID         the till's order number (default: TILL-<time>), AUTH_CODE the scanned barcode,
  AMOUNT           in fen (default 1)
Prints the PaymentResult JSON; exits 0 when the payment is final and SUCCESS, 1 otherwise.
"""
import json
import os
import sys
import time
import uuid

from proton import Message
from proton.utils import BlockingConnection

env = os.environ
order_id = env.get("ORDER_ID", "TILL-%d" % int(time.time() * 1000))
request = {
    "requestId": "till-" + str(uuid.uuid4()),  # idempotency key: resend the SAME one after a time-out
    "merchant": env["MERCHANT"],
    "operation": "PAY",
    "orderId": order_id,
    "amount": int(env.get("AMOUNT", "1")),  # integer fen
    "method": "MICRO",
    "authCode": env.get("AUTH_CODE", "134567890123456789"),
    "subject": "Till sale",
    "storeId": env.get("STORE_ID", "store-1"),
}

# SASL PLAIN with the broker login. Without TLS proton refuses PLAIN unless told it may.
conn = BlockingConnection(env.get("BROKER_URL", "amqp://127.0.0.1:61616"), timeout=90,
                          user=env["BROKER_USER"], password=env["BROKER_PASSWORD"],
                          allowed_mechs="PLAIN", allow_insecure_mechs=True)
try:
    # A dynamic receiver: the broker makes a temporary queue, only this connection reads it.
    replies = conn.create_receiver(None, dynamic=True)
    requests = conn.create_sender("payments.requests")
    correlation_id = "till-" + str(uuid.uuid4())  # AMQP clients MUST set one: the reply carries it
    requests.send(Message(
        body=json.dumps(request),                 # a string body: the gateway reads it as text
        properties={"Authorization": "Bearer " + env["API_TOKEN"]},  # never logged, never copied
        correlation_id=correlation_id,
        reply_to=replies.remote_source.address,   # the temporary queue's address
        ttl=30,                                   # seconds; still queued after that: TIMEOUT, not paid
        durable=True))
    # A barcode payment may wait for the payer (password on the phone): the gateway answers when
    # the outcome is final, or after gateway.micro.wait seconds with the status it then has.
    while True:
        reply = replies.receive(timeout=90)
        replies.accept()
        if reply.correlation_id == correlation_id:
            break
    result = json.loads(reply.body if isinstance(reply.body, str) else reply.body.decode("utf-8"))
finally:
    conn.close()

print(json.dumps(result, ensure_ascii=False))
# Errors come as {"error": {"code": ..., "retryable": ...}}; USERPAYING/UNKNOWN: ask again with a QUERY.
sys.exit(0 if result.get("status") == "SUCCESS" else 1)
