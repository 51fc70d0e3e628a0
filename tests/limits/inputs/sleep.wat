;; tests/limits/inputs/sleep.wat -- _start sleeps 60 s in one poll_oneoff (a relative monotonic clock subscription).
;; Under --timeout the watchdog's interrupt wakes the wait and the call traps "interrupted" at once.
(module
  (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func $sleep
    (i32.store8 (i32.const 8) (i32.const 0))                   ;; type: clock
    (i32.store (i32.const 16) (i32.const 1))                   ;; clock id: monotonic
    (i64.store (i32.const 24) (i64.const 60000000000))         ;; timeout: 60 s
    (drop (call $poll (i32.const 0) (i32.const 64) (i32.const 1) (i32.const 128))))
  (func (export "_start") (call $sleep)))
