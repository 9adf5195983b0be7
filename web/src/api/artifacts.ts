/**
 * A session's artifact bytes, fetched with the token like every call (a plain link could not send it): the start
 * of a text, an image as an object URL, a download saved under the artifact's name.
 */
import { request } from './client.js';

export const artifactsPath = (sessionId: string) =>
  `/api/v1/sessions/${encodeURIComponent(sessionId)}/artifacts`;

export const artifactPath = (sessionId: string, path: string) =>
  `${artifactsPath(sessionId)}/${path.split('/').map(encodeURIComponent).join('/')}`;

/** The first `limit` bytes as text (asked for with a Range; a server sending the whole file is cut short). */
export async function readTextStart(
  url: string,
  limit: number,
): Promise<{ text: string; truncated: boolean }> {
  const res = await request(url, { headers: { range: `bytes=0-${limit - 1}` } });
  const reader = res.body!.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  while (size < limit) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.length;
  }
  await reader.cancel();
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.length;
  }
  const total = Number(res.headers.get('content-range')?.split('/')[1] ?? res.headers.get('content-length'));
  return {
    text: new TextDecoder().decode(bytes.subarray(0, limit)),
    truncated: size > limit || (Number.isFinite(total) && total > Math.min(size, limit)),
  };
}

/** An object URL of the bytes; the caller revokes it. */
export async function objectUrl(url: string): Promise<string> {
  return URL.createObjectURL(await (await request(url)).blob());
}

/** Saves the file through the browser's download, named by the artifact path's last segment. */
export async function download(url: string, path: string): Promise<void> {
  const href = await objectUrl(url);
  const a = document.createElement('a');
  a.href = href;
  a.download = path.slice(path.lastIndexOf('/') + 1);
  a.click();
  // The download has taken the bytes once the click is handled.
  setTimeout(() => URL.revokeObjectURL(href), 60_000);
}
