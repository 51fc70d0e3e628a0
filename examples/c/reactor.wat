;; examples/c/reactor.wat -- a WASI reactor (no _start: the host calls _initialize, then the exports) that also imports
;; a host function. `process` reads stdin, reports what it read through host.log (the host reads the text from this
;; module's memory), writes a summary to stdout and returns the byte count. `crash` traps, `grow` grows memory.
(module
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "host" "log" (func $log (param i32 i32)))
  (memory (export "memory") 1)
  (global $ready (mut i32) (i32.const 0))
  (data (i32.const 100) "initialized\n")
  (data (i32.const 120) "stdin read\n")

  (func $write (param $ptr i32) (param $len i32)
    (i32.store (i32.const 0) (local.get $ptr))
    (i32.store (i32.const 4) (local.get $len))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))

  (func (export "_initialize")
    (global.set $ready (i32.const 1))
    (call $write (i32.const 100) (i32.const 12)))

  ;; Reads up to 1000 bytes of stdin to 1024; returns the count (-1 before _initialize).
  (func (export "process") (result i32)
    (local $n i32)
    (if (i32.eqz (global.get $ready)) (then (return (i32.const -1))))
    (i32.store (i32.const 16) (i32.const 1024))
    (i32.store (i32.const 20) (i32.const 1000))
    (drop (call $fd_read (i32.const 0) (i32.const 16) (i32.const 1) (i32.const 24)))
    (local.set $n (i32.load (i32.const 24)))
    (call $log (i32.const 1024) (local.get $n))
    (call $write (i32.const 120) (i32.const 11))
    (local.get $n))

  (func (export "crash") unreachable)
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))
