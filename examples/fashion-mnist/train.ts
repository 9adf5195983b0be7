/**
 * Fashion-MNIST training script, run by the manager as a session (`run.ts` submits it): reads the session's
 * dataset through the SDK, trains an MLP with TensorFlow.js (wasm backend), reports every epoch and saves
 * each epoch's weights as a generation of `fashion-mlp`. The session's rules decide when to stop early and
 * which generation goes to production; a stop request ends training after the current batch, cleanly.
 *
 * Settings (environment): FASHION_EPOCHS (default 5), FASHION_HIDDEN (256), FASHION_BATCH (128),
 * FASHION_LR (0.001), FASHION_VAL_ROWS (5000: the last rows of the stored order, held out for validation),
 * FASHION_TRAIN_ROWS (0 = all the others; fewer for a quick smoke run), FASHION_MODEL (fashion-mlp), FASHION_SEED
 * (42). The session's params `hidden`, `lr` and `seed` (SWARMLAB_PARAM_HIDDEN / _LR / _SEED, as a sweep's trials
 * get them) come first. The seed fixes the initial weights and each epoch's batch order, so a config run twice
 * reports the same metrics bit for bit (the wasm backend runs one thread in Node: no reduction order varies).
 */
import { openDataset, session } from '../../src/sdk/index.js';
import { buildMlp, initTf, readExamples, reorder, rowOrders, tensors, tf, toTfjsFiles } from './tf.js';

const num = (key: string, fallback: number, param?: string): number => {
  const v = (param && process.env[`SWARMLAB_PARAM_${param}`]) || process.env[key];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${key}="${v}" is not a non-negative number`);
  return n;
};

const epochs = num('FASHION_EPOCHS', 5);
const hidden = num('FASHION_HIDDEN', 256, 'HIDDEN');
const batchSize = num('FASHION_BATCH', 128);
const learningRate = num('FASHION_LR', 0.001, 'LR');
const valRows = num('FASHION_VAL_ROWS', 5000);
const trainRowsWanted = num('FASHION_TRAIN_ROWS', 0);
const modelName = process.env.FASHION_MODEL || 'fashion-mlp';
const seed = num('FASHION_SEED', 42, 'SEED');
if (!Number.isSafeInteger(seed)) throw new Error(`FASHION_SEED / the seed param: ${seed} is not an integer`);

const s = await session();
let stopReason: string | undefined;
let model: tf.LayersModel | undefined;
s.onStop((reason) => {
  stopReason = reason;
  s.log(`stop requested (${reason}): finishing the current batch`);
  // Ends fit() after the batch in progress; the loop below then exits without another epoch.
  if (model) model.stopTraining = true;
});

const backend = await initTf();
const t0 = Date.now();
// The session's dataset (SWARMLAB_DATASET, fixed at submit), read once in its stored order: the validation
// rows are a fixed tail, which the stream's per-epoch shuffle (shuffleSeed + epoch) would mix into training.
// fit() then shuffles the training rows each epoch in memory (55,000 × 784 float32 ≈ 170 MB).
const reader = await openDataset(undefined, { batchSize: 2000 });
const all = await readExamples(reader);
await reader.close();
const split = all.rows - valRows;
const trainRows = trainRowsWanted > 0 ? Math.min(trainRowsWanted, split) : split;
const train = tensors(all, 0, trainRows);
const val = tensors(all, split, all.rows);
s.log(
  `${reader.manifest.name}@${reader.manifest.version} read (${reader.mode}) in ${Date.now() - t0} ms: ` +
    `${trainRows} train rows, ${valRows} validation rows; backend ${backend}; seed ${seed}`,
);

model = buildMlp(hidden, learningRate, seed);
const nextOrder = rowOrders(trainRows, seed);
let lastSaved = 0;
for (let epoch = 1; epoch <= epochs && stopReason === undefined; epoch++) {
  const started = Date.now();
  const shuffled = reorder(train, nextOrder());
  const history = await model
    .fit(shuffled.x, shuffled.y, {
      batchSize,
      epochs: 1,
      shuffle: false, // already in this epoch's seeded order
      validationData: [val.x, val.y],
      verbose: 0,
    })
    .finally(() => tf.dispose([shuffled.x, shuffled.y]));
  // A stop that landed mid-epoch leaves a partly trained epoch with no validation pass: neither reported
  // nor saved, so every reported epoch and every generation is a whole one.
  if (stopReason !== undefined) {
    console.log(`epoch ${epoch} interrupted by the stop request: not reported, not saved`);
    break;
  }
  // tfjs names the `accuracy` metric `acc` in its history.
  const last = (...names: string[]) =>
    Number(names.map((n) => history.history[n]?.at(-1)).find((v) => v !== undefined));
  const metrics = {
    loss: last('loss'),
    accuracy: last('acc', 'accuracy'),
    val_loss: last('val_loss'),
    val_accuracy: last('val_acc', 'val_accuracy'),
  };
  const seconds = (Date.now() - started) / 1000;
  s.epoch(epoch, metrics, { total: epochs });
  const line =
    `epoch ${epoch}/${epochs}: loss ${metrics.loss.toFixed(4)} acc ${metrics.accuracy.toFixed(4)} ` +
    `val_loss ${metrics.val_loss.toFixed(4)} val_acc ${metrics.val_accuracy.toFixed(4)} (${seconds.toFixed(1)} s)`;
  console.log(line); // stdout lands in the session's log too
  // A stop that arrives now (the rules judged this epoch) still lets its generation be saved.
  const generation = await s.saveGeneration({
    model: modelName,
    type: 'classifier/mlp',
    format: 'tfjs',
    files: await toTfjsFiles(model),
    metrics: { val_accuracy: metrics.val_accuracy, val_loss: metrics.val_loss, accuracy: metrics.accuracy },
    ...(lastSaved > 0 ? { parent: lastSaved } : {}),
  });
  lastSaved = generation.generation;
  s.log(`saved ${modelName} generation ${generation.generation} (epoch ${epoch})`);
}

const summary = stopReason === undefined ? 'done' : `stopped early (${stopReason})`;
s.log(`${summary} after ${((Date.now() - t0) / 1000).toFixed(1)} s; last generation ${lastSaved}`);
await s.close();
process.exit(0);
