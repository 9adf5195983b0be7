/** `swarmlab model …`: the registry from the command line — ls, show, history, diff, promote, push, pull. */
import { basename } from 'node:path';
import type { Command } from 'commander';
import type {
  GenerationDiff,
  GenerationSummary,
  ModelTree,
  ModelView,
  TargetStage,
  WeightFormat,
} from '../../api/index.js';
import { WEIGHT_FORMATS } from '../../api/index.js';
import { InvalidError } from '../../errors/index.js';
import { type GenerationSelector, ModelsClient } from '../../sdk/models.js';
import { printJson, table } from '../format.js';

const KEY_METRICS = ['accuracy', 'val_accuracy', 'acc', 'f1', 'auc', 'loss', 'val_loss'];

/** Four significant digits; `–` for "undefined" (null). */
export const num = (n: number | null | undefined): string =>
  n === null || n === undefined ? '–' : Number.isInteger(n) ? String(n) : String(Number(n.toPrecision(4)));

export function bytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${i === 0 ? n : n.toFixed(1)} ${units[i]}`;
}

function keyMetric(metrics: Record<string, number>): string {
  const name = KEY_METRICS.find((k) => k in metrics) ?? Object.keys(metrics)[0];
  return name === undefined ? '' : `${name}=${num(metrics[name])}`;
}

const badge = (g: GenerationSummary) => (g.stage === 'draft' ? '' : `[${g.stage}]`);

/** type → model → generations, as an indented tree. */
export function treeText(tree: ModelTree): string {
  const lines: string[] = [];
  for (const t of tree.types) {
    lines.push(t.type);
    t.models.forEach((m, mi) => {
      const lastModel = mi === t.models.length - 1;
      lines.push(`${lastModel ? '└─' : '├─'} ${m.name}`);
      const rows = m.generations.map((g) => [
        `${g.generation}`,
        badge(g),
        g.format,
        bytes(g.size),
        keyMetric(g.metrics),
      ]);
      const widths = [0, 1, 2, 3].map((i) => Math.max(0, ...rows.map((r) => r[i]!.length)));
      rows.forEach((r, gi) => {
        const branch = gi === rows.length - 1 ? '└─' : '├─';
        const text = r
          .map((c, i) => (i < 4 ? c.padEnd(widths[i]!) : c))
          .join('  ')
          .trimEnd();
        lines.push(`${lastModel ? '   ' : '│  '}${branch} ${text}`);
      });
    });
  }
  return lines.length === 0 ? 'no models yet\n' : `${lines.join('\n')}\n`;
}

export function diffTable(diff: GenerationDiff): string {
  const rows = [['TENSOR', 'SHAPE', 'STATUS', '‖A‖', '‖B‖', '‖A−B‖', 'REL', 'COS', 'CHANGED']];
  const shape = (s: number[] | null) => (s ? `[${s.join(',')}]` : '–');
  for (const t of diff.tensors) {
    const shapes =
      t.status === 'shape-mismatch' ? `${shape(t.shapeA)}→${shape(t.shapeB)}` : shape(t.shapeA ?? t.shapeB);
    const changed = t.fractionChanged === null ? '–' : `${num(t.fractionChanged * 100)}%`;
    rows.push([
      t.name,
      shapes,
      t.status,
      num(t.normA),
      num(t.normB),
      num(t.normDiff),
      num(t.relativeChange),
      num(t.cosine),
      changed,
    ]);
  }
  const s = diff.summary;
  const head = `${diff.model}: generation ${diff.a.generation} (${diff.a.format}) → ${diff.b.generation} (${diff.b.format})\n`;
  const summary =
    `\n${s.compared} compared, ${s.added} added, ${s.removed} removed, ${s.shapeMismatch} reshaped; ` +
    `${s.changedParameters} of ${s.parameters} values changed (${num(s.fractionChanged * 100)}%)\n` +
    `overall ‖A−B‖ ${num(s.normDiff)}, relative change ${num(s.relativeChange)}, cosine ${num(s.cosine)}` +
    (s.largestChange ? `; largest change in ${s.largestChange.name}` : '') +
    '\n';
  return head + table(rows) + summary;
}

function showText(m: ModelView): string {
  const head =
    `${m.name} (${m.type}): production ${m.production ?? '–'}, staging ${m.staging ?? '–'}, ` +
    `${m.generations.length} generations, retention ${m.keepLast === null ? 'keep all' : `last ${m.keepLast} + staged`}\n`;
  const rows = [['GEN', 'STAGE', 'FORMAT', 'SIZE', 'CREATED', 'METRICS']];
  for (const g of m.generationList) {
    const metrics = Object.entries(g.metrics)
      .map(([k, v]) => `${k}=${num(v)}`)
      .join(' ');
    rows.push([
      String(g.generation),
      g.stage,
      g.format,
      bytes(g.size),
      new Date(g.createdAt).toISOString(),
      metrics,
    ]);
  }
  return head + table(rows);
}

/** `name`, `name@3`, `name:staging`. */
export function parseModelRef(ref: string): { name: string; selector: GenerationSelector } {
  const m = /^([^@:]+)(?:@(\d+)|:(production|staging|latest))?$/.exec(ref);
  if (!m)
    throw new InvalidError(`${ref}: expected NAME, NAME@GENERATION or NAME:STAGE`, {
      details: { field: 'model' },
    });
  if (m[2]) return { name: m[1]!, selector: { generation: Number(m[2]) } };
  return { name: m[1]!, selector: { stage: (m[3] as GenerationSelector['stage']) ?? 'production' } };
}

function parseMetrics(json: string | undefined): Record<string, number> | undefined {
  if (json === undefined) return undefined;
  try {
    return JSON.parse(json) as Record<string, number>;
  } catch {
    throw new InvalidError('--metrics: not valid JSON', { details: { field: 'metrics' } });
  }
}

const out = (text: string) => process.stdout.write(text);
const client = () => new ModelsClient();

export function registerModel(program: Command): void {
  const model = program.command('model').description('model registry: generations, stages, diffs');

  model
    .command('ls')
    .description('the tree: type → model → generations, with stages and a key metric')
    .option('--type <type>', 'only models of this type')
    .option('--json', 'print JSON')
    .action(async (flags: { type?: string; json?: boolean }) => {
      const tree = await client().tree(flags.type);
      if (flags.json) printJson(tree);
      else out(treeText(tree));
    });

  model
    .command('show <name>')
    .description("a model's stages, retention and generations")
    .option('--json', 'print JSON')
    .action(async (name: string, flags: { json?: boolean }) => {
      const view = await client().model(name);
      if (flags.json) printJson(view);
      else out(showText(view));
    });

  model
    .command('history <name>')
    .description('stage changes, oldest first; with --at, what held each stage then')
    .option('--at <time>', 'ISO time or milliseconds since the epoch')
    .action(async (name: string, flags: { at?: string }) => {
      const c = client();
      if (flags.at !== undefined) {
        const s = await c.stagesAt(name, flags.at);
        out(
          `at ${new Date(s.at).toISOString()}: production ${s.production ?? '–'}, staging ${s.staging ?? '–'}\n`,
        );
        return;
      }
      const rows = [['TIME', 'GEN', 'FROM', 'TO', 'REASON']];
      for (const e of (await c.history(name)).entries) {
        rows.push([
          new Date(e.time).toISOString(),
          String(e.generation),
          e.from ?? '–',
          e.to,
          e.reason ?? '',
        ]);
      }
      out(table(rows));
    });

  model
    .command('diff <name> <a> <b>')
    .description('compare the weights of two generations, tensor by tensor')
    .option('--tolerance <x>', 'differences up to this count as unchanged', '0')
    .option('--json', 'print JSON')
    .action(async (name: string, a: string, b: string, flags: { tolerance: string; json?: boolean }) => {
      const diff = await client().diff(name, a, b, Number(flags.tolerance));
      if (flags.json) printJson(diff);
      else out(diffTable(diff));
    });

  model
    .command('promote <name> <generation>')
    .description('move a generation to a stage (the previous holder is archived)')
    .option('--stage <stage>', 'staging, production or archived', 'production')
    .option('--reason <text>', 'kept in the audit history')
    .action(async (name: string, generation: string, flags: { stage: string; reason?: string }) => {
      const r = await client().setStage(name, generation, flags.stage as TargetStage, flags.reason);
      if (r.changes.length === 0)
        out(`${name} ${r.generation.generation} is already in ${r.generation.stage}\n`);
      for (const c of r.changes) out(`${name} ${c.generation}: ${c.from} → ${c.to}\n`);
    });

  model
    .command('push <name> <files...>')
    .description('save a new generation from files on disk')
    .requiredOption('--format <format>', WEIGHT_FORMATS.join(', '))
    .option('--type <type>', "the model's type, e.g. classifier/mlp (needed for a new model)")
    .option('--metrics <json>', 'e.g. \'{"accuracy": 0.97}\'')
    .option('--parent <generation>', 'the generation this one was trained from')
    .action(
      async (
        name: string,
        files: string[],
        flags: { format: string; type?: string; metrics?: string; parent?: string },
      ) => {
        const g = await client().saveGeneration({
          model: name,
          format: flags.format as WeightFormat,
          files: Object.fromEntries(files.map((f) => [basename(f), f])),
          ...(flags.type ? { type: flags.type } : {}),
          ...(flags.parent ? { parent: Number(flags.parent) } : {}),
          ...(flags.metrics ? { metrics: parseMetrics(flags.metrics)! } : {}),
        });
        out(
          `${name} generation ${g.generation} saved (${g.format}, ${bytes(g.weights.size)}, sha256 ${g.weights.digest.slice(0, 12)})\n`,
        );
      },
    );

  model
    .command('pull <ref>')
    .description('download a generation: NAME (production), NAME@3 or NAME:staging')
    .requiredOption('-o, --output <dir>', 'directory to write the files into')
    .action(async (ref: string, flags: { output: string }) => {
      const { name, selector } = parseModelRef(ref);
      const { generation, paths } = await client().pullGeneration(name, selector, flags.output);
      out(`${name} generation ${generation.generation} (${generation.stage}) → ${paths.join(', ')}\n`);
    });
}
