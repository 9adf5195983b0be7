/** The content type an artifact is served with, from its extension: text and images are previewed. */

const TEXT = 'text/plain; charset=utf-8';

const BY_EXTENSION: Record<string, string> = {
  txt: TEXT,
  log: TEXT,
  md: 'text/markdown; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  tsv: 'text/tab-separated-values; charset=utf-8',
  json: 'application/json',
  jsonl: 'application/x-ndjson',
  yaml: TEXT,
  yml: TEXT,
  toml: TEXT,
  ini: TEXT,
  cfg: TEXT,
  py: TEXT,
  sh: TEXT,
  // Served as text, never rendered: an artifact is whatever a job wrote, and the dashboard shares its origin.
  html: TEXT,
  htm: TEXT,
  xml: TEXT,
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  bmp: 'image/bmp',
  svg: 'image/svg+xml',
  pdf: 'application/pdf',
  gz: 'application/gzip',
  zip: 'application/zip',
  npy: 'application/octet-stream',
};

export function contentTypeOf(path: string): string {
  const name = path.slice(path.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  if (dot <= 0) return 'application/octet-stream';
  return BY_EXTENSION[name.slice(dot + 1).toLowerCase()] ?? 'application/octet-stream';
}
