;; examples/c/global.wat -- globals: an imported mutable one shared with the host, an exported constant and an exported
;; mutable one changed by `bump`.
(module
  (import "host" "counter" (global $counter (mut i64)))
  (global (export "pi") f64 (f64.const 3.25))
  (global $g (export "g") (mut i32) (i32.const 1))
  (func (export "bump")
    (global.set $g (i32.add (global.get $g) (i32.const 1)))
    (global.set $counter (i64.add (global.get $counter) (i64.const 100))))
  (func (export "get_counter") (result i64) (global.get $counter)))
