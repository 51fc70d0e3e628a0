;; examples/c/memory.wat -- an exported memory (1 page, at most 3) and functions that read, write and grow it.
(module
  (memory (export "mem") 1 3)
  (data (i32.const 16) "\2a\00\00\00")
  (func (export "load") (param i32) (result i32) (i32.load (local.get 0)))
  (func (export "store") (param i32 i32) (i32.store (local.get 0) (local.get 1)))
  (func (export "size") (result i32) (memory.size))
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))
