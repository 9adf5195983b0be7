import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ownCgroups } from './mounts.js';

const hybrid = [
  '30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755',
  '31 30 0:28 / /sys/fs/cgroup/cpu,cpuacct rw,relatime shared:9 - cgroup cgroup rw,cpu,cpuacct',
  '34 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory',
  '39 30 0:36 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw',
].join('\n');

describe('own cgroups from /proc', () => {
  it('finds our directory under each v1 controller and in the unified hierarchy', () => {
    const own = ownCgroups(hybrid, '4:memory:/jobs/a\n2:cpu,cpuacct:/\n0::/user.slice\n');
    assert.equal(own.unified, '/sys/fs/cgroup/unified/user.slice');
    assert.equal(own.v1.get('memory'), '/sys/fs/cgroup/memory/jobs/a');
    assert.equal(own.v1.get('cpu'), '/sys/fs/cgroup/cpu,cpuacct');
    assert.equal(own.v1.get('cpuacct'), '/sys/fs/cgroup/cpu,cpuacct');
  });

  it('maps a mount of part of the hierarchy (a container) and skips one our cgroup is not under', () => {
    const mounts = [
      '40 22 0:40 /docker/c1 /sys/fs/cgroup rw - cgroup2 cgroup2 rw',
      '41 22 0:31 /other /mnt/memory rw - cgroup cgroup rw,memory',
    ].join('\n');
    const own = ownCgroups(mounts, '4:memory:/docker/c1\n0::/docker/c1/app\n');
    assert.equal(own.unified, '/sys/fs/cgroup/app');
    assert.equal(own.v1.has('memory'), false);
  });
});
