/** `swarmlab dataset push|ls|show|pull|rm`: dataset versions on the manager, over its HTTP API. */
import { createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Command } from 'commander';
import { type ExportFormat, guessFormat, IMPORT_FORMATS, type ImportFormat } from '../../api/index.js';
import { InvalidError } from '../../errors/index.js';
import { DatasetsClient } from '../../sdk/datasets-client.js';
import { formatBytes, printJson, progressBar, table } from '../format.js';

type Format = ImportFormat;

/** `NAME[@V]` → parts; the name is left for the manager to check, so its message is the one users see. */
function parseRef(ref: string, needVersion: boolean): { name: string; version: number | 'latest' } {
  const at = ref.lastIndexOf('@');
  const name = at < 0 ? ref : ref.slice(0, at);
  const v = at < 0 ? '' : ref.slice(at + 1);
  if (needVersion && !/^\d+$/.test(v)) {
    throw new InvalidError(`"${ref}": name the version, as NAME@V (e.g. ${name}@1)`, {
      details: { field: 'ref' },
    });
  }
  if (v !== '' && v !== 'latest' && !/^\d+$/.test(v)) {
    throw new InvalidError(`"${ref}": the version after @ must be a number`, { details: { field: 'ref' } });
  }
  return { name, version: v === '' || v === 'latest' ? 'latest' : Number(v) };
}

const shape = (s: number[]): string => s.join('×');

