/**
 * Load for bench/serving.ts, from another process so its CPU is not the server's: Debian's `wrk` (C, epoll) when
 * installed, else bench/serving-loader.ts (Node; it costs the shared CPUs about twice what wrk does). Each run
 * is preceded by a one-second warm-up run.
 */
import { execFile, execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface LoadResult {
  requests: number;
  /** Answers that were not 2xx/3xx, plus connect/read/write errors and timeouts. */
  errors: number;
  seconds: number;
  /** Latency percentiles, ms. */
  p50: number;
  p99: number;
}

export interface LoadSpec {
  url: string;
  /** A file with the POST body; GET when undefined. */
  bodyFile?: string;
  headers?: Record<string, string>;
  concurrency: number;
  seconds: number;
}

const hasWrk = (() => {
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' });
    return true;
  } catch (err) {
    // wrk --version exits 1 after printing its version.
    return (err as { status?: number }).status === 1;
  }
})();

export const loaderName = hasWrk
  ? 'wrk'
  : 'bench/serving-loader.ts (install Debian wrk for a lighter loader)';

/** A Lua script for wrk: the request, and a JSON line of results at the end. */
function wrkScript(spec: LoadSpec): string {
  const headers = { 'content-type': 'application/json', ...spec.headers };
  return [
    ...(spec.bodyFile
      ? [
          `local f = io.open(${JSON.stringify(spec.bodyFile)}, "rb")`,
          'wrk.body = f:read("*a")',
          'f:close()',
          'wrk.method = "POST"',
          ...Object.entries(headers).map(
            ([k, v]) => `wrk.headers[${JSON.stringify(k)}] = ${JSON.stringify(v)}`,
          ),
        ]
      : []),
    'done = function(summary, latency, requests)',
    '  local e = summary.errors',
    '  io.write(string.format(\'{"requests":%d,"errors":%d,"seconds":%f,"p50":%f,"p99":%f}\\n\',',
    '    summary.requests, e.status + e.connect + e.read + e.write + e.timeout, summary.duration / 1e6,',
    '    latency:percentile(50) / 1000, latency:percentile(99) / 1000))',
    'end',
  ].join('\n');
}

let scripts = 0;

/** Runs the load; `dir` holds the generated wrk scripts. */
export async function drive(spec: LoadSpec, dir: string): Promise<LoadResult> {
  if (!hasWrk) return nodeLoader(spec);
  const script = join(dir, `load-${scripts++}.lua`);
  await writeFile(script, wrkScript(spec));
  const args = (seconds: number) => [
    '-t1',
    `-c${spec.concurrency}`,
    `-d${seconds}s`,
    '--timeout',
    '10s',
    '-s',
    script,
    spec.url,
  ];
  await run('wrk', args(1));
  const { stdout } = await run('wrk', args(spec.seconds), { maxBuffer: 1 << 20 });
  const line = stdout.split('\n').find((l) => l.startsWith('{'));
  if (!line) throw new Error(`wrk printed no result:\n${stdout}`);
  return JSON.parse(line) as LoadResult;
}

async function nodeLoader(spec: LoadSpec): Promise<LoadResult> {
  const loader = join(import.meta.dirname, 'serving-loader.ts');
  const args = [
    spec.url,
    spec.bodyFile ?? '-',
    String(spec.concurrency),
    String(spec.seconds),
    '1',
    JSON.stringify(spec.headers ?? {}),
  ];
  const { stdout } = await run(process.execPath, ['--import', 'tsx', loader, ...args], {
    maxBuffer: 1 << 20,
  });
  return JSON.parse(stdout) as LoadResult;
}
