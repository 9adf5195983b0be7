/** Session telemetry: the session channels that ingest SDK reports, metric time series and their summaries. */
export type { ChannelPeer } from './channel.js';
export { Channel } from './channel.js';
export { type AdmissionCheck, SessionChannels } from './channels.js';
export { bucketBounds, minMaxIndices } from './downsample.js';
export { MAX_BATCH_POINTS, parseBatch, parseHello } from './frames.js';
export { HttpStreams, LIVE_MS, type ReportAnswer } from './http-streams.js';
export { packPoints, unpackPoints } from './points.js';
export { telemetryPurgeOps } from './purge.js';
export { parseReport } from './report-json.js';
export { MetricSeries, type Series, type SeriesQuery, type SeriesResult, seriesLog } from './series.js';
export { MetricSummaries } from './summaries.js';
