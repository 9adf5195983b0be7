// The layer rule for clients (DESIGN.md "Layers"), checked in `npm test`: the SDK, the CLI and the web app
// talk to the manager over HTTP/WS only, so they import only the API layer, the codec, errors and util.
//
// Precisely, outside tests (*.test.ts, which may start a manager):
// - src/sdk:  static, type-only and dynamic imports reach only src/api, src/codec, src/errors, src/util and
//             src/sdk itself. Exception: the opt-in local dataset reader (src/sdk/dataset-local.ts) reaches
//             src/store by `import type` and a dynamic `import()` made only when local reading was chosen.
// - src/cli:  the same folders plus src/sdk. The commands that run a server in this process (`up`, `serve`:
//             src/cli/commands/up.ts, serve.ts, serve-cluster.ts) are entry points of the server side and may
//             import anything; in exchange nothing else in src/cli imports them statically (src/cli/main.ts
//             loads each command module with a dynamic `import()` only when that command runs), so the other
//             commands never load the server.
// - web/src:  anything outside web/ must be src/api, imported with `import type` / `export type` (the
//             bundle holds none of the server).
// `import { type X } from …` is not type-only: under verbatimModuleSyntax it stays a (side-effect) import.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

// The tree to check: this repository, or the folder given (the script's own test checks a scratch tree).
const root = resolve(process.argv[2] ?? join(dirname(new URL(import.meta.url).pathname), '..'));
const CLIENT_FOLDERS = ['src/api', 'src/codec', 'src/errors', 'src/util'];

const rules = [
  { under: 'src/sdk', allowed: [...CLIENT_FOLDERS, 'src/sdk'] },
  { under: 'src/cli', allowed: [...CLIENT_FOLDERS, 'src/sdk', 'src/cli'] },
  { under: 'web/src', allowed: ['web', 'src/api'], typeOnlyOutside: 'web' },
];

/** Files whose type-only and dynamic imports may go beyond their folder's list (see above). */
const LAZY_EXCEPTIONS = { 'src/sdk/dataset-local.ts': ['src/store'] };
/** Server-side entry points inside the CLI: they may import anything, and only they import each other statically. */
const SERVER_COMMANDS = ['src/cli/commands/up', 'src/cli/commands/serve', 'src/cli/commands/serve-cluster'];

function walk(dir, out = []) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path, out);
    else if (/\.tsx?$/.test(name) && !name.endsWith('.test.ts') && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

const STATIC = /^\s*(import|export)\s+(type\s+)?(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/gm;
const DYNAMIC = /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;

/** Every relative import of a file: its target (repo-relative, without extension) and how it is made. */
function importsOf(file) {
  const text = readFileSync(file, 'utf8');
  const found = [];
  const add = (spec, kind, index) => {
    if (!spec.startsWith('.')) return; // packages and node: builtins are not layers
    const line = text.slice(0, index).split('\n').length;
    found.push({ target: relative(root, resolve(dirname(file), spec)), spec, kind, line });
  };
  for (const m of text.matchAll(STATIC)) add(m[3], m[2] ? 'type' : 'static', m.index);
  for (const m of text.matchAll(DYNAMIC)) add(m[1], 'dynamic', m.index);
  return found;
}

const inside = (path, folder) => folder === 'src' || path === folder || path.startsWith(`${folder}/`);

const problems = [];
for (const rule of rules) {
  for (const abs of walk(join(root, rule.under))) {
    const file = relative(root, abs);
    const serverSide = SERVER_COMMANDS.includes(file.replace(/\.ts$/, ''));
    for (const imp of importsOf(abs)) {
      const where = `${file}:${imp.line}`;
      if (serverSide) continue;
      if (imp.kind === 'static' && SERVER_COMMANDS.includes(imp.target.replace(/\.js$/, ''))) {
        problems.push(`${where}: static import of the server command '${imp.spec}' — load it with import()`);
        continue;
      }
      if (rule.typeOnlyOutside && !inside(imp.target, rule.typeOnlyOutside) && imp.kind !== 'type') {
        problems.push(
          `${where}: '${imp.spec}' must be imported with \`import type\` (web bundles none of src)`,
        );
      }
      if (rule.allowed.some((f) => inside(imp.target, f))) continue;
      const lazy = LAZY_EXCEPTIONS[file];
      if (lazy && imp.kind !== 'static' && lazy.some((f) => inside(imp.target, f))) continue;
      problems.push(
        `${where}: ${imp.kind} import of '${imp.spec}' (${imp.target}) — ${rule.under} may import only ${rule.allowed.join(', ')}`,
      );
    }
  }
}

if (problems.length > 0) {
  process.stderr.write(`Client layer rule broken (see scripts/check-imports.mjs):\n${problems.join('\n')}\n`);
  process.exit(1);
}
process.stdout.write('client imports: ok (sdk, cli, web import only api, codec, errors, util)\n');
