/** `swarmlab artifacts ls ID` and `swarmlab artifacts get ID PATH [-o FILE]`: a session's stored files. */
import type { Command } from 'commander';
import { ArtifactsClient } from '../../sdk/artifacts.js';
import { formatBytes, printJson, table } from '../format.js';

export function registerArtifacts(program: Command): void {
  const artifacts = program.command('artifacts').description("a session's artifacts (files it produced)");

  artifacts
    .command('ls')
    .description('list the artifacts of a session')
    .argument('<id>', 'session id')
    .option('--json', 'print as JSON')
    .action(async (id: string, flags: { json?: boolean }) => {
      const list = await new ArtifactsClient().list(id);
      if (flags.json) return printJson(list);
      const rows = [['PATH', 'SIZE', 'TYPE', 'SOURCE', 'DIGEST']];
      for (const a of list.artifacts) {
        rows.push([
          a.path,
          formatBytes(a.size),
          a.contentType.split(';')[0]!,
          a.source,
          a.digest.slice(0, 12),
        ]);
      }
      process.stdout.write(table(rows));
      process.stdout.write(`${list.artifacts.length} artifact(s), ${formatBytes(list.totalBytes)}\n`);
    });

  artifacts
    .command('get')
    .description('download an artifact (checked against its sha256)')
    .argument('<id>', 'session id')
    .argument('<path>', 'artifact path, as `artifacts ls` shows it')
    .option('-o, --output <file>', 'write to this file (default: stdout; `-` for stdout)')
    .action(async (id: string, path: string, flags: { output?: string }) => {
      const to = flags.output === undefined || flags.output === '-' ? process.stdout : flags.output;
      const bytes = await new ArtifactsClient().download(id, path, to);
      if (to !== process.stdout) process.stderr.write(`${flags.output}: ${formatBytes(bytes)}\n`);
    });
}
