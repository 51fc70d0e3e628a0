;; tests/cli/inputs/start-wasi.wat -- a module whose start function calls WASI during instantiation.
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "\10\00\00\00\09\00\00\00")
  (data (i32.const 16) "in start\n")
  (func $init (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 32))))
  (start $init))
