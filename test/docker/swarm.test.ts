// Sessions as Docker Swarm services (one service per session, RestartPolicy none), and swarm placement.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { it } from 'node:test';
import { testDocker } from '../../src/testing/docker.js';
import { BUSYBOX, containerSuite } from './suite.js';

containerSuite('swarm', (need) => {
  it('keeps a session queued while no swarm node has its label, and runs it once one gets it', async (t) => {
    const m = need(t);
    const engine = await testDocker();
    if (!m || !engine) return;
    const nodes = await m.client.json<{ nodes: Array<{ name: string; engine: string }> }>(
      'GET',
      '/api/v1/nodes',
    );
    assert.ok(
      nodes.nodes.some((n) => n.engine === 'swarm'),
      'the swarm nodes are in the inventory',
    );
    const key = `swarmlab-test-${randomUUID().slice(0, 8)}`;
    const s = await m.submit({ image: BUSYBOX, command: ['echo', 'placed'], labels: { [key]: 'yes' } });
    await new Promise((r) => setTimeout(r, 3000));
    assert.equal((await m.get(s.id)).state, 'queued', 'no node has the label yet');

    const [node] = await engine.docker.listNodes();
    const relabel = async (labels: Record<string, string>) => {
      const now = await engine.docker.getNode(node!.ID).inspect();
      await engine.docker
        .getNode(node!.ID)
        .update({ version: now.Version.Index, ...now.Spec, Labels: labels });
    };
    const before = { ...(node!.Spec?.Labels ?? {}) };
    await relabel({ ...before, [key]: 'yes' });
    try {
      const done = await m.waitFor(s.id);
      assert.equal(done.state, 'succeeded', done.reason);
      assert.match(await m.logs(s.id), /placed/);
    } finally {
      await relabel(before);
    }
  });
});
