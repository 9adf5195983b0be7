/** The registry's records are wire types: they live in src/api, re-exported here for the registry's modules. */
export * from '../api/model-diff.js';
export * from '../api/models.js';
