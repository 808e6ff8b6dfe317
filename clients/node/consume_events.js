#!/usr/bin/env node
// A kiosk or back office reading the merchant's payment events over AMQP 1.0 with rhea
// (cd clients/node && npm ci). Each event is accepted (acknowledged) after it was handled; an event
// not accepted before the connection ends is delivered again. From the environment:
//   BROKER_HOST, BROKER_PORT      the gateway's broker (default 127.0.0.1:61616)
//   BROKER_USER, BROKER_PASSWORD  broker login (SASL PLAIN)
//   MERCHANT                      whose events: the durable queue payments.events.<MERCHANT>
//                                 (merchants.yaml `eventsQueue: true`)
//   MAX_EVENTS                    stop after this many events (default 10)
//   TIMEOUT_SECONDS               or when none came for this long (default 10)
// Prints one JSON line per event; exits 0, or 1 when the broker refuses the login or the queue.
'use strict';
const rhea = require('rhea');

const env = process.env;
const maxEvents = Number(env.MAX_EVENTS || 10);
const quietMs = 1000 * Number(env.TIMEOUT_SECONDS || 10);
let received = 0;
let timer;

const container = rhea.create_container();
const connection = container.connect({
  host: env.BROKER_HOST || '127.0.0.1',
  port: Number(env.BROKER_PORT || 61616),
  username: env.BROKER_USER,
  password: env.BROKER_PASSWORD,
  reconnect: false,
});

function stop(code) {
  clearTimeout(timer);
  process.exitCode = code;
  connection.close();  // rhea's 'close' ends the event loop; unaccepted events go back to the queue
}
const rearm = () => { clearTimeout(timer); timer = setTimeout(() => stop(0), quietMs); };

connection.on('connection_open', () => {
  // The queue's full name <address>::<queue>; credit_window 1 = one event at a time.
  // (Live events of a merchant without a queue: source { address: 'payments.events',
  //  capabilities: ['topic'], filter: rhea.filter.selector("merchant = '<id>'") }.)
  connection.open_receiver({
    source: { address: 'payments.events::payments.events.' + env.MERCHANT },
    autoaccept: false,
    credit_window: 1,
  });
  rearm();
});

connection.on('message', (context) => {
  const body = context.message.body;
  const event = JSON.parse(typeof body === 'string' ? body : Buffer.from(body.content || body).toString('utf8'));
  console.log(JSON.stringify(event));  // handle it (here: print; drop repeats by event.eventId) ...
  context.delivery.accept();           // ... then acknowledge
  received += 1;
  if (received >= maxEvents) {
    stop(0);
  } else {
    rearm();
  }
});

// A refused login, or a queue this login may not read (or that does not exist).
for (const failure of ['connection_error', 'receiver_error', 'disconnected']) {
  connection.on(failure, (context) => {
    const err = context.error || (context.receiver && context.receiver.error) || context.connection.error;
    if (process.exitCode === undefined) {
      console.error(failure + ': ' + (err ? err.description || err.message || err : 'unknown'));
      stop(1);
    }
  });
}
