/** Store names of artifacts: one document per session listing its files, and the blob owners that keep them. */

/** `{files: {path: StoredArtifact}}`; paths may hold characters store keys cannot, so they live inside it. */
export const artifactsKey = (sessionId: string): string => `artifacts/${sessionId}`;

/** Owns every blob the session's artifacts use, once per blob however many paths share it. */
export const sessionOwner = (sessionId: string): string => `session:${sessionId}`;

/** Holds an uploaded blob until the transaction that lists it takes it over (or the upload fails). */
export const uploadOwner = (id: string): string => `artifact-upload:${id}`;
