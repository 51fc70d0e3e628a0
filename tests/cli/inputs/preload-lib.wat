;; tests/cli/inputs/preload-lib.wat -- a library for `myrt run --preload lib=...`: its own memory, a counter, and a
;; `greet` that writes through WASI from its own memory.
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "\10\00\00\00\0f\00\00\00")
  (data (i32.const 16) "hello from lib\n")
  (global $count (mut i32) (i32.const 0))
  (func (export "twice") (param i32) (result i32)
    (global.set $count (i32.add (global.get $count) (i32.const 1)))
    (i32.mul (local.get 0) (i32.const 2)))
  (func (export "greet") (drop (call $write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 32)))))
