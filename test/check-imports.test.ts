// The client layer rule (scripts/check-imports.mjs) on a scratch tree: it names the file, line and import it
// refuses, and accepts what the rule allows.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';

const SCRIPT = new URL('../scripts/check-imports.mjs', import.meta.url).pathname;
const run = promisify(execFile);

async function tree(files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'swarmlab-imports-'));
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  }
  return root;
}

describe('scripts/check-imports.mjs', () => {
  const roots: string[] = [];
  after(async () => {
    for (const r of roots) await rm(r, { recursive: true, force: true });
  });

  it('accepts api, codec, errors, util and sdk imports, type-only web imports of src/api and lazy server commands', async () => {
    const root = await tree({
      'src/cli/commands/ps.ts':
        "import { paths } from '../../api/index.js';\nimport { x } from '../../sdk/sessions.js';\n",
      'src/cli/commands/up.ts': "import { startManager } from '../../app.js';\n",
      'src/cli/main.ts': "const up = () => import('./commands/up.js');\n",
      'src/sdk/dataset-local.ts':
        "import type { R } from '../store/index.js';\nawait import('../store/index.js');\n",
      'web/src/api/types.ts': "export type { SessionRecord } from '../../../src/api/index.js';\n",
    });
    roots.push(root);
    await run(process.execPath, [SCRIPT, root]);
  });

  it('refuses a client importing a domain module, naming the file, the line and the import', async () => {
    const root = await tree({
      'src/sdk/x.ts':
        "import { a } from '../api/index.js';\nimport type { S } from '../sessions/index.js';\n",
      'src/cli/main.ts': "import { registerUp } from './commands/up.js';\n",
      'src/cli/commands/up.ts': '',
      'web/src/x.ts': "import { paths } from '../../src/api/index.js';\n",
    });
    roots.push(root);
    await assert.rejects(run(process.execPath, [SCRIPT, root]), (err: { code: number; stderr: string }) => {
      assert.equal(err.code, 1);
      assert.match(err.stderr, /src\/sdk\/x\.ts:2: type import of '\.\.\/sessions\/index\.js'/);
      assert.match(
        err.stderr,
        /src\/cli\/main\.ts:1: static import of the server command '\.\/commands\/up\.js'/,
      );
      assert.match(
        err.stderr,
        /web\/src\/x\.ts:1: '\.\.\/\.\.\/src\/api\/index\.js' must be imported with `import type`/,
      );
      return true;
    });
  });
});
