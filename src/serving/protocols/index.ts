/** Wire formats of the two inference protocols: TF-Serving REST (v1) and KServe v2 / Open Inference Protocol. */
export { formatV1, metadataV1, parseV1, statusV1, type V1Request } from './v1.js';
export { checkOutputs, formatV2, metadataV2, parseV2, V2_DATATYPES, type V2Request } from './v2.js';
