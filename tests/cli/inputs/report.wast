;; tests/cli/inputs/report.wast -- one command of each outcome for the --json / --junit reports and --strict:
;; passes, assert_return failures with expected and actual values (numbers, NaN, v128 lanes, references), a rejection
;; with another message than expected, a recognised but unsupported command and an unknown one.
(module
  (func (export "two") (result i32 f32) (i32.const 2) (f32.const 1.5))
  (func (export "nan") (result f64) (f64.const 1))
  (func (export "vec") (result v128) (v128.const i32x4 1 2 3 4))
  (func (export "ext") (param externref) (result externref) (local.get 0))
  (func (export "fn") (result funcref) (ref.func 0))
  (elem declare func 0))
(assert_return (invoke "two") (i32.const 2) (f32.const 1.5))
(assert_return (invoke "two") (i32.const 3) (f32.const 1.5))
(assert_return (invoke "nan") (f64.const nan:canonical))
(assert_return (invoke "vec") (v128.const f32x4 nan:arithmetic 0 0 0))
(assert_return (invoke "ext" (ref.extern 7)) (ref.extern 8))
(assert_return (invoke "ext" (ref.extern 7)) (ref.extern 7))
(assert_return (invoke "fn") (ref.extern))
(assert_return (invoke "fn") (ref.func))
(assert_invalid (module (func (result i32) (i64.const 0))) "unknown type")
(assert_malformed_custom (module quote "(@custom)") "malformed")
(frobnicate)
