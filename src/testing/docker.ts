/** The Docker engine tests run against (started by scripts/dockerd.sh) and the two small images they run. */
import { execFile } from 'node:child_process';
import { chmod, copyFile, mkdir, mkdtemp, realpath, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import type Docker from 'dockerode';
import { dockerClient } from '../executors/docker/index.js';

const run = promisify(execFile);

export const TEST_DOCKER_HOST = 'unix:///tmp/swarmlab-dockerd/docker.sock';
export const NO_DOCKER = 'no Docker engine: run scripts/dockerd.sh start';
export const BUSYBOX_IMAGE = 'swarmlab-test/busybox:1';
export const NODE_IMAGE = 'swarmlab-test/node:1';

export interface TestDocker {
  host: string;
  docker: Docker;
}

/**
 * The engine at SWARMLAB_TEST_DOCKER_HOST (default: the one scripts/dockerd.sh starts), if it answers.
 * Without one, tests skip with `NO_DOCKER`, except under CI=true, where this throws: CI must run them.
 */
export async function testDocker(): Promise<TestDocker | undefined> {
  const host = process.env.SWARMLAB_TEST_DOCKER_HOST || TEST_DOCKER_HOST;
  const docker = dockerClient(host);
  try {
    await docker.ping();
    return { host, docker };
  } catch (cause) {
    if (process.env.CI === 'true')
      throw new Error(`no Docker engine answers at ${host}: ${NO_DOCKER}`, { cause });
    return undefined;
  }
}

const BUSYBOX = '/bin/busybox';
const APPLETS = ['sh', 'echo', 'cat', 'sleep', 'env', 'head', 'dd', 'wget', 'true', 'false', 'ls', 'mkdir'];

/** Static busybox as /bin/busybox with its applets linked in /bin, and a /tmp. */
async function busyboxRoot(root: string): Promise<void> {
  await mkdir(join(root, 'bin'), { recursive: true });
  await copyFile(BUSYBOX, join(root, 'bin/busybox'));
  for (const applet of APPLETS) await symlink('busybox', join(root, 'bin', applet));
  await mkdir(join(root, 'tmp'));
  await chmod(join(root, 'tmp'), 0o1777);
}

/** This Node binary and the shared libraries (and loader) `ldd` lists for it, at their paths. */
async function nodeRoot(root: string): Promise<void> {
  await busyboxRoot(root);
  const node = await realpath(process.execPath);
  await mkdir(join(root, 'usr/local/bin'), { recursive: true });
  await copyFile(node, join(root, 'usr/local/bin/node'));
  const { stdout } = await run('ldd', [node]);
  for (const m of stdout.matchAll(/(\/\S+) \(0x/g)) {
    const lib = m[1]!;
    await mkdir(join(root, dirname(lib)), { recursive: true });
    await copyFile(lib, join(root, lib)); // follows symlinks: the real library under the listed name
  }
}

async function importRoot(
  docker: Docker,
  image: string,
  build: (root: string) => Promise<void>,
): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'swarmlab-image-'));
  try {
    const root = join(dir, 'root');
    await build(root);
    const tar = join(dir, 'root.tar');
    await run('tar', ['-C', root, '--owner=0', '--group=0', '-cf', tar, '.']);
    const [repo, tag] = image.split(':');
    const progress = await docker.importImage(tar, { repo, tag });
    await new Promise<void>((resolve, reject) => {
      docker.modem.followProgress(progress, (err, out: Array<{ error?: string }>) => {
        const failed = err ?? out.find((e) => e.error)?.error;
        if (failed) reject(failed instanceof Error ? failed : new Error(`importing ${image}: ${failed}`));
        else resolve();
      });
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Builds `BUSYBOX_IMAGE` and `NODE_IMAGE` from this machine's files unless the engine has them already. */
export async function ensureImages(docker: Docker): Promise<void> {
  const builds: Array<[string, (root: string) => Promise<void>]> = [
    [BUSYBOX_IMAGE, busyboxRoot],
    [NODE_IMAGE, nodeRoot],
  ];
  for (const [image, build] of builds) {
    const present = await docker
      .getImage(image)
      .inspect()
      .then(() => true)
      .catch(() => false);
    if (!present) await importRoot(docker, image, build);
  }
}
