;; a start function calling proc_exit(134), which would look like a trap
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (func $init (call $exit (i32.const 134)))
  (start $init))
