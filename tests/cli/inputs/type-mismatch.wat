;; valid text, invalid module: the function returns i64 where i32 is declared
(module (func (result i32) (i64.const 1)))
