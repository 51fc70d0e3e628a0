;; proc_exit with the status given to --invoke exit; _start exits with 256 (which would wrap to 0 as a process status)
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (func (export "exit") (param i32) (call $exit (local.get 0)))
  (func (export "_start") (call $exit (i32.const 256))))
