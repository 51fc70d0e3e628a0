;; a module with a typo in an instruction name
(module
  (func (result i32) (i32.cosnt 1)))