/** A file's size; InvalidError naming it when it cannot be read (missing, a directory, no permission). */
async function sizeOf(file: string): Promise<number> {
  try {
    const s = await stat(file);
    if (s.isFile()) return s.size;
    throw new InvalidError(`${file} is not a file`, { details: { field: 'files', file } });
  } catch (cause) {
    if (cause instanceof InvalidError) throw cause;
    const why = (cause as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String(cause);
    throw new InvalidError(`cannot read ${file}: ${why}`, { details: { field: 'files', file }, cause });
  }
}

export function registerDataset(program: Command): void {
  const ds = program
    .command('dataset')
    .description('push, list, inspect, export and delete dataset versions');

  ds.command('push')
    .description('import files as the next version of NAME (IDX: images and labels files together)')
    .argument('<name>', 'dataset name: [a-z0-9][a-z0-9._-]{0,63}')
    .argument('<files...>', 'the file(s); .gz IDX files are fine')
    .option('--format <format>', 'libsvm | csv | idx | npy (default: from the file name)')
    .option('--label <column>', 'CSV: the label column')
    .action(async (name: string, files: string[], flags: { format?: string; label?: string }) => {
      const format = (flags.format ?? guessFormat(files[0]!)) as Format | undefined;
      if (flags.format !== undefined && !IMPORT_FORMATS.includes(flags.format as Format)) {
        throw new InvalidError(
          `--format: "${flags.format}" is not an import format (${IMPORT_FORMATS.join(', ')})`,
          {
            details: { field: 'format' },
          },
        );
      }
      if (!format || !IMPORT_FORMATS.includes(format)) {
        throw new InvalidError(
          `cannot tell the format of ${files[0]}; pass --format ${IMPORT_FORMATS.join('|')}`,
          {
            details: { field: 'format' },
          },
        );
      }
      const total = (await Promise.all(files.map(sizeOf))).reduce((a, n) => a + n, 0);
      const bar = progressBar(`push ${name}`);
      const started = Date.now();
      const r = await new DatasetsClient().push(name, files, {
        format,
        label: flags.label,
        onProgress: (sent) => bar.update(sent, total),
      });
      bar.done(total, total);
      const secs = (Date.now() - started) / 1000;
      process.stdout.write(
        `${r.name}@${r.version}: ${r.rows} rows, ${r.columns.map((c) => `${c.name} ${c.dtype}[${shape(c.shape)}]`).join(', ')}; ` +
          `${formatBytes(r.bytes)} stored (${formatBytes(total)} read in ${secs.toFixed(1)} s)\n`,
      );
    });

  ds.command('ls')
    .description('datasets with their versions, rows, shapes and sizes')
    .option('--json', 'print JSON')
    .action(async (flags: { json?: boolean }) => {
      const { datasets } = await new DatasetsClient().list();
      if (flags.json) return printJson(datasets);
      if (datasets.length === 0) {
        process.stdout.write('no datasets yet — push one with `swarmlab dataset push NAME FILE...`\n');
        return;
      }
      const rows = [['NAME', 'VERSIONS', 'LATEST', 'ROWS', 'COLUMNS', 'SIZE', 'CREATED']];
      for (const d of datasets) {
        const latest = d.versions.at(-1)!;
        rows.push([
          d.name,
          d.versions.map((v) => v.version).join(','),
          String(latest.version),
          String(latest.rows),
          latest.columns
            .map((c) => `${c.name}:${c.dtype}${c.shape.length > 1 ? `[${shape(c.shape.slice(1))}]` : ''}`)
            .join(' '),
          formatBytes(latest.bytes),
          latest.createdAt.slice(0, 19).replace('T', ' '),
        ]);
      }
      process.stdout.write(table(rows));
    });

  ds.command('show')
    .description("a dataset's versions, or one version's manifest (NAME@V)")
    .argument('<ref>', 'NAME or NAME@V')
    .option('--json', 'print JSON')
    .action(async (ref: string, flags: { json?: boolean }) => {
      const datasets = new DatasetsClient();
      const { name, version } = parseRef(ref, false);
      if (!ref.includes('@')) {
        const d = await datasets.get(name);
        if (flags.json) return printJson(d);
        const rows = [['VERSION', 'KIND', 'ROWS', 'SIZE', 'DIGEST', 'CREATED']];
        for (const v of d.versions) {
          rows.push([
            String(v.version),
            v.kind,
            String(v.rows),
            formatBytes(v.bytes),
            v.digest.slice(0, 12),
            v.createdAt,
          ]);
        }
        process.stdout.write(table(rows));
        return;
      }
      const m = await datasets.manifest(name, version);
      if (flags.json) return printJson(m);
      const lines = [
        `${m.name}@${m.version}  ${m.kind}, ${m.rows} rows, ${formatBytes(m.bytes)} in ${m.shards.length} shards`,
        `digest   ${m.digest}`,
        `source   ${m.source.format}: ${m.source.files.map((f) => `${f.name} (${formatBytes(f.bytes)}, sha256 ${f.sha256.slice(0, 12)})`).join(', ')}`,
        `created  ${m.createdAt} by ${m.createdBy}`,
        'columns',
        ...m.columns.map(
          (c) =>
            `  ${c.name.padEnd(12)} ${c.dtype.padEnd(8)} [${c.shape.join(', ')}]${c.axis === 'row' ? '' : ` (${c.axis})`}`,
        ),
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
    });

  ds.command('pull')
    .description('export a version to a file')
    .argument('<ref>', 'NAME or NAME@V')
    .requiredOption('--format <format>', 'libsvm | npy')
    .requiredOption('-o, --output <file>', 'file to write')
    .option('--column <name>', '.npy: which column (default: the first numeric one that is not label)')
    .action(async (ref: string, flags: { format: string; output: string; column?: string }) => {
      const { name, version } = parseRef(ref, false);
      // `--format` passes through as given: the manager checks it.
      const format = flags.format as ExportFormat;
      const res = await new DatasetsClient().export(name, version, { format, column: flags.column });
      let got = 0;
      const bar = progressBar(`pull ${ref}`);
      const body = Readable.fromWeb(res.body as never);
      body.on('data', (c: Buffer) => {
        got += c.length;
        bar.update(got, got);
      });
      await pipeline(body, createWriteStream(flags.output));
      bar.done(got, got);
      process.stdout.write(`wrote ${flags.output} (${formatBytes(got)})\n`);
    });

  ds.command('rm')
    .description('delete one version (NAME@V); shards no other version uses are freed')
    .argument('<ref>', 'NAME@V')
    .action(async (ref: string) => {
      const { name, version } = parseRef(ref, true);
      await new DatasetsClient().delete(name, version as number);
      process.stdout.write(`deleted ${name}@${version}\n`);
    });
}
