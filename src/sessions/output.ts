/** Keeps a session's output dir as artifacts when it ends: before the end is recorded, so an ended session lists it. */
import { outputDir } from './exec-spec.js';
import type { SessionDeps } from './options.js';
import type { SessionRecord } from './types.js';

/** Only a session that started has output; a failure is logged and never keeps the session from ending. */
export async function keepOutput(
  deps: Pick<SessionDeps, 'artifacts' | 'logger'>,
  dataDir: string,
  record: SessionRecord,
): Promise<void> {
  if (!deps.artifacts || record.startedAt === undefined) return;
  try {
    await deps.artifacts.collect(record.id, outputDir(dataDir, record.id));
  } catch (err) {
    deps.logger.warn({ err, sessionId: record.id }, 'output dir not kept as artifacts');
  }
}
