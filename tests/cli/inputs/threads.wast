;; threads proposal: `thread` / `wait` commands. Each thread has a store of its own and sees only the modules it
;; names in (shared ...); the shared memory is imported across stores.
(module $Mem (memory (export "shared") 1 1 shared))
(register "mem" $Mem)

;; Message passing: T1 writes the data, then the flag, then notifies; T2 waits for the flag and reads the data.
(thread $T1 (shared (module $Mem))
  (register "mem" $Mem)
  (module
    (memory (import "mem" "shared") 1 1 shared)
    (func (export "run")
      (i32.atomic.store (i32.const 0) (i32.const 42))
      (i32.atomic.store (i32.const 4) (i32.const 1))
      (drop (memory.atomic.notify (i32.const 4) (i32.const 1)))))
  (invoke "run"))
(thread $T2 (shared (module $Mem))
  (register "mem" $Mem)
  (module
    (memory (import "mem" "shared") 1 1 shared)
    (func (export "run") (result i32)
      (loop $l
        (if (i32.eqz (i32.atomic.load (i32.const 4)))
          (then (drop (memory.atomic.wait32 (i32.const 4) (i32.const 0) (i64.const -1))) (br $l))))
      (i32.atomic.load (i32.const 0))))
  (assert_return (invoke "run") (i32.const 42)))
(wait $T1)
(wait $T2)

;; Two threads increment one counter 50,000 times each with atomic.rmw.add: exactly 100,000.
(thread $A (shared (module $Mem))
  (register "mem" $Mem)
  (module
    (memory (import "mem" "shared") 1 1 shared)
    (func (export "count") (local i32)
      (loop $l
        (drop (i32.atomic.rmw.add (i32.const 16) (i32.const 1)))
        (local.set 0 (i32.add (local.get 0) (i32.const 1)))
        (br_if $l (i32.lt_u (local.get 0) (i32.const 50000))))))
  (invoke "count"))
(thread $B (shared (module $Mem))
  (register "mem" $Mem)
  (module
    (memory (import "mem" "shared") 1 1 shared)
    (func (export "count") (local i32)
      (loop $l
        (drop (i32.atomic.rmw.add (i32.const 16) (i32.const 1)))
        (local.set 0 (i32.add (local.get 0) (i32.const 1)))
        (br_if $l (i32.lt_u (local.get 0) (i32.const 50000))))))
  (invoke "count"))
(wait $B)
(wait $A)

(module $Check
  (memory (import "mem" "shared") 1 1 shared)
  (func (export "get") (param i32) (result i32) (i32.atomic.load (local.get 0))))
(assert_return (invoke $Check "get" (i32.const 0)) (i32.const 42))
(assert_return (invoke $Check "get" (i32.const 16)) (i32.const 100000))

;; A failure inside a thread is reported with its line, when the thread is waited for.
(thread $F (assert_return (invoke $Check "get" (i32.const 0)) (i32.const 1)))
(wait $F)
