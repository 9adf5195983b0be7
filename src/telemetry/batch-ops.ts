/** The store writes of one report batch, whichever transport brought it (WebSocket channel or HTTP). */
import type { ChannelBatch } from '../api/index.js';
import type { EventArchive, MetricPoint, NewEvent } from '../events/index.js';
import type { TxOp } from '../store/index.js';
import { packPoints, pointCount, unpackPoints } from './points.js';
import type { MetricSeries } from './series.js';

/** Events (metric points, epochs, log lines, hardware samples) and series appends for one batch. */
export function batchOps(
  deps: { archive: EventArchive; series: MetricSeries },
  sessionId: string,
  batch: ChannelBatch,
): TxOp[] {
  const { archive, series } = deps;
  const ops: TxOp[] = [];
  if (batch.m && pointCount(batch.m) > 0) {
    ops.push(archive.op({ type: 'session.metric', sessionId, data: { points: unpackPoints(batch.m) } }));
    ops.push(series.op(sessionId, batch.m));
  }
  const epochPoints: MetricPoint[] = [];
  for (const item of batch.x ?? []) {
    let event: NewEvent;
    switch (item.k) {
      case 'epoch': {
        const data = {
          epoch: item.epoch,
          metrics: item.metrics,
          ...(item.total === undefined ? {} : { total: item.total }),
        };
        event = { type: 'session.epoch', sessionId, data };
        for (const [name, value] of Object.entries(item.metrics))
          epochPoints.push([name, value, item.epoch, item.t]);
        break;
      }
      case 'log':
        event = { type: 'session.log', sessionId, data: { stream: 'sdk', lines: item.lines } };
        break;
      case 'hardware':
        event = { type: 'session.hardware', sessionId, data: { ...item.report } };
        break;
      default:
        throw new Error(`unhandled channel item ${(item satisfies never as { k: string }).k}`);
    }
    ops.push(archive.op(event));
  }
  if (epochPoints.length > 0) ops.push(series.op(sessionId, packPoints(epochPoints)));
  return ops;
}
