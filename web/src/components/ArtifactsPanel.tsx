/**
 * A session's artifacts: path, size and type of each file, a download, and a preview of text and images. The list
 * is read again when the session's state changes (output files are collected when it ends).
 */
import { useState } from 'preact/hooks';
import { artifactPath, artifactsPath, download } from '../api/artifacts.js';
import type { Artifact, ArtifactList } from '../api/types.js';
import { bytes, integer } from '../lib/format.js';
import { useApi } from '../lib/use-api.js';
import { ArtifactPreview, previewKind } from './ArtifactPreview.js';
import { ErrorBox } from './Message.js';

function Row(props: {
  a: Artifact;
  url: string;
  shown: boolean;
  onPreview?: () => void;
  onError: (e: Error) => void;
}) {
  const { a } = props;
  return (
    <tr data-artifact={a.path} class={props.shown ? 'selected' : ''}>
      <td class="mono">{a.path}</td>
      <td class="num">{bytes(a.size)}</td>
      <td class="muted">{a.contentType.split(';')[0]}</td>
      <td class="muted">{a.source}</td>
      <td class="actions">
        {props.onPreview ? (
          <button type="button" class="link" onClick={props.onPreview}>
            {props.shown ? 'Hide' : 'Preview'}
          </button>
        ) : null}
        <button type="button" class="link" onClick={() => download(props.url, a.path).catch(props.onError)}>
          Download
        </button>
      </td>
    </tr>
  );
}

export function ArtifactsPanel(props: { sessionId: string; state: string }) {
  const list = useApi<ArtifactList>(artifactsPath(props.sessionId), [props.state]);
  const [shown, setShown] = useState<string | undefined>(undefined);
  const [error, setError] = useState<Error | undefined>(undefined);
  const l = list.data;
  const preview = l?.artifacts.find((a) => a.path === shown);
  const kind = preview && previewKind(preview);
  return (
    <section class="card" data-testid="artifacts">
      <h3>
        Artifacts{' '}
        {l ? (
          <span class="muted small num" data-testid="artifacts-summary">
            {integer(l.artifacts.length)} file{l.artifacts.length === 1 ? '' : 's'}, {bytes(l.totalBytes)}
          </span>
        ) : null}
      </h3>
      {list.error ? <ErrorBox error={list.error} /> : null}
      {error ? <ErrorBox error={error} /> : null}
      {l && l.artifacts.length === 0 ? (
        <p class="muted">
          None yet: files the job writes into <code>SWARMLAB_OUTPUT_DIR</code> are kept when it ends.
        </p>
      ) : null}
      {l && l.artifacts.length > 0 ? (
        <div class="scroll-x">
          <table class="table compact" data-testid="artifacts-table">
            <thead>
              <tr>
                <th>Path</th>
                <th class="num">Size</th>
                <th>Type</th>
                <th>From</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {l.artifacts.map((a) => (
                <Row
                  key={a.path}
                  a={a}
                  url={artifactPath(props.sessionId, a.path)}
                  shown={a.path === shown}
                  onPreview={
                    previewKind(a) ? () => setShown(a.path === shown ? undefined : a.path) : undefined
                  }
                  onError={setError}
                />
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {preview && kind ? (
        <ArtifactPreview artifact={preview} url={artifactPath(props.sessionId, preview.path)} kind={kind} />
      ) : null}
    </section>
  );
}
