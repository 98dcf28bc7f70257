// Drives a NetFlow node through its SockJS event-bus bridge with the Vert.x client from npm:
// subscribes to a topic, sends a request to a service, checks the answers and a refusal.
// Usage: node bridge-client.js http://127.0.0.1:8080 <api key>   (exit 0 when every check passes)
'use strict';
const EventBus = require('@vertx/eventbus-bridge-client.js');

const [url, key] = process.argv.slice(2);
const eb = new EventBus(url + '/eventbus');
const done = (code, why) => { console.log(why); process.exit(code); };
setTimeout(() => done(1, 'timed out'), 15000);

eb.onopen = () => {
  eb.registerHandler('netflow.topic.match-5', { apikey: key }, (err, msg) => {
    if (err) return done(1, 'subscribe failed: ' + JSON.stringify(err));
    if (msg.body !== 'kickoff') return done(1, 'unexpected delivery: ' + JSON.stringify(msg));
    done(0, 'node client: request answered, refusal seen, delivery received');
  });
  eb.send('netflow.ingress', 'from-node', { apikey: key, 'nf-service': 'match', 'nf-priority': 'HIGH' }, (err, reply) => {
    if (err) return done(1, 'request failed: ' + JSON.stringify(err));
    if (reply.body !== 'b got from-node') return done(1, 'unexpected reply: ' + JSON.stringify(reply));
    // The bridge refuses a wrong key with an error frame, which this client reports to onerror.
    eb.onerror = () => {
      eb.onerror = null;
      // Tell the test we are ready for the publication.
      eb.send('netflow.ingress', 'ready', { apikey: key, 'nf-service': 'match' }, () => {});
    };
    eb.send('netflow.ingress', 'x', { apikey: 'wrong', 'nf-service': 'match' }, () => done(1, 'a wrong key was let through'));
  });
};
