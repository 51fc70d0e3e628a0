;; tests/cli/inputs/start-exit.wat -- a start function that prints and calls proc_exit(3) during instantiation:
;; `myrt run` exits with 3 (as wasmtime does), not with an instantiation error; _start never runs.
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "\10\00\00\00\09\00\00\00")
  (data (i32.const 16) "in start\n")
  (func $init (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 32))) (call $proc_exit (i32.const 3)))
  (func (export "_start") unreachable)
  (start $init))
