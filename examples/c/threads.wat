;; examples/c/threads.wat -- `run` computes fib(n) recursively and reports it to the host.
(module
  (import "host" "report" (func $report (param i32)))
  (func $fib (param i32) (result i32)
    (if (result i32) (i32.lt_u (local.get 0) (i32.const 2))
      (then (local.get 0))
      (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1)))
                     (call $fib (i32.sub (local.get 0) (i32.const 2)))))))
  (func (export "run") (param i32) (call $report (call $fib (local.get 0)))))
