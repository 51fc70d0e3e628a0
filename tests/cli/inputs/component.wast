;; myrt wast on component commands (cli/wast_runner.cpp): every command runs; the commands after `failures:` fail on purpose.
(component definition $D
  (core module $m
    (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
    (func (export "boom") unreachable))
  (core instance $i (instantiate $m))
  (func (export "add") (param "a" u32) (param "b" u32) (result u32) (canon lift (core func $i "add")))
  (func (export "boom") (canon lift (core func $i "boom"))))
(component instance $I $D)
(assert_return (invoke "add" (u32.const 2) (u32.const 40)) (u32.const 42))
(assert_trap (invoke "boom") "unreachable")
(invoke "add" (u32.const 1) (u32.const 1))
(assert_invalid (component (import "NotKebab" (func))) "is not in kebab case")
(assert_malformed (component binary "\00asm" "\0d\00\01\00" "\7f\00") "unknown section")
(assert_unlinkable (component (import "missing" (func))) "unknown import")
(component $named
  (core module $m (func (export "z") (result i32) i32.const 0))
  (core instance $i (instantiate $m))
  (func (export "z") (result bool) (canon lift (core func $i "z"))))
(assert_return (invoke $named "z") (bool.const false))
;; a named instance is importable by later components under its name (as in wasmtime's harness), checked by type
(component $provider
  (core module $m (func (export "f") (result i32) i32.const 7))
  (core instance $i (instantiate $m))
  (func (export "seven") (result u32) (canon lift (core func $i "f"))))
(component $user
  (import "provider" (instance $p (export "seven" (func (result u32)))))
  (alias export $p "seven" (func $s))
  (export "seven-again" (func $s)))
(assert_return (invoke $user "seven-again") (u32.const 7))
(assert_unlinkable (component (import "provider" (instance (export "eight" (func))))) "missing expected export `eight`")
(assert_unlinkable (component (import "provider" (instance (export "seven" (func (result s32)))))) "type mismatch")
;; failures:
(assert_return (invoke $I "add" (u32.const 2) (u32.const 2)) (u32.const 5))
(assert_return (invoke $I "add" (s32.const 2) (u32.const 2)) (u32.const 4))
(assert_return (invoke $I "nope"))
(assert_trap (invoke $I "add" (u32.const 0) (u32.const 0)) "unreachable")
(assert_invalid (component) "anything")
(component (import "missing" (func)))
(assert_return (invoke "add" (u32.const 1) (u32.const 1)) (u32.const 2))
