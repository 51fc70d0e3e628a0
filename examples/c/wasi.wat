;; examples/c/wasi.wat -- a WASI preview1 command: prints a greeting and its argument count, creates out.txt in the
;; directory preopened as fd 3, tries the same in the read-only directory fd 4, and exits with proc_exit(3).
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_close" (func $fd_close (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 100) "hello from wasi\n")
  (data (i32.const 200) "out.txt")
  (data (i32.const 300) "written by wasm\n")
  (data (i32.const 400) "argc=?\n")
  (data (i32.const 500) "read-only dir: denied\n")
  (data (i32.const 600) "read-only dir: allowed\n")

  ;; Writes [ptr, ptr+len) to fd (iovec at 0, byte count at 800).
  (func $write (param $fd i32) (param $ptr i32) (param $len i32)
    (i32.store (i32.const 0) (local.get $ptr))
    (i32.store (i32.const 4) (local.get $len))
    (drop (call $fd_write (local.get $fd) (i32.const 0) (i32.const 1) (i32.const 800))))

  ;; Creates out.txt in directory fd `dir`; returns the errno (0: created, the text written).
  (func $create (param $dir i32) (result i32)
    (local $err i32)
    (local.set $err (call $path_open (local.get $dir) (i32.const 0) (i32.const 200) (i32.const 7)
      (i32.const 9)                ;; oflags: creat | trunc
      (i64.const 0x40)             ;; rights: fd_write
      (i64.const 0) (i32.const 0) (i32.const 804)))
    (if (i32.eqz (local.get $err))
      (then
        (call $write (i32.load (i32.const 804)) (i32.const 300) (i32.const 16))
        (drop (call $fd_close (i32.load (i32.const 804))))))
    (local.get $err))

  (func (export "_start")
    (call $write (i32.const 1) (i32.const 100) (i32.const 16))
    (drop (call $args_sizes_get (i32.const 808) (i32.const 812)))
    (i32.store8 (i32.const 405) (i32.add (i32.const 48) (i32.load (i32.const 808))))
    (call $write (i32.const 1) (i32.const 400) (i32.const 7))
    (drop (call $create (i32.const 3)))
    (if (call $create (i32.const 4))
      (then (call $write (i32.const 1) (i32.const 500) (i32.const 22)))
      (else (call $write (i32.const 1) (i32.const 600) (i32.const 23))))
    (call $proc_exit (i32.const 3))
    (unreachable)))
