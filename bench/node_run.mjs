// bench/node_run.mjs -- runs a macro workload on node's WebAssembly engine (V8) for comparison with myrt.
// Usage: node bench/node_run.mjs FILE.wasm [REPEAT]
// Compiles and instantiates FILE.wasm with the WebAssembly JS API, calls the export run() once as a warm-up (V8 starts
// in its baseline tier and tiers up hot functions), then REPEAT (default 3) timed calls. Prints
//   checksum=<u32> seconds=<best timed call> first=<seconds of the warm-up call, incl. baseline code>
import { readFileSync } from 'node:fs';

const [file, repeatArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: node bench/node_run.mjs FILE.wasm [REPEAT]');
  process.exit(2);
}
const repeat = Math.max(1, Number(repeatArg ?? 3) | 0);
const { instance } = await WebAssembly.instantiate(readFileSync(file), {});
const run = instance.exports.run;
const seconds = (t0) => Number(process.hrtime.bigint() - t0) / 1e9;

let t0 = process.hrtime.bigint();
const checksum = run() >>> 0;
const first = seconds(t0);
let best = Infinity;
for (let i = 0; i < repeat; ++i) {
  t0 = process.hrtime.bigint();
  const c = run() >>> 0;
  best = Math.min(best, seconds(t0));
  if (c !== checksum) {
    console.error(`node_run: ${file}: checksum differs between calls (${checksum}, ${c})`);
    process.exit(1);
  }
}
console.log(`checksum=${checksum} seconds=${best.toFixed(6)} first=${first.toFixed(6)}`);
