import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseNvidiaSmi } from './nvidia-smi.js';

// What `nvidia-smi --query-gpu=index,name,utilization.gpu,memory.used,memory.total --format=csv,noheader,nounits`
// prints, with CRLF as some drivers end lines, and a GPU whose utilisation the driver does not give (MIG: [N/A]).
const SAMPLE = [
  '0, NVIDIA A100-SXM4-40GB, 87, 30211, 40960',
  '1, NVIDIA A100-SXM4-40GB, 0, 4, 40960',
  '2, NVIDIA A100-SXM4-40GB, [N/A], 12345, 40960',
  '',
].join('\r\n');

test('parses GPU utilisation and memory from nvidia-smi csv', () => {
  assert.deepEqual(parseNvidiaSmi(SAMPLE), [
    {
      index: 0,
      name: 'NVIDIA A100-SXM4-40GB',
      utilizationPercent: 87,
      memoryUsedMb: 30211,
      memoryTotalMb: 40960,
    },
    { index: 1, name: 'NVIDIA A100-SXM4-40GB', utilizationPercent: 0, memoryUsedMb: 4, memoryTotalMb: 40960 },
    {
      index: 2,
      name: 'NVIDIA A100-SXM4-40GB',
      utilizationPercent: 0,
      memoryUsedMb: 12345,
      memoryTotalMb: 40960,
    },
  ]);
});

test('keeps a comma inside a GPU name, and skips blank or short lines', () => {
  assert.deepEqual(parseNvidiaSmi('\n3, Odd, Name, 50, 100, 200\nNo devices were found\n'), [
    { index: 3, name: 'Odd, Name', utilizationPercent: 50, memoryUsedMb: 100, memoryTotalMb: 200 },
  ]);
});
