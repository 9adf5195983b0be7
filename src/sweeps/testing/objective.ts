/**
 * A deterministic synthetic trial for sweep tests: a node script using the built SDK (npm run build) that reports
 * `score` for epochs 1..N, a known function of its params: `epoch·q + 10·a + b` (missing params count as q = 1,
 * a = b = 0), then saves a generation of `model` (when given) with its last score. It leaves as soon as the SDK
 * is asked to stop, and says so in its log.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

export const SDK = resolve(import.meta.dirname, '../../../dist/sdk/index.js');

const SCRIPT = `
const { session } = await import(${JSON.stringify(pathToFileURL(SDK).href)});
const { epochs, pauseMs, model } = JSON.parse(process.argv[1]);
const p = JSON.parse(process.env.SWARMLAB_PARAMS || '{}');
const s = await session();
s.onStop(async (reason) => { console.log('stop asked through the SDK: ' + reason); await s.close().catch(() => {}); process.exit(0); });
const score = (e) => e * Number(p.q ?? 1) + 10 * Number(p.a ?? 0) + Number(p.b ?? 0);
for (let e = 1; e <= epochs; e++) {
  await new Promise((r) => setTimeout(r, pauseMs));
  s.epoch(e, { score: score(e) });
}
if (model) {
  await s.saveGeneration({
    model, type: 'synthetic', format: 'raw-float32', metrics: { score: score(epochs) },
    buffer: new Uint8Array(Float32Array.of(score(epochs)).buffer), tensors: { w: { shape: [1], offset: 0 } },
  });
}
await new Promise((r) => setTimeout(r, pauseMs));
await s.close();
`;

/** The known objective, as the script computes it. */
export const objective = (p: Record<string, unknown>, epoch: number): number =>
  epoch * Number(p.q ?? 1) + 10 * Number(p.a ?? 0) + Number(p.b ?? 0);

/** The trial template's command: `epochs` epochs, `pauseMs` between them, then a generation of `model`. */
export const objectiveCommand = (epochs: number, pauseMs: number, model?: string): string[] => [
  process.execPath,
  '--input-type=module',
  '-e',
  SCRIPT,
  JSON.stringify({ epochs, pauseMs, model }),
];
