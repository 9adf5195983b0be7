/** Test and bench helper: a small tf.sequential saved as model.json + weights.bin (what a tfjs generation holds). */
import * as tf from '@tensorflow/tfjs';
import { wasmBackend } from '../runtime/tfjs.js';

export async function tinyTfjsModel(
  sizes: number[],
  seed = 7,
): Promise<{ model: tf.LayersModel; files: Record<string, Buffer> }> {
  await wasmBackend();
  const model = tf.sequential();
  for (let i = 1; i < sizes.length; i++) {
    model.add(
      tf.layers.dense({
        units: sizes[i]!,
        activation: i === sizes.length - 1 ? 'softmax' : 'relu',
        kernelInitializer: tf.initializers.randomNormal({ seed: seed + i, stddev: 0.3 }),
        biasInitializer: tf.initializers.randomUniform({ seed: seed + 100 + i, minval: -0.1, maxval: 0.1 }),
        ...(i === 1 ? { inputShape: [sizes[0]!] } : {}),
      }),
    );
  }
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  const a = saved!;
  const weights = Buffer.from(a.weightData as ArrayBuffer);
  const json = {
    format: 'layers-model',
    generatedBy: 'swarmlab-test',
    convertedBy: null,
    modelTopology: a.modelTopology,
    weightsManifest: [{ paths: ['./weights.bin'], weights: a.weightSpecs }],
  };
  return { model, files: { 'model.json': Buffer.from(JSON.stringify(json)), 'weights.bin': weights } };
}
