/** Prometheus series per served model; registered into the HTTP server's registry (one per server). */
import { Counter, Gauge, Histogram, type Metric, type Registry } from 'prom-client';
import { Memo } from '../util/memo.js';

export type Protocol = 'v1' | 'v2';

export class ServingMetrics {
  readonly requests = new Counter({
    name: 'swarmlab_serving_requests_total',
    help: 'Inference requests by model, generation that answered, protocol and HTTP status',
    labelNames: ['model', 'generation', 'protocol', 'code'],
    registers: [],
  });
  readonly duration = new Histogram({
    name: 'swarmlab_serving_request_duration_seconds',
    help: 'Inference request latency, parse to response, by model',
    labelNames: ['model'],
    buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5],
    registers: [],
  });
  readonly batchSize = new Histogram({
    name: 'swarmlab_serving_batch_size',
    help: 'Rows per runtime call, by model',
    labelNames: ['model'],
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
    registers: [],
  });
  readonly queueDepth = new Gauge({
    name: 'swarmlab_serving_queue_depth',
    help: 'Requests waiting for a runtime call, by model',
    labelNames: ['model'],
    registers: [],
  });
  readonly generation = new Gauge({
    name: 'swarmlab_serving_generation',
    help: 'The production generation being served, by model',
    labelNames: ['model'],
    // Summed over `swarmlab serve --workers` processes, a generation number would be N times too big.
    aggregator: 'max',
    registers: [],
  });

  register(registry: Registry): void {
    const all: [string, Metric][] = [
      ['swarmlab_serving_requests_total', this.requests],
      ['swarmlab_serving_request_duration_seconds', this.duration],
      ['swarmlab_serving_batch_size', this.batchSize],
      ['swarmlab_serving_queue_depth', this.queueDepth],
      ['swarmlab_serving_generation', this.generation],
    ];
    for (const [name, m] of all) if (!registry.getSingleMetric(name)) registry.registerMetric(m);
  }

  readonly #series = new Memo<{ requests: Counter.Internal; duration: Histogram.Internal<string> }>();

  observe(model: string, generation: number | undefined, protocol: Protocol, code: number, seconds: number) {
    const s = this.#series.get(`${model} ${generation} ${protocol} ${code}`, () => ({
      requests: this.requests.labels({
        model,
        generation: generation === undefined ? '' : String(generation),
        protocol,
        code,
      }),
      duration: this.duration.labels({ model }),
    }));
    s.requests.inc();
    s.duration.observe(seconds);
  }
}
