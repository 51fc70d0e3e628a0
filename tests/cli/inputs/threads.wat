;; wasi-threads through `myrt run --invoke NAME` (tests/cli run-threads-*): threads spawned with wasi.thread-spawn run
;; wasi_thread_start(tid, mode) in their own instance over the shared memory.
;; memory: 0 counter, 4 finished threads, 16 start flag (the counting threads start together)
(module
  (memory (export "memory") (import "env" "memory") 1 1 shared)
  (func $spawn (import "wasi" "thread-spawn") (param i32) (result i32))
  (global $iters i32 (i32.const 1000000))

  (func (export "wasi_thread_start") (param $tid i32) (param $mode i32) (local $i i32)
    ;; mode 0: atomic increments; 1: plain load/add/store (a data race: updates get lost); 2: wait for ever; 3: trap
    (if (i32.eq (local.get $mode) (i32.const 2))
      (then (drop (memory.atomic.wait32 (i32.const 12) (i32.const 0) (i64.const -1))) (return)))
    (if (i32.eq (local.get $mode) (i32.const 3)) (then (unreachable)))
    (block $go
      (loop $w
        (br_if $go (i32.atomic.load (i32.const 16)))
        (drop (memory.atomic.wait32 (i32.const 16) (i32.const 0) (i64.const -1)))
        (br $w)))
    (loop $l
      (if (local.get $mode)
        (then (i32.store (i32.const 0) (i32.add (i32.load (i32.const 0)) (i32.const 1))))
        (else (drop (i32.atomic.rmw.add (i32.const 0) (i32.const 1)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (global.get $iters))))
    (drop (i32.atomic.rmw.add (i32.const 4) (i32.const 1)))
    (drop (memory.atomic.notify (i32.const 4) (i32.const 1))))

  ;; Spawns n threads in `mode`, waits until they have all finished, returns the counter.
  (func $run (param $n i32) (param $mode i32) (result i32) (local $i i32) (local $done i32)
    (loop $l
      (if (i32.le_s (call $spawn (local.get $mode)) (i32.const 0)) (then (unreachable)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (i32.atomic.store (i32.const 16) (i32.const 1))
    (drop (memory.atomic.notify (i32.const 16) (i32.const -1)))
    (block $b
      (loop $w
        (local.set $done (i32.atomic.load (i32.const 4)))
        (br_if $b (i32.ge_u (local.get $done) (local.get $n)))
        (drop (memory.atomic.wait32 (i32.const 4) (local.get $done) (i64.const -1)))
        (br $w)))
    (i32.atomic.load (i32.const 0)))

  ;; 4 threads x 1,000,000 increments: 4000000 with atomics; fewer with plain stores (racy).
  (func (export "atomic") (result i32) (call $run (i32.const 4) (i32.const 0)))
  (func (export "racy") (result i32) (call $run (i32.const 4) (i32.const 1)))
  ;; One thread traps while the main thread waits for it: the program ends with the trap (exit 134).
  (func (export "trap") (result i32) (call $run (i32.const 1) (i32.const 3)))
  ;; Spawns 3 blocking threads; with --max-threads 2 the third thread-spawn fails (-1); returns the three results
  ;; as a*100 + b*10 + c with failures as 9 (the threads still blocked are stopped when the main thread returns).
  (func (export "limit") (result i32) (local $r i32) (local $k i32) (local $i i32)
    (loop $l
      (local.set $k (call $spawn (i32.const 2)))
      (local.set $r (i32.add (i32.mul (local.get $r) (i32.const 10))
                             (select (i32.const 9) (local.get $k) (i32.lt_s (local.get $k) (i32.const 0)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 3))))
    (local.get $r))
)
