// The inference endpoint while the server shuts down, on a real manager, over a raw keep-alive connection.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { mlpOnnx, randomLayers } from '../serving/testing/onnx-builder.js';
import { onnxRegistry } from '../serving/testing/registry.js';
import { testManager } from '../testing/manager.js';

/** True once nothing listens on the port any more. */
function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', () => resolve(true));
  });
}

describe('inference while shutting down', () => {
  it('finishes the request in flight, then answers 503 and closes the connection', {
    timeout: 20_000,
  }, async () => {
    const t = await testManager({ localNode: false });
    const { manager } = t;
    try {
      await onnxRegistry(t).save('m', mlpOnnx({ layers: randomLayers([4, 8, 3], 1) }), 'production');
      const port = Number(new URL(manager.url).port);
      const body = JSON.stringify({ instances: [[1, 2, 3, 4]] });
      const head = (extra = '') =>
        `POST /v1/models/m:predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n${extra}\r\n`;

      const socket = connect(port, '127.0.0.1');
      let received = '';
      socket.on('data', (d) => {
        received += d;
      });
      const closed = new Promise((resolve) => socket.once('close', resolve));
      // The first request's headers and half its body. Node answers `100 Continue` as it hands the request to
      // the handler: from then on that request is in flight.
      socket.write(head('Expect: 100-continue\r\n') + body.slice(0, 5));
      while (!received.includes('100 Continue')) await sleep(5);

      const closing = manager.close();
      while (!(await refused(port))) await sleep(5);
      // Shutting down: the rest of the first body, then a second request on the same connection.
      socket.write(body.slice(5) + head() + body);
      await closed;
      await closing;

      const [first, second] = received.split('HTTP/1.1 ').slice(2);
      assert.match(first ?? '', /^200 OK/, received);
      assert.match(first ?? '', /"predictions":\[\[/);
      assert.match(second ?? '', /^503 /, received);
      assert.match(second ?? '', /\r\nconnection: close\r\n/i);
      assert.match(second ?? '', /"code":"UNAVAILABLE","message":"the server is shutting down"/);
    } finally {
      await t.close();
    }
  });
});
