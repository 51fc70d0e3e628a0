;; tests/limits/inputs/read-stdin.wat -- _start reads stdin (fd_read of 16 bytes) and exits with the count read. On a
;; pipe nobody writes to it blocks; under --timeout the watchdog's interrupt wakes it and it traps "interrupted".
(module
  (import "wasi_snapshot_preview1" "fd_read" (func $read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (func $read_stdin
    (i32.store (i32.const 0) (i32.const 32))                   ;; iov.buf
    (i32.store (i32.const 4) (i32.const 16))                   ;; iov.len
    (drop (call $read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 16))))
  (func (export "_start") (call $read_stdin) (call $exit (i32.load (i32.const 16)))))
