/** One artifact shown in the page: the start of a text file, or an image (drawn from bytes fetched with the token). */
import { useEffect, useState } from 'preact/hooks';
import { objectUrl, readTextStart } from '../api/artifacts.js';
import type { Artifact } from '../api/types.js';
import { bytes } from '../lib/format.js';
import { ErrorBox, Loading } from './Message.js';

const TEXT_LIMIT = 64 * 1024;
/** Larger images are offered for download only: the page would hold them whole. */
const IMAGE_LIMIT = 16 * 1024 * 1024;
const TEXTUAL = /^text\/|[/+](json|xml|yaml|csv|javascript|x-ndjson)\b/;

export type PreviewKind = 'text' | 'image';

export function previewKind(a: Artifact): PreviewKind | undefined {
  if (a.contentType.startsWith('image/')) return a.size <= IMAGE_LIMIT ? 'image' : undefined;
  return TEXTUAL.test(a.contentType) ? 'text' : undefined;
}

type Loaded = { text: string; truncated: boolean } | { src: string };

export function ArtifactPreview(props: { artifact: Artifact; url: string; kind: PreviewKind }) {
  const [loaded, setLoaded] = useState<Loaded | undefined>(undefined);
  const [error, setError] = useState<Error | undefined>(undefined);
  useEffect(() => {
    let live = true;
    let src: string | undefined;
    setLoaded(undefined);
    setError(undefined);
    const load = props.kind === 'text' ? readTextStart(props.url, TEXT_LIMIT) : objectUrl(props.url);
    load.then(
      (r) => {
        if (typeof r === 'string') src = r;
        if (!live) return void (src && URL.revokeObjectURL(src));
        setLoaded(typeof r === 'string' ? { src: r } : r);
      },
      (err: Error) => live && setError(err),
    );
    return () => {
      live = false;
      if (src) URL.revokeObjectURL(src);
    };
  }, [props.url, props.kind]);
  if (error) return <ErrorBox error={error} />;
  if (!loaded) return <Loading />;
  return (
    <figure class="artifact-preview" data-testid="artifact-preview" data-path={props.artifact.path}>
      <figcaption class="mono">{props.artifact.path}</figcaption>
      {'src' in loaded ? (
        <img
          src={loaded.src}
          alt={props.artifact.path}
          // A tiny image (an MNIST digit, an icon) is drawn larger, its pixels kept sharp.
          onLoad={(e) => e.currentTarget.classList.toggle('tiny', e.currentTarget.naturalWidth < 128)}
        />
      ) : (
        <>
          <pre class="logs">{loaded.text}</pre>
          {loaded.truncated ? (
            <p class="muted small">
              The first {bytes(TEXT_LIMIT)} of {bytes(props.artifact.size)}: download it for the rest.
            </p>
          ) : null}
        </>
      )}
    </figure>
  );
}
