// tests/tools/wasi_threads_node.mjs -- runs a wasm32-wasi-threads command module under node, as the oracle that
// `myrt run` is compared against (node has WASI preview1 but no wasi-threads).
//
//   node tests/tools/wasi_threads_node.mjs [--dir DIR]... [--max-threads N] MODULE.wasm [ARGS...]
//
// Every wasm thread, the program's main thread included, runs in a worker_threads Worker that instantiates the one
// compiled module over the one shared WebAssembly.Memory (the module's imported shared memory, created here with the
// import's limits) with its own node:wasi instance; the first runs _start, the others wasi_thread_start(tid, arg).
// This thread only coordinates: wasi.thread-spawn takes the next thread id from a shared counter and asks this thread
// (postMessage) to start the Worker, so a spawning thread that blocks at once (pthread_join) does not stop the
// new thread from starting. proc_exit in any thread, the main thread's return, or a trap in any thread ends the
// process (exit code of proc_exit, 0, or 134 with the trap on stderr like `myrt run`).
// Known difference from myrt: node:wasi keeps a descriptor table per WASI instance, so a file that one thread opened
// is not visible to another (stdin/stdout/stderr and the --dir preopens are, in every thread).
// Redirect stdout to a file: with a pipe, node makes it non-blocking and fd_write may fail with EAGAIN.
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { WASI } from 'node:wasi';
import { readFileSync } from 'node:fs';
import process from 'node:process';

class ProcExit {
  constructor(code) { this.code = code; }
}

// The (module, name, limits) of the module's imported memory, read from the binary's import section.
function memoryImport(bytes) {
  let p = 8;
  const u32 = () => {
    let r = 0, shift = 0, b;
    do { b = bytes[p++]; r |= (b & 0x7f) << shift; shift += 7; } while (b & 0x80);
    return r >>> 0;
  };
  const name = () => { const n = u32(); const s = Buffer.from(bytes.subarray(p, p + n)).toString('utf8'); p += n; return s; };
  const limits = () => {
    const flags = bytes[p++];
    const initial = u32();
    const maximum = (flags & 1) ? u32() : undefined;
    return { initial, maximum, shared: (flags & 2) !== 0 };
  };
  while (p < bytes.length) {
    const id = bytes[p++];
    const size = u32();
    const end = p + size;
    if (id !== 2) { p = end; continue; }
    const count = u32();
    for (let i = 0; i < count; i++) {
      const mod = name(), field = name(), kind = bytes[p++];
      if (kind === 0) u32();
      else if (kind === 1) { p++; limits(); }
      else if (kind === 2) return { mod, field, ...limits() };
      else if (kind === 3) p += 2;
      else if (kind === 4) { p++; u32(); }
      else throw new Error(`unknown import kind ${kind}`);
    }
    p = end;
  }
  return null;
}

function runThread({ module, memory, mem, args, env, preopens, control, maxThreads, tid, arg, ready }) {
  const signal = (v) => { if (ready) { Atomics.store(ready, 0, v); Atomics.notify(ready, 0); } };
  let wasi;
  try {
    wasi = new WASI({ version: 'preview1', args, env, preopens, returnOnExit: true });
  } catch (e) {
    if (tid === 0) throw e;
    Atomics.sub(control, 1, 1);
    signal(-1);  // thread-spawn returns -1
    return;
  }
  const wasiImport = { ...wasi.wasiImport, proc_exit: (code) => { throw new ProcExit(code); } };
  // thread-spawn returns once the new thread has its instance (or -1 if it could not get one), as in myrt: a
  // program may close stdout right after its last spawn, and node:wasi's setup of a later thread would then fail.
  const spawn = (startArg) => {
    // --max-threads bounds the spawned threads running at once (control[1]), as in myrt
    if (Atomics.add(control, 1, 1) >= maxThreads) { Atomics.sub(control, 1, 1); return -1; }
    const newTid = Atomics.add(control, 0, 1);
    const ready = new Int32Array(new SharedArrayBuffer(4));
    parentPort.postMessage({ spawn: newTid, arg: startArg, ready });
    Atomics.wait(ready, 0, 0);
    return ready[0] === 1 ? newTid : -1;
  };
  const imports = { wasi_snapshot_preview1: wasiImport, wasi: { 'thread-spawn': spawn } };
  imports[mem.mod] = { ...(imports[mem.mod] || {}), [mem.field]: memory };
  let instance;
  try {
    instance = new WebAssembly.Instance(module, imports);
  } catch (e) {
    if (tid !== 0) Atomics.sub(control, 1, 1);
    signal(-1);  // a spawned thread's thread-spawn returns -1
    if (e instanceof ProcExit) parentPort.postMessage({ exit: e.code });  // from a start function
    else if (tid === 0) throw e;
    return;
  }
  try {
    // node:wasi wants the memory among the exports; the module imports it.
    const view = { exports: { memory } };
    if (tid === 0) {
      view.exports._start = instance.exports._start;
      wasi.start(view);
      parentPort.postMessage({ exit: 0 });
    } else {
      wasi.initialize(view);
      signal(1);
      instance.exports.wasi_thread_start(tid, arg);
      Atomics.sub(control, 1, 1);
    }
  } catch (e) {
    if (e instanceof ProcExit) parentPort.postMessage({ exit: e.code });
    else parentPort.postMessage({ trap: String(e && e.stack || e) });
  }
}

if (!isMainThread) {
  runThread(workerData);
} else {
  const argv = process.argv.slice(2);
  const preopens = {};
  let maxThreads = 256;
  while (argv.length && argv[0].startsWith('--')) {
    const opt = argv.shift();
    if (opt === '--dir') { const d = argv.shift(); preopens[d] = d; }
    else if (opt === '--max-threads') maxThreads = Number(argv.shift());
    else { console.error(`unknown option ${opt}`); process.exit(2); }
  }
  if (!argv.length) { console.error('usage: wasi_threads_node.mjs [--dir DIR]... [--max-threads N] MODULE.wasm [ARGS...]'); process.exit(2); }
  const file = argv[0];
  const bytes = readFileSync(file);
  const module = new WebAssembly.Module(bytes);
  const mem = memoryImport(bytes);
  if (!mem || !mem.shared) { console.error(`${file}: imports no shared memory (not a wasm32-wasi-threads module)`); process.exit(2); }
  const memory = new WebAssembly.Memory({ initial: mem.initial, maximum: mem.maximum, shared: true });
  const control = new Int32Array(new SharedArrayBuffer(8));
  control[0] = 1;  // the next thread id
  control[1] = 0;  // spawned threads running
  const common = { module, memory, mem, args: argv, env: {}, preopens, control, maxThreads };
  // The first ending wins: process.exit stops the other workers, whose errors are then not the program's.
  let ended = false;
  const end = (code, text) => {
    if (ended) return;
    ended = true;
    if (text) process.stderr.write(text);
    process.exit(code);
  };
  const start = (tid, arg, ready) => {
    if (ended) return;
    const w = new Worker(new URL(import.meta.url), { workerData: { ...common, tid, arg, ready } });
    w.on('message', (m) => {
      if ('spawn' in m) start(m.spawn, m.arg, m.ready);
      else if ('exit' in m) end(m.exit);
      else if ('trap' in m) end(134, `trap in thread ${tid}: ${m.trap}\n`);
    });
    w.on('error', (e) => end(134, `thread ${tid}: ${e && e.stack || e}\n`));
  };
  start(0, 0);
}
