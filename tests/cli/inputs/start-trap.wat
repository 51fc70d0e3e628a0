;; tests/cli/inputs/start-trap.wat -- a start function that traps during instantiation: reported like any trap (message
;; and backtrace, exit 134).
(module
  (func $boom (unreachable))
  (func $init (call $boom))
  (func (export "_start"))
  (start $init))
